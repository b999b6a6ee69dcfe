"""Speed to lead: from a web lead's POST /leads/intake to its first text's call to the SMS provider.

    .venv/bin/python benchmarks/speed_to_lead.py [--leads 100] [--rate 2] [--workers 2] [--celery-workers 2]
        [--json PATH] [--log-dir DIR]

Starts gunicorn and a real Celery worker (offline bots, console SMS backend: the "call" is the backend's send,
after which the row's sent_at is stored) on the embedded services, then posts `--leads` signed leads with consent
at `--rate` per second on average (Poisson arrivals, an open loop: each lead's clock starts when it was due). For
each lead: the time to the 201 answer, and the time from when it was due to its first text's sent_at. Prints
p50/p95/p99 of both. The leads' numbers are chosen in an area code whose allowed hours (leads/data/
texting_policy.toml) hold now, so no first text waits for the morning (a first text deferred anyway is counted
apart, not timed). The benchmark's contacts are deleted and its broker database purged at the end.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import logging
import os
import random
import secrets
import sys
import threading
import time
from datetime import datetime
from datetime import timezone as dt_timezone
from pathlib import Path

import httpx
import numpy as np

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from benchmarks.webhook_load import (  # noqa: E402 (sets Django up)
    broker_url,
    free_port,
    start_celery_worker,
    start_gunicorn,
)

import redis  # noqa: E402

from leads.models import Contact, DeliveryStatus, Message, MessagePurpose  # noqa: E402
from leads.phones import time_zone_for_phone  # noqa: E402
from leads.quiet_hours import next_allowed_time  # noqa: E402
from leads.texting_policy import policy_for_phone  # noqa: E402

# Area codes tried in turn for one whose allowed hours hold now: New York, Chicago, Los Angeles, Honolulu, Guam.
AREA_CODES = ("212", "312", "415", "808", "671")
TARGET_P95_S = 5.0   # "texted within seconds"


def area_open_now() -> str | None:
    now = datetime.now(dt_timezone.utc)
    for area in AREA_CODES:
        phone = f"+1{area}5550100"
        probe = Contact(phone=phone, time_zone=time_zone_for_phone(phone))
        if next_allowed_time(probe, now, hours=policy_for_phone(phone).hours) is None:
            return area
    return None


def lead_body(number: str, index: int) -> bytes:
    return json.dumps({
        "source": "speed-to-lead benchmark", "type": "Property Inquiry" if index % 2 else "Seller Inquiry",
        "message": f"Looking at {index % 4 + 2} bedroom homes, around {300 + index}k",
        "person": {"firstName": "Bench", "lastName": f"Lead {index}", "phones": [{"value": number}]},
        "consent": {"text": "I agree to receive texts about homes.", "at": datetime.now(dt_timezone.utc).isoformat(),
                    "url": "https://example.com/benchmark"},
    }).encode()


def post_leads(numbers: list[str], rate: float, url: str, secret: str) -> list[tuple[str, int, float, float]]:
    """(number, status, due wall-clock time, answer latency in s) per lead; each lead from a thread of its own so
    a slow answer delays no later lead (the open loop)."""
    results, lock = [], threading.Lock()
    arrivals = random.Random(len(numbers))
    start = time.time() + 0.5
    due_times, offset = [], 0.0
    for _ in numbers:
        offset += arrivals.expovariate(rate)
        due_times.append(start + offset)

    def post(number: str, index: int, due: float):
        time.sleep(max(0.0, due - time.time()))
        body = lead_body(number, index)
        signature = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        try:
            status = httpx.post(url, content=body, timeout=30, headers={
                "Content-Type": "application/json", "X-Lead-Signature": signature}).status_code
        except httpx.HTTPError:
            status = 0
        with lock:
            results.append((number, status, due, time.time() - due))

    threads = [threading.Thread(target=post, args=(number, index, due))
               for index, (number, due) in enumerate(zip(numbers, due_times))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def wait_for_first_texts(numbers: list[str], timeout: float) -> None:
    from django.db import connection

    connection.close()
    pending = Message.objects.filter(contact__phone__in=numbers, purpose=MessagePurpose.FIRST_TEXT,
                                     status__in=(DeliveryStatus.QUEUED, DeliveryStatus.SENDING))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and pending.exists():
        time.sleep(0.2)


def wait_for_worker(timeout: float = 90.0) -> None:
    from config.celery import app

    app.conf.broker_url = broker_url()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if app.control.ping(timeout=1.0):
            return
    raise SystemExit(f"the Celery worker did not answer a ping within {timeout:g} s")


def percentiles(values: list[float]) -> dict:
    if not values:
        return {"n": 0}
    array = np.asarray(values)
    return {"n": len(values), **{f"p{q}_s": round(float(np.percentile(array, q)), 3) for q in (50, 95, 99)}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=100)
    parser.add_argument("--rate", type=float, default=2.0, help="leads per second on average")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--celery-workers", type=int, default=2, help="the Celery worker's concurrency")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--log-dir", type=Path, default=PROJECT / "benchmarks" / "results")
    args = parser.parse_args()
    if not 1 <= args.leads <= 9000 or args.rate <= 0:
        raise SystemExit("--leads: 1 to 9000; --rate: above 0")
    area = area_open_now()
    if area is None:
        raise SystemExit(f"none of the area codes {', '.join(AREA_CODES)} is inside its allowed hours now")

    from django.core.management import call_command

    logging.getLogger("httpx").setLevel(logging.WARNING)
    call_command("migrate", verbosity=0)
    numbers = [f"+1{area}555{1000 + n:04d}" for n in range(args.leads)]
    existing = set(Contact.objects.filter(phone__in=numbers).values_list("phone", flat=True))
    if existing:
        raise SystemExit(f"{len(existing)} of the benchmark's numbers are contacts already (e.g. {min(existing)}); "
                         "it only measures new leads")
    os.environ["LEAD_INTAKE_SECRET"] = secret = secrets.token_hex(16)  # for the servers it starts
    args.log_dir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    gunicorn = start_gunicorn(port, args.workers, args.log_dir / "speed_to_lead.gunicorn.log")
    worker = start_celery_worker(args.celery_workers, args.log_dir / "speed_to_lead.worker.log")
    try:
        wait_for_worker()  # the worker's boot (it imports the SDKs) is not part of a lead's wait
        results = post_leads(numbers, args.rate, f"http://127.0.0.1:{port}/leads/intake", secret)
        wait_for_first_texts(numbers, timeout=120)
        due = {number: due_at for number, _status, due_at, _latency in results}
        texts = list(Message.objects.filter(contact__phone__in=numbers, purpose=MessagePurpose.FIRST_TEXT)
                     .values_list("contact__phone", "status", "sent_at"))
        to_call = [sent_at.timestamp() - due[phone] for phone, _status, sent_at in texts if sent_at is not None]
        report = {
            "leads": args.leads, "rate_per_s": args.rate, "area_code": area, "gunicorn_workers": args.workers,
            "celery_concurrency": args.celery_workers, "cores": os.cpu_count(),
            "accepted": sum(status == 201 for _n, status, _d, _l in results),
            "errors": sum(status != 201 for _n, status, _d, _l in results),
            "first_texts": len(texts), "sent": len(to_call),
            "deferred": sum(status == DeliveryStatus.DEFERRED for _p, status, _s in texts),
            "answer": percentiles([latency for _n, status, _d, latency in results if status == 201]),
            "request_to_call": percentiles(to_call),
        }
    finally:
        gunicorn.terminate()
        worker.terminate()
        gunicorn.wait(timeout=30)
        worker.wait(timeout=60)
        Contact.objects.filter(phone__in=numbers).delete()
        redis.Redis.from_url(broker_url()).flushdb()

    print(f"{args.leads} web leads at {args.rate:g}/s (area code {area}), gunicorn with {args.workers} sync workers, "
          f"a Celery worker of concurrency {args.celery_workers}, {os.cpu_count()} cores (the load generator shares "
          "them)")
    print("| leads | accepted | errors | first texts sent | deferred | 201 p50 s | 201 p95 s | request -> call p50 s "
          "| p95 s | p99 s |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    answer, call = report["answer"], report["request_to_call"]
    print(f"| {args.leads} | {report['accepted']} | {report['errors']} | {report['sent']} | {report['deferred']} "
          f"| {answer.get('p50_s', '-')} | {answer.get('p95_s', '-')} | {call.get('p50_s', '-')} "
          f"| {call.get('p95_s', '-')} | {call.get('p99_s', '-')} |")
    if call["n"]:
        verdict = "met" if call["p95_s"] < TARGET_P95_S else "MISSED"
        print(f"target request -> call p95 < {TARGET_P95_S:g} s: {verdict}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
