"""Webhook acknowledgement latency under concurrent load, measured against the app under gunicorn.

    .venv/bin/python benchmarks/webhook_load.py [--senders 50] [--messages 20] [--rate 1] [--workers 4] [--json PATH]

Starts gunicorn on a free loopback port (the embedded services, or DATABASE_URL / REDIS_URL), then `--senders`
threads each send `--messages` correctly signed webhooks from their own number, `--rate` per second each on
average with Poisson arrivals (an open loop: latency counts from when a message was due, so a slow server's queueing is measured, not hidden), and then
the same with every sender as fast as the app answers (a closed loop: the saturation throughput). Prints
p50/p95/p99 of the time to the empty-TwiML answer and checks that every accepted message was stored once. The turns the app enqueues go to a broker database of their own, purged at the end, and the benchmark's
contacts are deleted, so a development database keeps only its own data.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import httpx
import numpy as np

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

import redis  # noqa: E402
from django.conf import settings  # noqa: E402
from twilio.request_validator import RequestValidator  # noqa: E402

from leads.models import Contact, Message  # noqa: E402

BENCH_BROKER_DB = 14
TARGET_P95_MS = 50.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_url() -> str:
    db = settings.DATABASES["default"]
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def broker_url() -> str:
    base = settings.CELERY_BROKER_URL.rsplit("/", 1)[0]
    return f"{base}/{BENCH_BROKER_DB}"


def start_gunicorn(port: int, workers: int, log_path: Path) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": database_url(), "REDIS_URL": settings.REDIS_URL,
           "CELERY_BROKER_URL": broker_url(), "PUBLIC_BASE_URL": settings.PUBLIC_BASE_URL, "LOG_LEVEL": "WARNING"}
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers), "--log-level", "warning"],
        # A file, not a pipe: nobody reads a pipe while the benchmark runs, and a full one would stall the server.
        cwd=PROJECT, env=env, stdout=subprocess.DEVNULL, stderr=open(log_path, "w"),
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return process
        except httpx.HTTPError:
            time.sleep(0.2)
    process.terminate()
    raise SystemExit(f"gunicorn did not start within 30 s; see {log_path}")


def sender(number: str, messages: int, rate: float, run_id: str, url: str, results: list,
           lock: threading.Lock) -> None:
    validator = RequestValidator(settings.TWILIO_AUTH_TOKEN)
    signed_url = f"{settings.PUBLIC_BASE_URL}/sms/inbound"
    # Poisson arrivals (seeded per number): prospects text independently, not in lock-step bursts.
    arrivals = random.Random(number)
    due = time.perf_counter()
    with httpx.Client(timeout=30) as client:
        for i in range(messages):
            due = due + arrivals.expovariate(rate) if rate > 0 else time.perf_counter()
            pause = due - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
            sid = f"SM{run_id}{number[-4:]}{i:06d}".ljust(34, "0")[:34]
            params = {"MessageSid": sid, "From": number, "To": "+15005550006",
                      "Body": f"we want a {i % 5 + 1}br under {300 + i}k"}
            headers = {"X-Twilio-Signature": validator.compute_signature(signed_url, params)}
            try:
                status = client.post(url, data=params, headers=headers).status_code
            except httpx.HTTPError:
                status = 0
            elapsed = (time.perf_counter() - due) * 1000
            with lock:
                results.append((sid, status, elapsed, i == 0))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--senders", type=int, default=50)
    parser.add_argument("--messages", type=int, default=20, help="messages per sender")
    parser.add_argument("--rate", type=float, default=1.0, help="messages per second per sender in the open loop")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    if args.senders > 100:
        raise SystemExit("--senders: at most 100 (numbers come from the fictional 555-01xx range)")
    if args.rate <= 0:
        raise SystemExit("--rate must be above 0")

    numbers = [f"+1206555{100 + n:04d}" for n in range(args.senders)]
    existing = set(Contact.objects.filter(phone__in=numbers).values_list("phone", flat=True))
    log_path = PROJECT / "benchmarks" / "results" / "webhook_load.gunicorn.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    port = free_port()
    gunicorn = start_gunicorn(port, args.workers, log_path)
    url = f"http://127.0.0.1:{port}/sms/inbound"
    run_ids = []
    reports = {}
    try:
        for phase, rate in (("open loop", args.rate), ("closed loop", 0.0)):
            run_id = uuid.uuid4().hex[:8]
            run_ids.append(run_id)
            reports[phase] = run_phase(numbers, args.messages, rate, run_id, url)
    finally:
        gunicorn.terminate()
        gunicorn.wait(timeout=30)
        # Clean up: the contacts the benchmark created (their messages cascade), its messages to contacts that
        # were already there, and the turns it queued.
        Contact.objects.filter(phone__in=set(numbers) - existing).delete()
        for run_id in run_ids:
            Message.objects.filter(twilio_sid__startswith=f"SM{run_id}").delete()
        redis.Redis.from_url(broker_url()).flushdb()

    print(f"{args.senders} senders x {args.messages} messages, gunicorn with {args.workers} sync workers, "
          f"{os.cpu_count()} cores (the load generator shares them)")
    print("| phase | offered/s | sent | accepted | stored | lost | errors | served/s | ack p50 ms | ack p95 ms | ack p99 ms |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for phase, r in reports.items():
        offered = f"{args.senders * args.rate:g}" if phase == "open loop" else "max"
        print(f"| {phase} | {offered} | {r['sent']} | {r['accepted']} | {r['stored']} | {r['lost']} | {r['errors']} "
              f"| {r['throughput_per_s']} | {r['ack_p50_ms']} | {r['ack_p95_ms']} | {r['ack_p99_ms']} |")
    open_loop = reports["open loop"]
    verdict = "met" if open_loop["ack_p95_ms"] < TARGET_P95_MS else "MISSED"
    print(f"target ack p95 < {TARGET_P95_MS:g} ms with {args.senders} concurrent senders "
          f"({args.senders * args.rate:g} messages/s offered): {verdict}; messages lost: "
          f"{sum(r['lost'] for r in reports.values())}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"senders": args.senders, "messages_per_sender": args.messages,
                                         "rate_per_sender": args.rate, "gunicorn_workers": args.workers,
                                         "cores": os.cpu_count(), "phases": reports}, indent=2))


def run_phase(numbers: list[str], messages: int, rate: float, run_id: str, url: str) -> dict:
    results: list = []
    lock = threading.Lock()
    threads = [threading.Thread(target=sender, args=(number, messages, rate, run_id, url, results, lock))
               for number in numbers]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    latencies = np.asarray([elapsed for _, _, elapsed, _ in results])
    later = np.asarray([elapsed for _, _, elapsed, first in results if not first])
    accepted = [sid for sid, status, _, _ in results if status == 200]
    stored = Message.objects.filter(twilio_sid__in=accepted).count()
    return {
        "sent": len(results), "accepted": len(accepted), "stored": stored, "lost": len(accepted) - stored,
        "errors": len(results) - len(accepted), "throughput_per_s": round(len(results) / wall, 1),
        "ack_p50_ms": round(float(np.percentile(latencies, 50)), 2),
        "ack_p95_ms": round(float(np.percentile(latencies, 95)), 2),
        "ack_p99_ms": round(float(np.percentile(latencies, 99)), 2),
        "ack_p95_ms_after_first_message": round(float(np.percentile(later, 95)), 2) if len(later) else None,
    }


if __name__ == "__main__":
    main()
