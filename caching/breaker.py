"""A small circuit breaker: after a failure the tier is skipped for `reset_seconds`, then tried again."""

from __future__ import annotations

import logging
import threading
import time

logger = logging.getLogger(__name__)


class CircuitBreaker:
    def __init__(self, name: str, reset_seconds: float):
        self.name = name
        self.reset_seconds = reset_seconds
        self._open_until = 0.0
        self._lock = threading.Lock()

    @property
    def is_open(self) -> bool:
        return time.monotonic() < self._open_until

    def record_failure(self, exc: BaseException) -> None:
        with self._lock:
            if not self.is_open:
                logger.warning("cache tier %s unavailable, skipping it for %.0fs: %s", self.name, self.reset_seconds,
                               str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
            self._open_until = time.monotonic() + self.reset_seconds

    def reset(self) -> None:
        with self._lock:
            self._open_until = 0.0
