"""Webhook acknowledgement latency under concurrent load, measured against the app under gunicorn.

    .venv/bin/python benchmarks/webhook_load.py [--senders 50] [--messages 20] [--rates 1,2,4] [--workers 4]
        [--celery-workers 2] [--no-closed-loop] [--json PATH] [--log-dir DIR]

Starts gunicorn on a free loopback port (the embedded services, or DATABASE_URL / REDIS_URL), then `--senders`
threads each send `--messages` correctly signed webhooks from their own number, at each of `--rates` per second on
average with Poisson arrivals (an open loop: latency counts from when a message was due, so a slow server's queueing is measured, not hidden), and then
the same with every sender as fast as the app answers (a closed loop: the saturation throughput). Prints
p50/p95/p99 of the time to the empty-TwiML answer and checks that every accepted message was stored once. The turns the app enqueues go to a broker database of their own, purged at the end, and the benchmark's
contacts are deleted (after each phase, so every phase starts from new prospects), so a development database
keeps only its own data. The servers' logs go to `--log-dir` (default benchmarks/results).
"""

from __future__ import annotations

import argparse
import json
import logging
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
    parser.add_argument("--messages", type=int, default=20, help="messages per sender and phase")
    parser.add_argument("--rates", default="1", help="comma-separated messages/s per sender, one open-loop phase each")
    parser.add_argument("--no-closed-loop", action="store_true", help="skip the as-fast-as-possible phase")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--celery-workers", type=int, default=0,
                        help="also run a Celery worker with this concurrency and measure turns to completion")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--log-dir", type=Path, default=PROJECT / "benchmarks" / "results",
                        help="where gunicorn's and the worker's logs go")
    args = parser.parse_args()
    if args.senders < 1 or args.messages < 1:
        raise SystemExit("--senders and --messages must be at least 1")
    if args.senders > 100:
        raise SystemExit("--senders: at most 100 (numbers come from the fictional 555-01xx range)")
    try:
        rates = [float(rate) for rate in args.rates.split(",")]
    except ValueError:
        raise SystemExit(f"--rates: not a list of numbers: {args.rates!r}")
    if any(rate <= 0 for rate in rates):
        raise SystemExit("--rates must be above 0")

    from django.core.management import call_command

    logging.getLogger("httpx").setLevel(logging.WARNING)  # one INFO line per request would bury the table
    call_command("migrate", verbosity=0)  # the app it starts must find its tables
    from config.celery import app

    app.conf.broker_url = broker_url()  # turns of texts this process drains from the spool go to the bench broker
    numbers = [f"+1206555{100 + n:04d}" for n in range(args.senders)]
    existing = set(Contact.objects.filter(phone__in=numbers).values_list("phone", flat=True))
    log_dir = args.log_dir
    log_dir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    gunicorn = start_gunicorn(port, args.workers, log_dir / "webhook_load.gunicorn.log")
    worker = start_celery_worker(args.celery_workers, log_dir / "webhook_load.worker.log") if args.celery_workers else None
    url = f"http://127.0.0.1:{port}/sms/inbound"
    run_ids = []
    reports = {}
    phases = [(f"open loop {rate * args.senders:g}/s", rate) for rate in rates]
    if not args.no_closed_loop:
        phases.append(("closed loop", 0.0))
    try:
        for phase, rate in phases:
            run_id = uuid.uuid4().hex[:8]
            run_ids.append(run_id)
            reports[phase] = run_phase(numbers, args.messages, rate, run_id, url)
            if worker is not None:
                reports[phase].update(wait_for_turns(run_id))
            # Every phase starts from new prospects: the same numbers in a later phase would find their
            # conversations handed to an agent (the bot pauses), and their texts would get turns but no replies.
            Contact.objects.filter(phone__in=set(numbers) - existing).delete()
    finally:
        gunicorn.terminate()
        gunicorn.wait(timeout=30)
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=60)
        # Clean up: the contacts the benchmark created (their messages cascade), its messages to contacts that
        # were already there, and the turns it queued.
        Contact.objects.filter(phone__in=set(numbers) - existing).delete()
        for run_id in run_ids:
            Message.objects.filter(twilio_sid__startswith=f"SM{run_id}").delete()
        redis.Redis.from_url(broker_url()).flushdb()

    print(f"{args.senders} senders x {args.messages} messages per phase, gunicorn with {args.workers} sync workers, "
          f"{'a Celery worker of concurrency ' + str(args.celery_workers) if worker else 'no Celery worker'}, "
          f"{os.cpu_count()} cores (the load generator shares them)")
    print("| phase | sent | accepted | stored | lost | errors | served/s | ack p50 ms | ack p95 ms | ack p99 ms |"
          + (" answered | replies sent | duplicate replies | turn p50 s | turn p95 s |" if worker else ""))
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|" + ("---:|---:|---:|---:|---:|" if worker else ""))
    for phase, r in reports.items():
        line = (f"| {phase} | {r['sent']} | {r['accepted']} | {r['stored']} | {r['lost']} | {r['errors']} "
                f"| {r['throughput_per_s']} | {r['ack_p50_ms']} | {r['ack_p95_ms']} | {r['ack_p99_ms']} |")
        if worker:
            line += (f" {r['answered']} | {r['replies_sent']} / {r['replies']} | {r['duplicate_replies']} "
                     f"| {r['turn_p50_s']} | {r['turn_p95_s']} |")
        print(line)
    first = reports[phases[0][0]]
    verdict = "met" if first["ack_p95_ms"] < TARGET_P95_MS else "MISSED"
    print(f"target ack p95 < {TARGET_P95_MS:g} ms with {args.senders} concurrent senders ({phases[0][0]}): {verdict}; "
          f"messages lost: {sum(r['lost'] for r in reports.values())}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"senders": args.senders, "messages_per_sender": args.messages,
                                         "rates_per_sender": rates, "gunicorn_workers": args.workers,
                                         "celery_concurrency": args.celery_workers, "cores": os.cpu_count(),
                                         "phases": reports}, indent=2))


