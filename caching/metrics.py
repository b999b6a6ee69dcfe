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
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from caching.tiers import REDIS_ERRORS

logger = logging.getLogger(__name__)

# Upper bounds in milliseconds of the latency histogram buckets.
LATENCY_BUCKETS_MS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 1000, float("inf"))
FLUSH_EVERY_SECONDS = 2.0
RETENTION_DAYS = 30
METRICS_KEY = "llm-metrics:{day}"
# The pseudo-tier of calls the caller found it did not need to make: neither a look-up nor a model call, so they are
# counted apart from the hit rate (a hit rate that counted them would claim work the cache did not do).
AVOIDED = "avoided"


def metric_field(kind: str, tier: str, measure: str) -> str:
    """The one place a counter's name is built: `kind|tier|measure` (a hash field in Redis)."""
    return f"{kind}|{tier}|{measure}"


def bucket_measure(label: str) -> str:
    """The measure name of a latency histogram bucket, e.g. "le_2.5" for the bucket up to 2.5 ms."""
    return f"le_{label}"


@dataclass(frozen=True)
class MetricTotals:
    """Counters summed over workers and days, read by kind, tier and measure."""

    counters: dict[str, int]

    def get(self, kind: str, tier: str, measure: str) -> int:
        return self.counters.get(metric_field(kind, tier, measure), 0)


def bucket_label(bound: float) -> str:
    return "inf" if bound == float("inf") else f"{bound:g}"


def _bucket(latency_ms: float) -> str:
    return bucket_label(next(bound for bound in LATENCY_BUCKETS_MS if latency_ms <= bound))


class MetricsRecorder:
    def __init__(self, redis_tier):
        self.redis_tier = redis_tier
        self._pending: Counter = Counter()
        self._lock = threading.Lock()
        self._last_flush = time.monotonic()

    def record(self, *, kind: str, tier: str, latency_ms: float, similarity: float | None = None,
               saved_usd: float = 0.0, saved_tokens: int = 0) -> None:
        counts = {
            metric_field(kind, tier, "count"): 1,
            metric_field(kind, tier, "latency_us"): int(latency_ms * 1000),
            metric_field(kind, tier, bucket_measure(_bucket(latency_ms))): 1,
            metric_field(kind, tier, "saved_usd_micro"): int(round(saved_usd * 1_000_000)),
            metric_field(kind, tier, "saved_tokens"): saved_tokens,
        }
        if similarity is not None:
            counts[metric_field(kind, "L3", "nearest_count")] = 1
            counts[metric_field(kind, "L3", "nearest_similarity_micro")] = int(similarity * 1_000_000)
        self._add(counts)

    def record_avoided(self, *, kind: str) -> None:
        """A call of `kind` the caller did not need to make (e.g. a conversation short enough to be its own memory)."""
        self._add({metric_field(kind, AVOIDED, "count"): 1})

    def record_guard_rejection(self, *, kind: str, weight: int = 1) -> None:
        """A semantic match similarity alone would have served, refused by the guard; `weight` is how many misses
        the one check stands for when misses are sampled."""
        self._add({metric_field(kind, "L3", "guard_rejections"): weight})

    def _add(self, counts: dict[str, int]) -> None:
        with self._lock:
            self._pending.update({name: amount for name, amount in counts.items() if amount})
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

    def read(self, days: int = 1) -> MetricTotals:
        """Totals over the last `days` UTC days."""
        self.flush()
        today = datetime.now(timezone.utc)
        totals: Counter = Counter()
        client = self.redis_tier.client
        for offset in range(days):
            day = (today - timedelta(days=offset)).strftime("%Y%m%d")
            for field, amount in client.hgetall(METRICS_KEY.format(day=day)).items():
                totals[field.decode()] += int(amount)
        return MetricTotals(dict(totals))

    def reset(self) -> None:
        with self._lock:
            self._pending.clear()
        client = self.redis_tier.client
        keys = list(client.scan_iter(match=METRICS_KEY.format(day="*")))
        if keys:
            client.delete(*keys)
