"""Single-flight: concurrent misses on one key make one computation; the others wait for its result.

Within a process, followers wait on an Event. Across processes, the leader holds a short Redis lock and the
others poll L2 for the value it stores; a follower that waits longer than `wait_seconds` (or whose leader
failed) computes for itself, so a stuck leader can delay but never block a turn.
"""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass, field

from caching.tiers import REDIS_ERRORS, RedisTier, StoredValue

POLL_SECONDS = 0.02


@dataclass
class _Flight:
    done: threading.Event = field(default_factory=threading.Event)
    result: StoredValue | None = None


@dataclass
class Claim:
    """The outcome of `SingleFlight.claim`: `result` when another caller computed the value; otherwise this caller
    computes it, holding the in-process flight and (when Redis could be asked) the cross-process lock."""

    key: str
    result: StoredValue | None = None
    flight: _Flight | None = None
    lock: object = None


class SingleFlight:
    def __init__(self, redis_tier: RedisTier, wait_seconds: float, lock_seconds: float, clock):
        self.redis_tier = redis_tier
        self.clock = clock
        self.wait_seconds = wait_seconds
        self.lock_seconds = lock_seconds
        self._flights: dict[str, _Flight] = {}
        self._lock = threading.Lock()

    def claim(self, key: str) -> Claim:
        """Who computes `key`: this caller (a claim without `result`, to be `release`d once it has computed), or
        another caller, whose result it waited for. The claim and the release are the caller's to make on one
        thread; the computation in between may run anywhere (a turn runs its model calls concurrently)."""
        return self.claim_many([key])[0]

    def claim_many(self, keys: list[str]) -> list[Claim]:
        """`claim` of several keys, in order, the cross-process locks asked for in one Redis round trip."""
        claims: dict[str, Claim] = {}
        leading: list[tuple[str, _Flight]] = []
        for key in keys:
            with self._lock:
                flight = self._flights.get(key)
                leader = flight is None
                if leader:
                    flight = self._flights[key] = _Flight()
            if leader:
                leading.append((key, flight))
            elif flight.done.wait(self.wait_seconds) and flight.result is not None:
                claims[key] = Claim(key, result=flight.result)
            else:
                claims[key] = Claim(key)  # the leader failed or is stuck: compute for ourselves
        for (key, flight), lock in zip(leading, self._acquire_many([key for key, _ in leading])):
            claims[key] = self._led(key, flight, lock)
        return [claims[key] for key in keys]

    def _led(self, key: str, flight: _Flight, lock) -> Claim:
        if lock is True:  # Redis is unavailable: in-process coalescing only
            return Claim(key, flight=flight)
        if lock is not None:
            return Claim(key, flight=flight, lock=lock)
        deadline = time.monotonic() + self.wait_seconds
        while time.monotonic() < deadline:
            stored = self.redis_tier.get(key, self.clock())
            if stored is not None:  # another process computed it: our in-process followers get it too
                self._land(key, flight, stored)
                return Claim(key, result=stored)
            time.sleep(POLL_SECONDS)
        return Claim(key, flight=flight)

    def release(self, claim: Claim, result: StoredValue | None) -> None:
        """After computing (result None when the computation failed): frees the Redis lock and hands the result to
        the in-process followers."""
        if claim.lock is not None:
            try:
                claim.lock.release()
            except Exception:  # noqa: BLE001 - expired or Redis gone: the lock's TTL frees it anyway
                pass
        if claim.flight is not None:
            self._land(claim.key, claim.flight, result)

    def _land(self, key: str, flight: _Flight, result: StoredValue | None) -> None:
        flight.result = result
        flight.done.set()
        with self._lock:
            if self._flights.get(key) is flight:
                del self._flights[key]

    def _acquire_many(self, keys: list[str]) -> list:
        """Per key: a held redis Lock, None if another process holds it, or True if Redis cannot be asked. The
        locks are taken with one pipeline of the SET NX that `Lock.acquire` makes, each with its own token, which
        the Lock is then given so that its `release` frees exactly that claim."""
        if not keys:
            return []
        if self.redis_tier.breaker.is_open:
            return [True] * len(keys)
        client = self.redis_tier.client
        try:
            locks = [client.lock(f"llm-flight:{key}", timeout=self.lock_seconds, blocking=False) for key in keys]
            tokens = [uuid.uuid1().hex.encode() for _ in keys]  # the token `Lock.acquire` would make
            pipe = client.pipeline(transaction=False)
            for lock, token in zip(locks, tokens):
                pipe.set(lock.name, token, nx=True, px=int(self.lock_seconds * 1000))
            acquired = pipe.execute()
        except REDIS_ERRORS as exc:
            self.redis_tier.breaker.record_failure(exc)
            return [True] * len(keys)
        held = []
        for lock, token, ok in zip(locks, tokens, acquired):
            if ok:
                lock.local.token = token  # where `Lock.acquire` keeps it; `release` reads it from there
            held.append(lock if ok else None)
        return held
