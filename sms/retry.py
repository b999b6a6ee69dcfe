"""How tasks retry: which faults are worth another try, and how long to wait before it."""

import random

import redis
from django.db import InterfaceError, OperationalError

# Worth retrying: the database or Redis is away, a connection broke. A programming or data error is not.
TRANSIENT = (OperationalError, InterfaceError, redis.RedisError, OSError)


def backoff_seconds(retries: int, *, base: float = 1.0, cap: float = 300.0) -> float:
    """Exponential backoff with jitter: `base` doubled per retry up to `cap` (1, 2, 4 ... 300 s by default), each
    drawn between half and all of it, so senders that failed together do not all come back at once."""
    ceiling = min(cap, base * 2.0 ** retries)
    return ceiling / 2 + random.random() * ceiling / 2
