"""Single-flight: concurrent misses on one key make one computation; the others wait for its result.

Within a process, followers wait on an Event. Across processes, the leader holds a short Redis lock and the
others poll L2 for the value it stores; a follower that waits longer than `wait_seconds` (or whose leader
failed) computes for itself, so a stuck leader can delay but never block a turn.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from caching.tiers import REDIS_ERRORS, RedisTier, StoredValue

POLL_SECONDS = 0.02


@dataclass
class _Flight:
    done: threading.Event = field(default_factory=threading.Event)
    result: StoredValue | None = None


class SingleFlight:
    def __init__(self, redis_tier: RedisTier, wait_seconds: float, lock_seconds: float, clock):
        self.redis_tier = redis_tier
        self.clock = clock
        self.wait_seconds = wait_seconds
        self.lock_seconds = lock_seconds
        self._flights: dict[str, _Flight] = {}
        self._lock = threading.Lock()

    def run(self, key: str, compute_and_store) -> tuple[StoredValue, bool]:
        """(result, computed_here). `compute_and_store()` computes, writes the tiers and returns the result."""
        with self._lock:
            flight = self._flights.get(key)
            leader = flight is None
            if leader:
                flight = self._flights[key] = _Flight()
        if not leader:
            if flight.done.wait(self.wait_seconds) and flight.result is not None:
                return flight.result, False
            return compute_and_store(), True
        try:
            flight.result, computed_here = self._run_across_processes(key, compute_and_store)
            return flight.result, computed_here
        finally:
            flight.done.set()
            with self._lock:
                self._flights.pop(key, None)

    def _run_across_processes(self, key: str, compute_and_store) -> tuple[StoredValue, bool]:
        lock = self._acquire(key)
        if lock is True:  # Redis is unavailable: in-process coalescing only
            return compute_and_store(), True
        if lock is not None:
            try:
                return compute_and_store(), True
            finally:
                try:
                    lock.release()
                except Exception:  # noqa: BLE001 - expired or Redis gone: the lock's TTL frees it anyway
                    pass
        deadline = time.monotonic() + self.wait_seconds
        while time.monotonic() < deadline:
            stored = self.redis_tier.get(key, self.clock())
            if stored is not None:
                return stored, False
            time.sleep(POLL_SECONDS)
        return compute_and_store(), True

    def _acquire(self, key: str):
        """A held redis Lock, None if another process holds it, or True if Redis cannot be asked."""
        if self.redis_tier.breaker.is_open:
            return True
        try:
            lock = self.redis_tier.client.lock(f"llm-flight:{key}", timeout=self.lock_seconds, blocking=False)
            return lock if lock.acquire(blocking=False) else None
        except REDIS_ERRORS as exc:
            self.redis_tier.breaker.record_failure(exc)
            return True
