"""A fixed-window rate limit on the Django cache (certificate verification per client IP, data
exports per person); log-in and password reset use allauth's own limits."""

import time

from django.core.cache import cache


def hit(scope: str, key: str, *, limit: int, window_seconds: int = 60) -> bool:
    """Count one request; False once `limit` requests were made in the current window."""
    window = int(time.time() // window_seconds)
    name = f"ratelimit:{scope}:{key}:{window}"
    cache.add(name, 0, timeout=window_seconds + 1)
    try:
        count = cache.incr(name)
    except ValueError:  # expired between add and incr
        cache.set(name, 1, timeout=window_seconds + 1)
        count = 1
    return count <= limit
