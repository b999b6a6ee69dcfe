"""Reading the cache's metrics as tables: hit rates, latency percentiles, savings."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from caching.metrics import LATENCY_BUCKETS_MS, MetricsRecorder
from caching.policy import Kind, Tier

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
    for kind in Kind:
        lookups = sum(totals.get(f"{kind}|{tier}|count", 0) for tier in LOOKUP_TIERS)
        for tier in (*LOOKUP_TIERS, Tier.BYPASS):
            count = totals.get(f"{kind}|{tier}|count", 0)
            if not count:
                continue
            nearest = totals.get(f"{kind}|L3|nearest_count", 0)
            rows.append(TierStats(
                kind=kind.value, tier=tier.value, count=count,
                share=count / lookups if lookups and tier != Tier.BYPASS else 0.0,
                p50_ms=_percentile(totals, kind, tier, 0.50), p95_ms=_percentile(totals, kind, tier, 0.95),
                mean_ms=totals.get(f"{kind}|{tier}|latency_us", 0) / 1000 / count,
                saved_usd=totals.get(f"{kind}|{tier}|saved_usd_micro", 0) / 1_000_000,
                saved_tokens=totals.get(f"{kind}|{tier}|saved_tokens", 0),
                mean_l3_similarity=(totals.get(f"{kind}|L3|nearest_similarity_micro", 0) / 1_000_000 / nearest)
                if tier == Tier.L3 and nearest else None,
            ))
    return rows


def overall_hit_rate(rows: list[TierStats]) -> float:
    lookups = sum(r.count for r in rows if r.tier != Tier.BYPASS)
    hits = sum(r.count for r in rows if r.tier in (Tier.L1, Tier.L2, Tier.L3))
    return hits / lookups if lookups else 0.0


def as_dicts(rows: list[TierStats]) -> list[dict]:
    return [asdict(row) for row in rows]


def _percentile(totals: dict, kind: Kind, tier: Tier, quantile: float) -> float | None:
    count = totals.get(f"{kind}|{tier}|count", 0)
    if not count:
        return None
    needed = quantile * count
    running = 0
    for bound in LATENCY_BUCKETS_MS:
        label = "inf" if bound == float("inf") else f"{bound:g}"
        running += totals.get(f"{kind}|{tier}|le_{label}", 0)
        if running >= needed:
            return bound
    return float("inf")