def start_celery_worker(concurrency: int, log_path: Path) -> subprocess.Popen:
    """A real worker on the benchmark's broker: offline bots (no API key) and console SMS, any hour."""
    env = {**os.environ, "DATABASE_URL": database_url(), "REDIS_URL": settings.REDIS_URL,
           "CELERY_BROKER_URL": broker_url(), "ANTHROPIC_API_KEY": "", "SMS_BACKEND": "console",
           "SMS_SEND_FROM_HOUR": "0", "SMS_SEND_UNTIL_HOUR": "24", "LOG_LEVEL": "WARNING"}
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", f"--concurrency={concurrency}",
         "--loglevel=WARNING", "--without-heartbeat", "--without-mingle", "--without-gossip"],
        cwd=PROJECT, env=env, stdout=subprocess.DEVNULL, stderr=open(log_path, "w"),
    )


def wait_for_turns(run_id: str, timeout: float = 300.0) -> dict:
    """Wait until every stored inbound message of the phase is handled and every reply it produced has left (a
    reply is sent by a task of its own, queued behind the turns still waiting), then measure its turns."""
    from django.db import connection
    from django.db.models import Count

    from leads.models import DeliveryStatus

    connection.close()  # the main thread's connection sat idle while the senders ran; start a fresh one
    inbound = Message.objects.filter(twilio_sid__startswith=f"SM{run_id}")
    replies = Message.objects.filter(reply_to__in=inbound)
    pending = replies.filter(status__in=(DeliveryStatus.QUEUED, DeliveryStatus.SENDING))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and inbound.filter(handled_at__isnull=True).exists():
        time.sleep(0.5)
    while time.monotonic() < deadline and pending.exists():
        time.sleep(0.2)
    answered = inbound.filter(handled_at__isnull=False).count()
    duplicates = replies.values("reply_to").annotate(n=Count("id")).filter(n__gt=1).count()
    durations = [(sent - received).total_seconds() for received, sent in
                 replies.filter(sent_at__isnull=False).values_list("reply_to__created_at", "sent_at")]
    durations = np.asarray(durations) if durations else np.zeros(1)
    return {"answered": answered, "unanswered": inbound.count() - answered, "replies": replies.count(),
            "replies_sent": replies.exclude(sent_at=None).count(), "replies_pending": pending.count(),
            "replies_by_status": dict(replies.values_list("status").annotate(n=Count("id")).order_by("status")),
            "duplicate_replies": duplicates,
            "turn_p50_s": round(float(np.percentile(durations, 50)), 2),
            "turn_p95_s": round(float(np.percentile(durations, 95)), 2)}


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
    # What a database error made the app spool is stored by the beat task in production; do it now, as it would.
    from sms.spool import drain_spool, spooled_count

    spooled = spooled_count()
    drain_spool()
    latencies = np.asarray([elapsed for _, _, elapsed, _ in results])
    later = np.asarray([elapsed for _, _, elapsed, first in results if not first])
    accepted = [sid for sid, status, _, _ in results if status == 200]
    stored = Message.objects.filter(twilio_sid__in=accepted).count()
    return {
        "sent": len(results), "accepted": len(accepted), "spooled": spooled, "stored": stored,
        "lost": len(accepted) - stored,
        "errors": len(results) - len(accepted), "throughput_per_s": round(len(results) / wall, 1),
        "ack_p50_ms": round(float(np.percentile(latencies, 50)), 2),
        "ack_p95_ms": round(float(np.percentile(latencies, 95)), 2),
        "ack_p99_ms": round(float(np.percentile(latencies, 99)), 2),
        "ack_p95_ms_after_first_message": round(float(np.percentile(later, 95)), 2) if len(later) else None,
    }


if __name__ == "__main__":
    main()
