"""Every benchmark still runs on the current code: each one as a subprocess at a tiny size, on the test database
(its `_bench` sibling where the benchmark uses one) and the test Redis, writing its JSON to a temporary folder.

These are not timed tests: they check that a benchmark exits 0 and that its JSON counts what it was asked to run,
never how fast it ran. (The figures themselves come from the README's default-size runs.)"""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

PROJECT = Path(__file__).resolve().parents[2]
# The django_db mark makes pytest-django create the test database before a benchmark is pointed at it:
# `project_env` reads its name from the settings that set-up rewrites (without the mark they still name the
# development database, and the benchmarks would run on it and its `_bench` sibling).
pytestmark = [pytest.mark.slow, pytest.mark.django_db]


def run_benchmark(env, script, *args, timeout=120):
    result = subprocess.run([sys.executable, f"benchmarks/{script}", *map(str, args)], cwd=PROJECT, env=env,
                            capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, (f"{script} exited {result.returncode}:\n{result.stdout[-2000:]}\n"
                                    f"{result.stderr[-3000:]}")
    return result


def read_json(path):
    assert path.exists(), f"{path.name} was not written"
    return json.loads(path.read_text())


def assert_percentiles(row, n):
    assert row["n"] == n
    assert 0 < row["p50_ms"] <= row["p95_ms"] <= row["p99_ms"]


def test_cache_latency(project_env, tmp_path):
    assert project_env["DATABASE_URL"].endswith(f"/{settings.DATABASES['default']['NAME']}")
    assert settings.DATABASES["default"]["NAME"].startswith("test_")  # never the development database
    rows, scopes, lookups = 400, 8, 40
    out = tmp_path / "x.json"
    result = run_benchmark(project_env, "cache_latency.py", "--rows", rows, "--scopes", scopes, "--lookups", lookups,
                           "--json", out)
    report = read_json(out)
    assert (report["rows"], report["scopes"], report["lookups"]) == (rows, scopes, lookups)
    assert report["seeding"]["rows"] == rows
    tiers = report["tiers"]
    assert_percentiles(tiers["L1"], 5 * lookups)
    assert_percentiles(tiers["L1 (bare LRU read)"], 5 * lookups)
    for name in ("L2", "Redis GET (reference)", "L3 contact (guarded)", "L3 shared (guarded)",
                 "L3 shared, no guard (HNSW)", "embedding only"):
        assert_percentiles(tiers[name], lookups)
    # Without the guard every shared look-up finds its nearest row; with it, only rows of the same meaning.
    found = report["l3_found"]
    assert found["shared, no guard"] == lookups
    assert 0 <= found["contact"] <= found["shared"] <= lookups
    assert "EXPLAIN ANALYZE, shared look-up without the guard:" in result.stdout


def test_memory_performance(project_env, tmp_path):
    contacts, configs = 2, ["no-cache", "L1+L2+L3", "L1+L2+L3-noguard"]
    out = tmp_path / "x.json"
    result = run_benchmark(project_env, "memory_performance.py", "--contacts", contacts, "--configs", ",".join(configs),
                           "--json", out)
    report = read_json(out)
    assert report["parameters"]["contacts"] == contacts
    assert list(report["configurations"]) == configs
    for name, r in report["configurations"].items():
        assert r["contacts"] == contacts
        assert r["turns"] >= contacts, name  # every prospect is answered at least once
        # Four calls per turn (the reply being a response or a state reply), each looked up in the cache unless the
        # turn did not need it (a short conversation's memory).
        assert r["lookups"] + sum(r["llm_calls_avoided"].values()) == 4 * r["turns"], name
        assert r["hit_rate"] == pytest.approx(sum(r["hit_rate_by_tier"].values())), name
        assert r["false_hits"] <= r["hit_rate"] * r["lookups"] + 1e-9, name
        assert r["monthly_cost_usd"] > 0 and r["cost_per_lead_usd"] > 0, name
    no_cache = report["configurations"]["no-cache"]
    assert no_cache["hit_rate"] == 0
    assert all(no_cache["llm_calls"][kind] + no_cache["llm_calls_avoided"][kind] == no_cache["turns"]
               for kind in ("intent", "facts", "memory"))
    # One reply a turn: a personal response or its dialogue state's template (the simulator's are never refused).
    assert no_cache["llm_calls"]["response"] + no_cache["llm_calls"]["state_reply"] == no_cache["turns"]
    assert no_cache["llm_calls_avoided"]["memory"] > 0  # every prospect's first turns fit in the recent window
    assert report["configurations"]["L1+L2+L3"]["false_hits"] == 0
    assert "| configuration |" in result.stdout


def test_readings(project_env, tmp_path):
    out = tmp_path / "r.json"
    result = run_benchmark(project_env, "readings.py", "--json", out)
    report = read_json(out)
    assert [(s["half"], s["texts"]) for s in report] == [("tuning", 110), ("blind", 110), ("areas2_tuning", 50),
                                                          ("areas2_blind", 50)]
    for summary in report:
        assert 0 < summary["fields_right"] <= summary["fields"]
    assert "| set | texts | fields right |" in result.stdout


def test_conversations(project_env, tmp_path):
    limit = 2
    out = tmp_path / "x.json"
    run_benchmark(project_env, "conversations.py", "--limit", limit, "--json", out)
    report = read_json(out)
    assert report["limit"] == limit
    assert [s["half"] for s in report["corpus"]] == ["tuned", "extra", "extra3", "blind", "blind5", "blind6"]  # the default: all
    for summary in report["corpus"]:
        assert summary["conversations"] == limit
        assert 0 < summary["fields_right"] <= summary["fields"]
        assert summary["field_accuracy"] == pytest.approx(summary["fields_right"] / summary["fields"])
        assert summary["replies"] > 0
        assert summary["wrong_language_replies"] <= summary["replies"]
        assert summary["reasked"] == summary["reasked_known"] + summary["reasked_unread"]
        assert 0 <= summary["held_texts"] <= summary["texts"]
    for attacks in report["injection"]:
        assert attacks["attacks"] == limit
        assert 0 <= attacks["held"] <= attacks["attacks"]
        # An attack that did not hold moved something or leaked the prompt.
        assert attacks["moved_something"] + attacks["leaked"] >= attacks["attacks"] - attacks["held"]


def test_webhook_load(project_env, tmp_path):
    senders, messages, rates = 2, 3, [4.0, 8.0]
    out = tmp_path / "x.json"
    run_benchmark(project_env, "webhook_load.py", "--senders", senders, "--messages", messages, "--rates",
                  ",".join(map(str, rates)), "--workers", 1, "--no-closed-loop", "--json", out, "--log-dir", tmp_path)
    report = read_json(out)
    assert (report["senders"], report["messages_per_sender"], report["rates_per_sender"]) == (senders, messages, rates)
    assert list(report["phases"]) == [f"open loop {rate * senders:g}/s" for rate in rates]
    for phase in report["phases"].values():
        assert phase["sent"] == phase["accepted"] == phase["stored"] == senders * messages
        assert (phase["lost"], phase["errors"]) == (0, 0)
        assert 0 < phase["ack_p50_ms"] <= phase["ack_p95_ms"] <= phase["ack_p99_ms"]
    assert (tmp_path / "webhook_load.gunicorn.log").exists()


def test_campaign_load_alone(project_env, tmp_path):
    # The fault, fuzz and isolation suites are test files of this suite (run by `make test` itself); nested in a
    # test run they would share its test database, so the smoke run measures the load alone.
    senders, messages = 2, 2
    out = tmp_path / "x.json"
    result = run_benchmark(project_env, "campaign.py", "--rates", "4,8", "--senders", senders, "--messages", messages,
                           "--workers", 1, "--celery-workers", 1, "--suites", "none", "--results-dir", tmp_path,
                           "--json", out, timeout=180)
    report = read_json(out)
    assert (report["senders"], report["messages_per_sender"]) == (senders, messages)
    assert list(report["load"]) == [f"open loop {4 * senders:g}/s", f"open loop {8 * senders:g}/s"]
    for phase in report["load"].values():
        assert phase["sent"] == phase["stored"] == phase["answered"] == senders * messages
        assert (phase["unanswered"], phase["duplicate_replies"]) == (0, 0)
        assert phase["replies_sent"] == phase["replies"] == senders * messages  # one reply per text, each sent
        assert phase["replies_pending"] == 0
    assert (report["lost"], report["duplicates"], report["suites"]) == (0, 0, {})
    assert (tmp_path / "campaign_load.json").exists()
    assert "| messages lost | 0 |" in result.stdout


def test_workload(project_env, tmp_path):
    contacts = 5
    out = tmp_path / "x.json"
    run_benchmark(project_env, "workload.py", "--contacts", contacts, "--seed", 3, "--json", out)
    report = read_json(out)
    assert (report["contacts"], report["seed"]) == (contacts, 3)
    assert report["buyers"] + report["sellers"] == contacts
    assert report["texts"] >= 3 * contacts  # a greeting, buy or sell, and a name at least
    assert report["texts"] == sum(report["intents"].values())
    assert report["repeated_texts"] == report["texts"] - report["distinct_text_question_pairs"]
    assert report["meaning_collisions"] <= report["repeated_texts"]


def test_the_campaigns_suites_name_tests_that_exist():
    # The campaign runs its suites by path; a moved or renamed test would make pytest exit before any report.
    from benchmarks.campaign import SUITES

    for targets in SUITES.values():
        for target in targets:
            path, _, name = target.partition("::")
            assert (PROJECT / path).is_file(), target
            assert not name or f"def {name}(" in (PROJECT / path).read_text(), target


def assert_sensitivity_rows(report, shares, contacts):
    assert [row["unique_share"] for row in report["shares"]] == shares
    for row in report["shares"]:
        assert row["contacts"] == contacts and row["turns"] >= contacts
        assert 0 <= row["qualified_leads"] <= contacts
        assert 0 < row["never_sent_share"] <= 1
        kinds = row["kinds"]
        for kind, k in kinds.items():
            assert k["hits"] + k["calls"] == k["lookups"] and k["false_hits"] <= k["hits"], kind
            if kind not in ("response", "state_reply"):
                # Every turn makes each call, serves it from the cache, or does not need it.
                assert k["lookups"] + k["avoided"] == row["turns"], kind
        # The reply is one of two kinds (both when a state's template is refused and a personal reply is written).
        assert kinds["response"]["lookups"] + kinds["state_reply"]["lookups"] >= row["turns"]
        m = row["monthly_usd"]
        assert m["no cache, no prompt caching"] > m["prompt caching only"] > m["everything on"] > 0
        overall = row["overall"]
        assert overall["lookups"] == sum(k["lookups"] for k in kinds.values())
        assert overall["hits"] == sum(k["hits"] for k in kinds.values())
        assert overall["hit_rate"] == pytest.approx(overall["hits"] / overall["lookups"])
        assert 0 < overall["lookup_p50_ms"] <= overall["lookup_p95_ms"]
        assert 0 < overall["turn_p50_ms"] <= overall["turn_p95_ms"]
        assert overall["cost_reduction_vs_no_cache_no_prompt_caching"] == pytest.approx(
            1 - m["everything on"] / m["no cache, no prompt caching"])
        assert 0 <= overall["memory_calls_held_back_then_made"] <= kinds["memory"]["calls"]
        assert row["reply"]["lookups"] == row["turns"]  # one reply a turn
        targets = {check["metric"]: check for check in row["targets"]}
        assert targets["overall hit rate"]["measured"] == overall["hit_rate"]
        assert all(check["met"] == (check["missed_by"] == 0) for check in row["targets"])
    assert "Scale:" in report["scale"]


def test_memory_performance_sensitivity(project_env, tmp_path):
    contacts, shares = 3, [0.0, 0.4]
    out = tmp_path / "x.json"
    result = run_benchmark(project_env, "memory_performance.py", "--sensitivity", ",".join(map(str, shares)),
                           "--contacts", contacts, "--days", 1, "--no-peer", "--json", out)
    report = read_json(out)
    assert report["parameters"]["days"] == 1
    assert_sensitivity_rows(report, shares, contacts)
    assert all("peer" not in row for row in report["shares"])
    assert "| unique share |" in result.stdout and "GPTCache" not in result.stdout
    assert "| unique share | look-ups (all calls) | overall hit rate |" in result.stdout
    assert "At 40% unique texts:" in result.stdout and "| metric | target | measured | missed by |" in result.stdout
    assert [check["metric"] for check in report["shares"][1]["targets"]] == [
        "overall hit rate", "false-hit rate", "cost reduction vs no cache, no prompt caching", "look-up p95 ms"]


def test_memory_performance_sensitivity_against_gptcache(project_env, tmp_path):
    pytest.importorskip("gptcache", reason="the peer is installed by `make bench-peer`, not by `make install`")
    contacts, shares = 3, [0.5]
    out = tmp_path / "x.json"
    result = run_benchmark(project_env, "memory_performance.py", "--sensitivity", "0.5", "--contacts", contacts,
                           "--days", 1, "--json", out)
    report = read_json(out)
    assert_sensitivity_rows(report, shares, contacts)
    row = report["shares"][0]
    for kind, peer in row["peer"]["kinds"].items():
        ours = row["reply"] if kind == "reply" else row["kinds"][kind]
        assert peer["lookups"] == ours["lookups"], kind  # the same look-ups, in the shadow
        assert peer["false_hits"] <= peer["hits"] <= peer["lookups"], kind
    peer_overall = row["peer"]["overall"]
    assert peer_overall["lookups"] == sum(p["lookups"] for p in row["peer"]["kinds"].values())
    assert 0 < peer_overall["lookup_p50_ms"] <= peer_overall["lookup_p95_ms"]
    assert "GPTCache" in result.stdout


def test_speed_to_lead(project_env, tmp_path):
    leads = 3
    out = tmp_path / "x.json"
    result = run_benchmark(project_env, "speed_to_lead.py", "--leads", leads, "--rate", 4, "--workers", 1,
                           "--celery-workers", 1, "--json", out, "--log-dir", tmp_path, timeout=180)
    report = read_json(out)
    assert (report["leads"], report["accepted"], report["errors"], report["first_texts"]) == (leads, leads, 0, leads)
    assert report["sent"] + report["deferred"] == leads
    assert report["answer"]["n"] == leads and report["request_to_call"]["n"] == report["sent"]
    assert "request -> call p50 s" in result.stdout
