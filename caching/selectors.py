"""Reading the cache's metrics as tables: hit rates, latency percentiles, savings."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from caching.metrics import AVOIDED, LATENCY_BUCKETS_MS, MetricsRecorder, MetricTotals, bucket_label, bucket_measure
from caching.policy import CallKind, Tier

LOOKUP_TIERS = (Tier.L1, Tier.L2, Tier.L3, Tier.MISS)


@dataclass(frozen=True)
class TierStats:
    kind: str
    tier: str
    count: int
    share: float            # of this kind's look-ups
    p50_ms: float | None    # from the histogram: the upper bound of the bucket holding the percentile
    p95_ms: float | None
    mean_ms: float | None
    saved_usd: float
    saved_tokens: int
    mean_l3_similarity: float | None


def cache_stats(metrics: MetricsRecorder, days: int = 1) -> list[TierStats]:
    totals = metrics.read(days)
    rows = []
    for kind in CallKind:
        lookups = sum(totals.get(kind, tier, "count") for tier in LOOKUP_TIERS)
        for tier in LOOKUP_TIERS:
            count = totals.get(kind, tier, "count")
            if not count:
                continue
            nearest = totals.get(kind, Tier.L3, "nearest_count")
            rows.append(TierStats(
                kind=kind.value, tier=tier.value, count=count,
                share=count / lookups,
                p50_ms=_percentile(totals, kind, tier, 0.50), p95_ms=_percentile(totals, kind, tier, 0.95),
                mean_ms=totals.get(kind, tier, "latency_us") / 1000 / count,
                saved_usd=totals.get(kind, tier, "saved_usd_micro") / 1_000_000,
                saved_tokens=totals.get(kind, tier, "saved_tokens"),
                mean_l3_similarity=(totals.get(kind, Tier.L3, "nearest_similarity_micro") / 1_000_000 / nearest)
                if tier == Tier.L3 and nearest else None,
            ))
    return rows


def avoided_calls(totals: MetricTotals) -> dict[str, int]:
    """Calls not needed, per kind (only kinds with some): counted apart from look-ups and hits."""
    counts = {kind.value: totals.get(kind, AVOIDED, "count") for kind in CallKind}
    return {kind: count for kind, count in counts.items() if count}


def overall_hit_rate(rows: list[TierStats]) -> float:
    lookups = sum(r.count for r in rows)
    hits = sum(r.count for r in rows if r.tier in (Tier.L1, Tier.L2, Tier.L3))
    return hits / lookups if lookups else 0.0


def as_dicts(rows: list[TierStats]) -> list[dict]:
    return [asdict(row) for row in rows]


def _percentile(totals: MetricTotals, kind: CallKind, tier: Tier, quantile: float) -> float | None:
    count = totals.get(kind, tier, "count")
    if not count:
        return None
    needed = quantile * count
    running = 0
    for bound in LATENCY_BUCKETS_MS:
        running += totals.get(kind, tier, bucket_measure(bucket_label(bound)))
        if running >= needed:
            return bound
    return float("inf")
