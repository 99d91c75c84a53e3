"""A fixed-window rate limit per client IP on the Django cache (the verification page)."""

import time

from django.core.cache import cache


def client_ip(request) -> str:
    """The client's address, behind TRUSTED_PROXY_COUNT proxies too (portal/security.py)."""
    from portal.security import client_ip as from_request

    return from_request(request)


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
