from django.core.management.base import BaseCommand, CommandError

from caching.selectors import as_dicts, avoided_calls, cache_stats, overall_hit_rate
from caching.services import get_cache
from caching.tiers import REDIS_ERRORS


class Command(BaseCommand):
    help = "Cache hits, misses, latency and savings per kind and tier, summed over all workers (from Redis)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=1, help="UTC days to add up, today included (default 1)")
        parser.add_argument("--json", action="store_true", help="print JSON instead of a table")

    def handle(self, *args, days, json: bool, **options):
        if days < 1:
            raise CommandError("--days must be 1 or more")
        try:
            rows = cache_stats(get_cache().metrics, days)
            avoided = avoided_calls(get_cache().metrics.read(days))
        except REDIS_ERRORS as exc:
            raise CommandError(f"REDIS_URL: cannot read cache metrics ({exc})", returncode=2)
        if json:
            import json as json_module

            self.stdout.write(json_module.dumps({"days": days, "hit_rate": overall_hit_rate(rows), "rows": as_dicts(rows),
                                                "calls_avoided": avoided},
                                                indent=2))
            return
        if not rows:
            self.stdout.write(f"no cache look-ups recorded in the last {days} day(s)")
            return
        self.stdout.write("| kind | tier | count | share | p50 ms (<=) | p95 ms (<=) | mean ms | saved $ | saved tokens | mean L3 similarity |")
        self.stdout.write("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        for r in rows:
            similarity = f"{r.mean_l3_similarity:.3f}" if r.mean_l3_similarity is not None else ""
            self.stdout.write(
                f"| {r.kind} | {r.tier} | {r.count} | {r.share:.1%} | {r.p50_ms:g} | {r.p95_ms:g} | {r.mean_ms:.3f} "
                f"| {r.saved_usd:.4f} | {r.saved_tokens} | {similarity} |"
            )
        if avoided:
            self.stdout.write("calls avoided (not needed: neither looked up nor made, not in the hit rate): "
                              + ", ".join(f"{kind} {count}" for kind, count in avoided.items()))
        self.stdout.write(f"overall hit rate: {overall_hit_rate(rows):.1%}")
