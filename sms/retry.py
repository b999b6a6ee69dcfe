"""How tasks retry: which faults are worth another try, and how long to wait before it."""

import random

import redis
from django.db import InterfaceError, OperationalError

# Worth retrying: the database or Redis is away, a connection broke. A programming or data error is not.
TRANSIENT = (OperationalError, InterfaceError, redis.RedisError, OSError)


def backoff_seconds(retries: int) -> float:
    """Exponential backoff with full jitter: 1, 2, 4 ... 300 s, each drawn between half and all of it."""
    ceiling = min(300.0, 2.0 ** retries)
    return ceiling / 2 + random.random() * ceiling / 2
