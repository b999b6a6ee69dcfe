"""The cache's operator commands in-process (call_command, against the test database and Redis): cache_stats,
cache_invalidate, cache_purge_expired, cache_calibrate. Their exit codes and messages on a terminal:
tests/config/test_command_line.py."""

import json
from datetime import timedelta

import pytest
from django.core.management.base import CommandError
from django.utils import timezone

from caching.keys import Scope
from caching.models import SemanticCacheEntry
from caching.policy import CallKind
from caching.services import Computed, get_cache
from tests.support.commands import run_command
from tests.support.factories import ContactFactory


@pytest.mark.django_db
def test_cache_stats_prints_a_table_and_json(metrics):
    assert run_command("cache_stats").strip() == "no cache look-ups recorded in the last 1 day(s)"
    parts = [f"stats-{timezone.now().timestamp()}"]
    for _ in range(4):
        get_cache().get_or_compute(CallKind.INTENT, Scope.shared(), parts, lambda: Computed({"median": 1}, 0.005, 800))
    table = run_command("cache_stats", "--days", "7").splitlines()
    assert table[0].startswith("| kind | tier | count | share | p50 ms (<=) | p95 ms (<=)")
    assert any(line.startswith("| intent | L1 | 3 | 75.0% |") and "| 0.0150 | 2400 |" in line for line in table)
    assert any(line.startswith("| intent | miss | 1 | 25.0% |") for line in table)
    assert table[-1] == "overall hit rate: 75.0%"
    report = json.loads(run_command("cache_stats", "--json"))
    assert report["days"] == 1 and report["hit_rate"] == 0.75
    assert {(row["kind"], row["tier"], row["count"]) for row in report["rows"]} == {("intent", "L1", 3), ("intent", "miss", 1)}


def test_cache_stats_counts_calls_avoided_apart_from_the_hit_rate(metrics):
    parts = [f"avoided-{timezone.now().timestamp()}"]
    get_cache().get_or_compute(CallKind.INTENT, Scope.shared(), parts, lambda: {"intent": "buyer"})
    get_cache().record_avoided(CallKind.MEMORY)
    get_cache().record_avoided(CallKind.MEMORY)
    table = run_command("cache_stats").splitlines()
    assert "calls avoided (not needed: neither looked up nor made, not in the hit rate): memory 2" in table
    assert table[-1] == "overall hit rate: 0.0%"  # one look-up, a miss: the avoided calls are not look-ups
    report = json.loads(run_command("cache_stats", "--json"))
    assert report["calls_avoided"] == {"memory": 2} and report["hit_rate"] == 0


@pytest.mark.django_db
def test_cache_invalidate_by_contact_kind_and_all():
    contact = ContactFactory(phone="+14155550171")
    version = contact.cache_version
    assert run_command("cache_invalidate", "--contact", "(415) 555-0171").strip() == \
        f"contact +14155550171: cache version is now {version + 1}"
    generation = get_cache().kind_generation(CallKind.INTENT)
    assert run_command("cache_invalidate", "--kind", "intent").strip() == \
        f"kind intent: generation is now {generation + 1}"
    assert run_command("cache_invalidate", "--all", "--yes").strip() == "all kinds invalidated"
    assert get_cache().kind_generation(CallKind.INTENT) == generation + 2
    with pytest.raises(CommandError, match="not confirmed"):  # no terminal to ask: --all needs --yes
        run_command("cache_invalidate", "--all")


@pytest.mark.django_db
def test_cache_purge_expired_reports_what_it_deleted():
    stamp = timezone.now().timestamp()
    for text in (f"old news {stamp}", f"fresh news {stamp}"):
        get_cache().get_or_compute(CallKind.INTENT, Scope.shared(), [text], lambda: "x", text=text)
    SemanticCacheEntry.objects.filter(text__startswith="old news").update(expires_at=timezone.now() - timedelta(seconds=1))
    assert run_command("cache_purge_expired").strip() == "purged 1 expired semantic-cache rows"
    assert run_command("cache_purge_expired").strip() == "purged 0 expired semantic-cache rows"
    assert SemanticCacheEntry.objects.filter(text__startswith="fresh news").exists()


@pytest.mark.django_db
def test_cache_calibrate_on_a_small_pairs_file(tmp_path):
    pairs = tmp_path / "pairs.jsonl"
    rows = [
        {"id": "p1", "category": "paraphrase", "context": "What's your budget?", "a": "around 450k",
         "b": "about $450,000", "label": "same"},
        {"id": "p2", "category": "changed_number", "context": "What's your budget?", "a": "around 450k",
         "b": "around 550k", "label": "different"},
        {"id": "p3", "category": "negation", "context": "Are you pre-approved?", "a": "yes we are pre-approved",
         "b": "no we are not pre-approved", "label": "different"},
    ]
    pairs.write_text("\n".join(json.dumps(row) for row in rows) + "\n")
    lines = run_command("cache_calibrate", "--pairs", str(pairs), "--by-category").splitlines()
    assert lines[0] == f"3 pairs from {pairs}: 1 same, 2 different"
    assert any(line.startswith("| 0.50 |") for line in lines) and any(line.startswith("| 0.98 |") for line in lines)
    table = [line for line in lines if line.startswith("| threshold") or line.startswith("|---:") or line.startswith("| 0.")]
    # Every row of the threshold table has the header's columns, none of them empty (a "||" would be one).
    assert {len(line.split("|")) for line in table} == {11} and not any("||" in line for line in table)
    assert "| changed_number | 1 | 0 | 0 |" in lines and "| negation | 1 | 0 | 0 |" in lines
    assert lines[-1].startswith("configured: false_hit_rate=0.0000") and lines[-1].endswith("pairs=3")

    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    with pytest.raises(CommandError, match="holds no pairs"):
        run_command("cache_calibrate", "--pairs", str(empty))
