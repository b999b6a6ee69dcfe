"""Cache metrics that add up across workers: per tier and kind hits/misses, a latency histogram, the L3
nearest-neighbour similarity, and the tokens and dollars that hits saved.

Counting happens in process memory (a hit must not pay a Redis round trip for its own bookkeeping) and is
flushed to a Redis hash per UTC day every few seconds, on demand, and at exit.
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
from collections import Counter
from datetime import datetime, timedelta, timezone

from caching.tiers import REDIS_ERRORS

logger = logging.getLogger(__name__)

# Upper bounds in milliseconds of the latency histogram buckets.
LATENCY_BUCKETS_MS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 1000, float("inf"))
FLUSH_EVERY_SECONDS = 2.0
RETENTION_DAYS = 30
METRICS_KEY = "llm-metrics:{day}"


def _bucket(latency_ms: float) -> str:
    for bound in LATENCY_BUCKETS_MS:
        if latency_ms <= bound:
            return "inf" if bound == float("inf") else f"{bound:g}"
    return "inf"


class MetricsRecorder:
    def __init__(self, redis_tier):
        self.redis_tier = redis_tier
        self._pending: Counter = Counter()
        self._lock = threading.Lock()
        self._last_flush = time.monotonic()

    def record(self, *, kind: str, tier: str, latency_ms: float, similarity: float | None = None,
               saved_usd: float = 0.0, saved_tokens: int = 0, guard_rejected: bool = False) -> None:
        with self._lock:
            pending = self._pending
            pending[f"{kind}|{tier}|count"] += 1
            pending[f"{kind}|{tier}|latency_us"] += int(latency_ms * 1000)
            pending[f"{kind}|{tier}|le_{_bucket(latency_ms)}"] += 1
            if similarity is not None:
                pending[f"{kind}|L3|nearest_count"] += 1
                pending[f"{kind}|L3|nearest_similarity_micro"] += int(similarity * 1_000_000)
            if saved_usd:
                pending[f"{kind}|{tier}|saved_usd_micro"] += int(round(saved_usd * 1_000_000))
            if saved_tokens:
                pending[f"{kind}|{tier}|saved_tokens"] += saved_tokens
            if guard_rejected:
                pending[f"{kind}|L3|guard_rejections"] += 1
            due = time.monotonic() - self._last_flush >= FLUSH_EVERY_SECONDS
        if due:
            self.flush()

    def flush(self) -> None:
        with self._lock:
            pending, self._pending = self._pending, Counter()
            self._last_flush = time.monotonic()
        if not pending or self.redis_tier.breaker.is_open:
            self._merge_back(pending)
            return
        try:
            self._write(pending)
        except REDIS_ERRORS as exc:
            self.redis_tier.breaker.record_failure(exc)
            self._merge_back(pending)

    def flush_at_exit(self) -> None:
        """Last counts of a stopping process: sent if Redis answers, dropped quietly if not (logging may
        already be shut down at exit)."""
        with self._lock:
            pending, self._pending = self._pending, Counter()
        if not pending:
            return
        try:
            self._write(pending)
        except Exception:  # noqa: BLE001 - at exit there is no one left to tell
            pass

    def _write(self, pending: Counter) -> None:
        key = METRICS_KEY.format(day=datetime.now(timezone.utc).strftime("%Y%m%d"))
        pipe = self.redis_tier.client.pipeline(transaction=False)
        for field, amount in pending.items():
            pipe.hincrby(key, field, amount)
        pipe.expire(key, RETENTION_DAYS * 86400)
        pipe.execute()

    def register_exit_flush(self) -> None:
        atexit.register(self.flush_at_exit)

    def _merge_back(self, pending: Counter) -> None:
        # Keep counts for the next flush while Redis is away, rather than losing them.
        with self._lock:
            self._pending.update(pending)

    def read(self, days: int = 1) -> dict[str, int]:
        """Totals over the last `days` UTC days, as flat `kind|tier|field` counters."""
        self.flush()
        today = datetime.now(timezone.utc)
        totals: Counter = Counter()
        client = self.redis_tier.client
        for offset in range(days):
            day = (today - timedelta(days=offset)).strftime("%Y%m%d")
            for field, amount in client.hgetall(METRICS_KEY.format(day=day)).items():
                totals[field.decode()] += int(amount)
        return dict(totals)

    def reset(self) -> None:
        with self._lock:
            self._pending.clear()
        client = self.redis_tier.client
        keys = list(client.scan_iter(match=METRICS_KEY.format(day="*")))
        if keys:
            client.delete(*keys)
