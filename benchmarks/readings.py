"""What the offline reader takes from one text, measured on the team's labelled single texts
(tests/data/readings/): each text is read as the reply to the question in its `asked`, on its message date, by
the reader the offline provider uses (leads/reader), and every fact it states or the reader finds is compared
with what a careful assistant recorded (benchmarks/judging.py). Each set is reported on its own row: `tuning`
(the rules may be written from it) and `blind` (never read while tuning: totals only, no failures listed), and
the same two halves of a later areas-only set (`areas2_tuning`, `areas2_blind`).

    .venv/bin/python benchmarks/readings.py [--json PATH] [--half tuning|blind|areas2_tuning|areas2_blind|all] [--show-failures]

The conversation benchmark (benchmarks/conversations.py) measures the same reading end to end, in dialogue; this
one isolates the reader, so a miss is a reading miss and the texts can cover many more shapes of each fact.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from benchmarks.judging import fact_right  # noqa: E402
from leads.reader import read  # noqa: E402

READINGS = PROJECT / "tests" / "data" / "readings"
# `areas2_tuning` and `areas2_blind`: a later areas-only set by a third blind author, split the same way.
HALVES = ("tuning", "blind", "areas2_tuning", "areas2_blind")
TUNING_HALVES = ("tuning", "areas2_tuning")
FIELDS = ("financing", "budget_min", "budget_max", "timeline_days", "areas", "property_type", "bedrooms",
          "bathrooms", "address", "condition", "motivation", "price_expectation")


def load(half: str) -> list[dict]:
    with open(READINGS / f"{half}.jsonl", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


@dataclass
class Summary:
    half: str
    texts: int = 0
    fields: int = 0
    fields_right: int = 0
    fully_right: int = 0
    by_field: dict = field(default_factory=dict)
    failures: list = field(default_factory=list)


def judge(item: dict) -> dict[str, bool]:
    """Field -> right, over the facts the text states and the facts the reader found (an invented fact is wrong)."""
    reading = read(item["text"], asked=item["asked"], lead_type=item["lead_type"],
                   today=date.fromisoformat(item.get("date", "2026-04-14")))
    expected, found = item["facts"], reading.facts
    judged = (set(expected) | set(found)) & set(FIELDS)
    if item["lead_type"] == "seller" and "property_type" not in expected:
        judged.discard("property_type")  # as in the corpus: a seller's home type counts where the author recorded it
    return {name: name in expected and fact_right(name, expected[name], found.get(name)) for name in judged}


def run(half: str) -> Summary:
    summary, by_field = Summary(half), Counter()
    totals = Counter()
    for item in load(half):
        verdict = judge(item)
        summary.texts += 1
        summary.fields += len(verdict)
        summary.fields_right += sum(verdict.values())
        summary.fully_right += all(verdict.values())
        for name, right in verdict.items():
            totals[name] += 1
            by_field[name] += right
        if not all(verdict.values()):
            summary.failures.append((item["id"], sorted(name for name, right in verdict.items() if not right)))
    summary.by_field = {name: [by_field[name], totals[name]] for name in FIELDS if totals[name]}
    return summary


def percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "-"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", type=Path, help="write the figures here")
    parser.add_argument("--half", choices=HALVES + ("all",), default="all")
    parser.add_argument("--show-failures", action="store_true", help="list the tuning half's misses by id")
    args = parser.parse_args()
    summaries = [run(half) for half in (HALVES if args.half == "all" else (args.half,))]
    print("Single texts through the offline reader (leads/reader), each as the reply to its question\n")
    print("| set | texts | fields right | texts fully right |")
    print("|---|---:|---:|---:|")
    for s in summaries:
        print(f"| {s.half} | {s.texts} | {percent(s.fields_right, s.fields)} ({s.fields_right}/{s.fields}) | "
              f"{percent(s.fully_right, s.texts)} ({s.fully_right}) |")
    print("\n| field | " + " | ".join(s.half for s in summaries) + " |")
    print("|---|" + "---:|" * len(summaries))
    for name in FIELDS:
        cells = [f"{percent(*s.by_field.get(name, [0, 0]))} ({'/'.join(map(str, s.by_field.get(name, [0, 0])))})"
                 for s in summaries]
        if any(name in s.by_field for s in summaries):
            print(f"| {name} | " + " | ".join(cells) + " |")
    if args.show_failures:
        for s in summaries:
            if s.half in TUNING_HALVES:
                print(f"\nMisses in {s.half}:")
                for text_id, wrong in s.failures:
                    print(f"- {text_id}: {wrong}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps([{"half": s.half, "texts": s.texts, "fields": s.fields,
                                          "fields_right": s.fields_right, "fully_right": s.fully_right,
                                          "by_field": s.by_field} for s in summaries], indent=2))


if __name__ == "__main__":
    main()
