"""The cache on Redis, failing open when Redis is away.

The cache holds nothing that must survive (allauth's log-in and password-reset rate limits,
the certificate verification rate limit): a Redis outage must not turn every log-in into a
server error. While Redis cannot be reached each operation behaves as a cache miss (reads find
nothing, writes are dropped, `add` succeeds), so the rate limits are not enforced until Redis
is back; a warning is logged at most once a minute. Short socket timeouts (settings.CACHES)
keep a hung Redis from holding up requests.
"""

import logging
import time

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)
UNAVAILABLE = (RedisConnectionError, RedisTimeoutError)
WARN_EVERY_SECONDS = 60
_last_warning = [0.0]


def _warn(operation: str, error: Exception) -> None:
    now = time.monotonic()
    if now - _last_warning[0] >= WARN_EVERY_SECONDS:
        _last_warning[0] = now
        logger.warning("Cache unavailable (%s: %s); continuing without it.", operation, error)


def _failing_open(name: str, fallback):
    method = getattr(RedisCache, name)

    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except UNAVAILABLE as error:
            _warn(name, error)
            return fallback(*args, **kwargs)

    wrapper.__name__ = name
    wrapper.__doc__ = method.__doc__
    return wrapper


class ResilientRedisCache(RedisCache):
    add = _failing_open("add", lambda *a, **k: True)
    get = _failing_open("get", lambda key, default=None, *a, **k: default)
    set = _failing_open("set", lambda *a, **k: None)
    touch = _failing_open("touch", lambda *a, **k: False)
    delete = _failing_open("delete", lambda *a, **k: False)
    get_many = _failing_open("get_many", lambda *a, **k: {})
    has_key = _failing_open("has_key", lambda *a, **k: False)
    incr = _failing_open("incr", lambda key, delta=1, *a, **k: delta)
    set_many = _failing_open("set_many", lambda *a, **k: [])
    delete_many = _failing_open("delete_many", lambda *a, **k: None)
    clear = _failing_open("clear", lambda *a, **k: False)
