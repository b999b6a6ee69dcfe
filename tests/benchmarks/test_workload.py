"""The production benchmark's workload is reproducible and its false-hit accounting catches wrong hits."""

import json
import subprocess
import sys

import pytest

from benchmarks.workload import Workload, same_answer
from tests.support import PROJECT



def transcript(seed):
    workload = Workload(seed, contacts=5)
    lines = []
    for prospect in workload.prospects:
        lines.append((prospect.phone, prospect.role, prospect.start_second, tuple(sorted(prospect.facts))))
        for asked in ["", "lead_type", "name", "financing", "budget", "address", "timeline_days", ""]:
            lines.append(workload.next_message(prospect, asked))
        lines.append(workload.reply_delay())
    return lines


def test_the_generator_is_reproducible_from_its_seed():
    assert transcript(7) == transcript(7)
    assert transcript(7) != transcript(8)


def test_generated_messages_carry_their_meaning():
    workload = Workload(3, contacts=20)
    for prospect in workload.prospects:
        prospect.greeted = prospect.said_role = True
        prospect.asides_left = 0
        slots = ["financing", "budget", "timeline_days"] if prospect.role == "buyer" else ["address", "timeline_days"]
        for slot in slots:
            utterance = workload.next_message(prospect, slot)
            assert utterance.intent == "provide_info"
            key = "budget_max" if slot == "budget" else slot
            assert utterance.facts == {key: prospect.facts[key]}


def test_facts_compare_by_meaning_not_by_order():
    assert same_answer("facts", {"facts": {"areas": ["x"], "bedrooms": 3}}, {"facts": {"bedrooms": 3, "areas": ["x"]}})
    assert not same_answer("facts", {"facts": {"bedrooms": 3}}, {"facts": {"bedrooms": 4}})
    assert not same_answer("intent", {"intent": "buyer", "confidence": 0.9}, {"intent": "seller", "confidence": 0.9})


@pytest.mark.slow
def test_a_loosened_guard_shows_false_hits_and_the_guarded_cache_none(project_env, tmp_path):
    report_path = tmp_path / "report.json"
    result = subprocess.run(
        [sys.executable, "benchmarks/memory_performance.py", "--contacts", "8", "--configs",
         "no-cache,L1+L2+L3,L1+L2+L3-noguard", "--json", str(report_path), "--plot", str(tmp_path / "chart.png")],
        cwd=PROJECT, env=project_env, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(report_path.read_text())["configurations"]
    assert report["L1+L2+L3-noguard"]["false_hits"] > 0
    assert report["L1+L2+L3"]["false_hits"] == 0
    assert report["no-cache"]["hit_rate"] == 0 and report["no-cache"]["llm_calls"]["intent"] == report["no-cache"]["turns"]
    for name in report:
        for key in ("hit_rate", "false_hit_rate", "lookup_p50_ms", "lookup_p95_ms", "turn_p95_ms", "monthly_cost_usd",
                    "cost_per_lead_usd"):
            assert key in report[name]
    assert (tmp_path / "chart.png").stat().st_size > 10_000
    assert "| configuration |" in result.stdout and "Before / after" in result.stdout


def generated_texts(workload, questions_for):
    """Every prospect answers the bots' questions in their order, as `benchmarks/workload.py` describes them."""
    texts = []
    for prospect in workload.prospects:
        for asked in ["", "lead_type", "name", *questions_for(prospect)]:
            texts.append((asked, workload.next_message(prospect, asked), dict(prospect.facts)))
    return texts


@pytest.mark.parametrize("share", [0.2, 0.4, 0.6])
def test_the_unique_share_is_the_share_of_texts_never_sent_before(share):
    from benchmarks.diversity import DiverseWorkload
    from bots.stages import BUYER_SLOTS, SELLER_SLOTS

    workload = DiverseWorkload(42, contacts=300, unique_share=share)
    texts = generated_texts(workload, lambda p: BUYER_SLOTS if p.role == "buyer" else SELLER_SLOTS)
    seen, new = set(), 0
    for _, utterance, _ in texts:
        new += utterance.text not in seen
        seen.add(utterance.text)
    assert new / len(texts) == pytest.approx(share, abs=0.005)
    assert workload.novelty()["never_sent_share"] == pytest.approx(new / len(texts))
    # A fresh amount is the prospect's fact from then on, so the ideal answer is still the generated meaning.
    for asked, utterance, facts in texts:
        for key, value in utterance.facts.items():
            assert facts[key] == value, (asked, utterance)


def test_fresh_texts_leave_the_prospects_and_the_pool_as_they_were():
    from benchmarks.diversity import DiverseWorkload

    plain, diverse = Workload(7, contacts=30), DiverseWorkload(7, contacts=30, unique_share=0.5)
    assert [(p.phone, p.role, p.start_second) for p in plain.prospects] == \
           [(p.phone, p.role, p.start_second) for p in diverse.prospects]
    pool = [plain.next_message(p, "") for p in plain.prospects for _ in range(3)]
    varied = [diverse.next_message(p, "") for p in diverse.prospects for _ in range(3)]
    assert [u.intent for u in pool] == [u.intent for u in varied]
    assert 0 < diverse.fresh_texts < len(varied)
    assert sum(a.text != b.text for a, b in zip(pool, varied)) == diverse.fresh_texts
