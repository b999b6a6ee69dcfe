"""The reliability and security campaign: load, faults, hostile input, isolation, in one summary table.

    .venv/bin/python benchmarks/campaign.py [--rates 0.5,1,2,4] [--senders 50] [--messages 20] [--workers 4]
        [--celery-workers 2] [--suites faults,bad-input,isolation|none] [--results-dir DIR] [--json PATH]
    (or: make campaign)

1. Load: `benchmarks/webhook_load.py` against gunicorn with a real Celery worker, one open-loop phase per rate,
   on the embedded services (or DATABASE_URL / REDIS_URL): acknowledgement and turn-completion latency, messages
   lost, duplicate replies; the knee is the first rate whose acknowledgement p95 passes 50 ms.
2. Faults, hostile input and isolation: the test files that stop and restart real servers, kill a worker
   mid-turn, fake Claude and Twilio failures, fuzz the parsers and the webhook, and try prompt injection
   (`--suites` picks some of them; `none` runs the load alone).

The load run's JSON, the servers' logs and the suites' JUnit reports go to `--results-dir` (default
benchmarks/results).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
SUITES = {
    "faults: servers, worker, Claude, Twilio": ["tests/sms/test_worker_faults.py", "tests/sms/test_outages.py",
                                                "tests/caching/test_faults.py",
                                                "tests/bots/test_turns.py::test_claude_failures_fall_back_and_still_reply",
                                                "tests/sms/test_outbound.py::test_twilio_5xx_then_success_sends_exactly_once",
                                                "tests/sms/test_outbound.py::test_twilio_21610_marks_the_contact_opted_out",
                                                "tests/sms/test_outbound.py::test_status_callbacks_only_move_forward",
                                                "tests/sms/test_webhook.py::test_a_retried_message_sid_is_one_message_and_one_turn"],
    "bad input (hypothesis and malformed webhooks)": ["tests/e2e/test_webhook_fuzz.py", "tests/sms/test_fuzz.py",
                                                      "tests/leads/test_fuzz.py",
                                                      "tests/sms/test_webhook.py::test_malformed_webhooks_get_a_clear_400",
                                                      "tests/sms/test_webhook.py::test_bad_signatures_get_403_and_nothing_is_stored"],
    "isolation, injection, security settings": ["tests/bots/test_isolation_and_injection.py",
                                                "tests/config/test_security_settings.py", "tests/config/test_settings.py"],
}
# The short names `--suites` takes.
SUITE_NAMES = dict(zip(("faults", "bad-input", "isolation"), SUITES))
KNEE_ACK_P95_MS = 50.0


def run_suite(name: str, targets: list[str], workdir: Path) -> dict:
    report = workdir / f"{re.sub(r'[^a-z]+', '-', name.lower())}.xml"
    result = subprocess.run(
        [PYTHON, "-m", "pytest", "-q", "-p", "no:logging", "--hypothesis-show-statistics", f"--junitxml={report}",
         *targets],
        cwd=PROJECT, capture_output=True, text=True, env={**os.environ, "DJANGO_ENV": "test"},
    )
    suite = ElementTree.parse(report).getroot()
    suite = suite if suite.tag == "testsuite" else suite.find("testsuite")
    examples = sum(int(n) for n in re.findall(r"(\d+) passing", result.stdout))
    return {"tests": int(suite.get("tests")), "failures": int(suite.get("failures")) + int(suite.get("errors")),
            "skipped": int(suite.get("skipped")), "examples": examples, "exit_code": result.returncode}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rates", default="0.5,1,2,4", help="messages/s per sender for the load phases")
    parser.add_argument("--senders", type=int, default=50)
    parser.add_argument("--messages", type=int, default=20, help="messages per sender and rate")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--celery-workers", type=int, default=2, help="the Celery worker's concurrency")
    parser.add_argument("--suites", default=",".join(SUITE_NAMES),
                        help=f"comma-separated suites to run after the load ({', '.join(SUITE_NAMES)}), or none")
    parser.add_argument("--results-dir", type=Path, default=PROJECT / "benchmarks" / "results",
                        help="where the load run's JSON, the servers' logs and the JUnit reports go")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    if args.celery_workers < 1:
        parser.error("--celery-workers must be at least 1 (the campaign measures turns to their replies)")
    chosen = [] if args.suites.strip() == "none" else [name.strip() for name in args.suites.split(",") if name.strip()]
    unknown = [name for name in chosen if name not in SUITE_NAMES]
    if unknown:
        parser.error(f"--suites: unknown {', '.join(unknown)} (choose from {', '.join(SUITE_NAMES)}, or none)")
    results_dir = args.results_dir.resolve()
    results_dir.mkdir(parents=True, exist_ok=True)

    print("load: webhook_load.py with a Celery worker ...", flush=True)
    load_json = results_dir / "campaign_load.json"
    load_run = subprocess.run(
        [PYTHON, "benchmarks/webhook_load.py", "--rates", args.rates, "--senders", str(args.senders), "--messages",
         str(args.messages), "--workers", str(args.workers), "--celery-workers",
         str(args.celery_workers), "--no-closed-loop", "--json", str(load_json),
         "--log-dir", str(results_dir)],
        cwd=PROJECT, capture_output=True, text=True,
    )
    if load_run.returncode != 0:
        print(load_run.stdout[-3000:], load_run.stderr[-3000:])
        raise SystemExit("the load run failed")
    print("\n".join(line for line in load_run.stdout.splitlines() if line.startswith("|")))
    load = json.loads(load_json.read_text())["phases"]

    suites = {}
    for name in (SUITE_NAMES[short] for short in chosen):
        targets = SUITES[name]
        print(f"{name} ...", flush=True)
        suites[name] = run_suite(name, targets, results_dir)

    held = [phase for phase, r in load.items() if r["ack_p95_ms"] <= KNEE_ACK_P95_MS and r["unanswered"] == 0]
    knee = next((phase for phase, r in load.items() if r["ack_p95_ms"] > KNEE_ACK_P95_MS), "not reached")
    lost = sum(r["lost"] + r["unanswered"] for r in load.values())
    duplicates = sum(r["duplicate_replies"] for r in load.values())
    print()
    print("| check | result |")
    print("|---|---|")
    print(f"| load held (ack p95 <= {KNEE_ACK_P95_MS:g} ms, every text answered) | {', '.join(held) or 'none'} |")
    print(f"| knee (first rate past {KNEE_ACK_P95_MS:g} ms ack p95) | {knee} |")
    for name, r in suites.items():
        examples = f", {r['examples']} generated inputs" if r["examples"] else ""
        print(f"| {name} | {r['tests'] - r['failures'] - r['skipped']} of {r['tests']} passed{examples} |")
    print(f"| texts sent under load | {sum(r['sent'] for r in load.values())} |")
    print(f"| replies sent under load (of replies made) | {sum(r['replies_sent'] for r in load.values())} of "
          f"{sum(r['replies'] for r in load.values())} |")
    print(f"| messages lost | {lost} |")
    print(f"| duplicate replies | {duplicates} |")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"rates_per_sender": args.rates, "senders": args.senders,
                                         "messages_per_sender": args.messages, "gunicorn_workers": args.workers,
                                         "celery_concurrency": args.celery_workers, "load": load, "suites": suites,
                                         "lost": lost, "duplicates": duplicates, "knee": knee}, indent=2))
    if lost or duplicates or any(r["failures"] for r in suites.values()):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
