"""Calibrating the L3 similarity threshold on labeled SMS pairs (JSON lines: context, a, b, label).

For each pair the cache would serve b from a's stored result when the similarity of their embeddings (each
embedded with the preceding question) clears the threshold and, with the guard on, their meaning fingerprints
are equal. Served pairs labeled `different` are false hits.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from caching import embeddings
from caching.guard import fingerprint_hash

# The team's own labeled pairs (tests/data/pairs/README.md says how they were made); blind.jsonl beside it is
# never used for tuning.
DEFAULT_PAIRS = Path(__file__).resolve().parents[1] / "tests" / "data" / "pairs" / "tuning.jsonl"
THRESHOLDS = tuple(round(0.50 + 0.02 * step, 2) for step in range(25))  # 0.50 .. 0.98


@dataclass(frozen=True)
class ScoredPair:
    pair_id: str
    category: str
    same: bool
    similarity: float
    same_fingerprint: bool


@dataclass(frozen=True)
class ThresholdResult:
    threshold: float
    guard: bool
    served: int
    correct: int
    pairs: int
    same_pairs: int

    @property
    def wrong(self) -> int:
        return self.served - self.correct

    @property
    def false_hit_rate(self) -> float:
        return self.wrong / self.served if self.served else 0.0

    @property
    def precision(self) -> float:
        return self.correct / self.served if self.served else 1.0

    @property
    def recall(self) -> float:
        return self.correct / self.same_pairs if self.same_pairs else 0.0


def load_pairs(path: Path) -> list[dict]:
    pairs = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                pairs.append({"id": row.get("id", f"line{number}"), "context": row.get("context", ""), "a": row["a"],
                              "b": row["b"], "label": row["label"], "category": row.get("category", "")})
            except (ValueError, KeyError) as exc:
                raise ValueError(f"{path}:{number}: not a labeled pair ({exc})") from exc
            if row["label"] not in ("same", "different"):
                raise ValueError(f"{path}:{number}: label must be 'same' or 'different'")
    return pairs


def score_pairs(pairs: list[dict]) -> list[ScoredPair]:
    texts_a = [embeddings.semantic_text(p["a"], p["context"]) for p in pairs]
    texts_b = [embeddings.semantic_text(p["b"], p["context"]) for p in pairs]
    backend = embeddings.get_backend()
    vectors_a, vectors_b = backend.embed(texts_a), backend.embed(texts_b)
    similarities = np.sum(vectors_a * vectors_b, axis=1)
    return [
        ScoredPair(p["id"], p["category"], p["label"] == "same", float(similarity),
                   fingerprint_hash(p["a"], p["context"]) == fingerprint_hash(p["b"], p["context"]))
        for p, similarity in zip(pairs, similarities)
    ]


def evaluate(scored: list[ScoredPair], threshold: float, guard: bool) -> ThresholdResult:
    served = [p for p in scored if p.similarity >= threshold and (p.same_fingerprint or not guard)]
    return ThresholdResult(threshold, guard, len(served), sum(p.same for p in served), len(scored),
                           sum(p.same for p in scored))


def best_threshold(scored: list[ScoredPair], max_false_hit_rate: float = 0.005) -> ThresholdResult:
    """The guarded threshold that serves the most true pairs with a false-hit rate within the bound."""
    candidates = [evaluate(scored, t, guard=True) for t in THRESHOLDS]
    allowed = [r for r in candidates if r.false_hit_rate <= max_false_hit_rate and r.served]
    return max(allowed, key=lambda r: (r.correct, -r.threshold)) if allowed else candidates[-1]
