from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from caching.calibration import DEFAULT_PAIRS, THRESHOLDS, best_threshold, evaluate, load_pairs, score_pairs
from caching.policy import CALIBRATED_MIN_SIMILARITY


class Command(BaseCommand):
    help = ("Print precision, recall and false-hit rate of the semantic tier per similarity threshold, with and "
            "without the guard, on labeled SMS pairs; the last line is the result at the configured threshold.")

    def add_arguments(self, parser):
        parser.add_argument("--pairs", type=Path, default=DEFAULT_PAIRS,
                            help=f"JSON-lines file of labeled pairs (default {DEFAULT_PAIRS})")
        parser.add_argument("--by-category", action="store_true", help="also break the configured result down by category")

    def handle(self, *args, pairs: Path, by_category: bool, **options):
        if not pairs.is_file():
            raise CommandError(f"--pairs: no such file: {pairs}")
        try:
            rows = load_pairs(pairs)
        except ValueError as exc:
            raise CommandError(str(exc))
        if not rows:
            raise CommandError(f"--pairs: {pairs} holds no pairs")
        scored = score_pairs(rows)
        same = sum(p.same for p in scored)
        self.stdout.write(f"{len(scored)} pairs from {pairs}: {same} same, {len(scored) - same} different")
        self.stdout.write("")
        self.stdout.write("| threshold | served (no guard) | precision (no guard) | recall (no guard) | false-hit rate (no guard) "
                          "| served (guard) | precision (guard) | recall (guard) | false-hit rate (guard) |")
        self.stdout.write("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for threshold in THRESHOLDS:
            bare, guarded = evaluate(scored, threshold, guard=False), evaluate(scored, threshold, guard=True)
            self.stdout.write(
                f"| {threshold:.2f} | {bare.served} | {bare.precision:.3f} | {bare.recall:.3f} | {bare.false_hit_rate:.3f} "
                f"| {guarded.served} | {guarded.precision:.3f} | {guarded.recall:.3f} | {guarded.false_hit_rate:.3f} |"
            )
        best = best_threshold(scored)
        self.stdout.write("")
        self.stdout.write(f"best guarded threshold with false-hit rate <= 0.5%: {best.threshold:.2f} "
                          f"(served {best.served}, recall {best.recall:.3f}, false-hit rate {best.false_hit_rate:.4f})")
        configured = evaluate(scored, CALIBRATED_MIN_SIMILARITY, guard=True)
        if by_category:
            self._by_category(scored)
        self.stdout.write(
            f"configured: false_hit_rate={configured.false_hit_rate:.4f} recall={configured.recall:.3f} "
            f"served={configured.served} pairs={configured.pairs}"
        )

    def _by_category(self, scored):
        self.stdout.write("")
        self.stdout.write("| category | pairs | served at configured threshold | wrong |")
        self.stdout.write("|---|---:|---:|---:|")
        for category in sorted({p.category for p in scored}):
            rows = [p for p in scored if p.category == category]
            served = [p for p in rows if p.similarity >= CALIBRATED_MIN_SIMILARITY and p.same_fingerprint]
            self.stdout.write(f"| {category} | {len(rows)} | {len(served)} | {sum(not p.same for p in served)} |")
