"""Micro-benchmark: look-up latency per cache tier on this machine, p50/p95/p99.

    .venv/bin/python benchmarks/cache_latency.py [--rows 100000] [--scopes 1000] [--lookups 2000] [--json PATH]

L1 and L2 are timed through `get_or_compute` on hits (key hashing and bookkeeping included), L2 with a cache
whose exact-key tiers are Redis alone, and L1 also as the bare LRU read. L3 is timed through the semantic tier's
`nearest` (the production query) with the query text embedded each time (WordLlama), on a table of `--rows`
real-embedding rows: per-contact kinds in `--scopes` scopes and a shared kind, both with the guard (the fingerprint
equality makes the btree index the planner's choice: an exact scan of a few rows), and the shared kind without the
guard (the HNSW index with pgvector's iterative scan). The L3 rows live in a separate database (`<name>_bench_l3`)
on the same server, kept between runs (the other benchmarks empty `<name>_bench` each time); `--reseed` rebuilds
it. EXPLAIN ANALYZE of the three L3 queries (the same ORM query the tier runs) is printed, so the plans are visible.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
import time
import uuid
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

import psycopg  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402
from pgvector.django import CosineDistance  # noqa: E402

from caching import embeddings  # noqa: E402
from caching.guard import context_hash, fingerprint_hash  # noqa: E402
from caching.keys import Scope  # noqa: E402
from caching.models import SemanticCacheEntry  # noqa: E402
from caching.policy import CallKind  # noqa: E402
from caching.services import LLMCache, with_options  # noqa: E402
from caching.tiers import SemanticKey  # noqa: E402

TARGETS_MS = {"L1": 0.05, "L2": 1.0, "L3 contact (guarded)": 10.0, "L3 shared (guarded)": 10.0,
              "L3 shared, no guard (HNSW)": 10.0}
BENCH_MODEL = "bench-model"

AREAS = ["78704", "78745", "hyde park", "cedar park", "round rock", "east austin", "westlake", "mueller", "zilker"]
TYPES = ["condo", "townhouse", "house", "duplex", "single family home", "3br", "2 bed 2 bath"]
PHRASES = [
    "we want to buy a {t} in {a} under ${p}k", "looking to sell my {t} in {a}, hoping for {p}k",
    "pre approved for {p}k, want a {t} near {a}", "can you send listings in {a} around ${p}k",
    "thinking of selling in {m} months, {t} in {a}", "need a {t} in {a} within {m} months, budget {p}k",
]


def percentiles(samples_ms: list[float]) -> dict:
    values = np.asarray(samples_ms)
    return {"n": len(values), "p50_ms": float(np.percentile(values, 50)), "p95_ms": float(np.percentile(values, 95)),
            "p99_ms": float(np.percentile(values, 99))}


def timed(fn, repeats: int) -> list[float]:
    samples = []
    for i in range(repeats):
        started = time.perf_counter()
        fn(i)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def sms_text(rng: random.Random) -> str:
    return rng.choice(PHRASES).format(t=rng.choice(TYPES), a=rng.choice(AREAS), p=rng.randrange(200, 1500, 5),
                                      m=rng.randrange(1, 24))


def use_bench_database(suffix: str = "_bench") -> str:
    """Point Django at `<name><suffix>` on the same server, creating and migrating it if needed."""
    db = connection.settings_dict
    bench_name = f"{db['NAME']}{suffix}"
    params = {"host": db["HOST"], "port": db["PORT"], "user": db["USER"], "password": db["PASSWORD"] or None,
              "dbname": db["NAME"], "autocommit": True}
    with psycopg.connect(**params) as admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [bench_name]).fetchone():
            admin.execute(f'CREATE DATABASE "{bench_name}"')
    connection.close()
    connection.settings_dict["NAME"] = bench_name
    call_command("migrate", verbosity=0)
    return bench_name


def use_bench_broker(redis_db: int) -> None:
    """Send the tasks the replayed turns queue (their replies' sends) to a Redis database of the benchmark's own,
    which its reset empties: on the app's broker a worker of `make run` would look for the benchmark's messages in
    the app's database."""
    from config.celery import app

    app.conf.broker_url = settings.CELERY_BROKER_URL.rsplit("/", 1)[0] + f"/{redis_db}"


def seed_l3(rows: int, scopes: int, reseed: bool, rng: random.Random) -> dict:
    """Fill the bench database's semantic table with `rows` embedded texts: half per-contact, half shared."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM caching_semanticcacheentry WHERE model = %s", [BENCH_MODEL])
        existing = cursor.fetchone()[0]
    if existing == rows and not reseed:
        return {"seeded": False, "rows": rows}
    from pgvector.psycopg import register_vector

    started = time.perf_counter()
    texts = [sms_text(rng) for _ in range(rows)]
    vectors = embeddings.get_backend().embed(texts)
    embed_seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM caching_semanticcacheentry")
        cursor.execute("DROP INDEX IF EXISTS semcache_embedding_hnsw")
    raw = connection.connection
    register_vector(raw)
    copy_started = time.perf_counter()
    columns = ("kind, scope, version, model, prompt_version, context_hash, fingerprint, text, embedding, value, cost_usd, "
               "tokens, hit_count, created_at, expires_at")
    with raw.cursor() as cursor:
        with cursor.copy(f"COPY caching_semanticcacheentry ({columns}) FROM STDIN") as copy:
            for i, (text, vector) in enumerate(zip(texts, vectors)):
                contact_scoped = i % 2 == 0
                kind = CallKind.RESPONSE.value if contact_scoped else CallKind.INTENT.value
                scope = f"contact:{i % scopes}" if contact_scoped else "global"
                copy.write_row((kind, scope, "0.1", BENCH_MODEL, "1", context_hash(""), fingerprint_hash(text), text,
                                vector, json.dumps({"i": i}), 0, 0, 0, "2026-01-01", "2100-01-01"))
    raw.commit()
    copy_seconds = time.perf_counter() - copy_started
    index_started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '512MB'")
        cursor.execute("CREATE INDEX semcache_embedding_hnsw ON caching_semanticcacheentry "
                       "USING hnsw (embedding vector_cosine_ops) WITH (m = 16, ef_construction = 64)")
        cursor.execute("ANALYZE caching_semanticcacheentry")
    return {"seeded": True, "rows": rows, "embed_seconds": round(embed_seconds, 2), "copy_seconds": round(copy_seconds, 2),
            "hnsw_build_seconds": round(time.perf_counter() - index_started, 2)}


def semantic_key(kind: str, scope: str, text: str) -> SemanticKey:
    """The L3 key of a look-up in the seeded table (the rows carry these versions, this model, no question)."""
    return SemanticKey(kind=kind, scope=scope, version="0.1", model=BENCH_MODEL, prompt_version="1",
                       context_hash=context_hash(""), fingerprint=fingerprint_hash(text))


def explain(key: SemanticKey, text: str, guarded: bool = True) -> str:
    """EXPLAIN ANALYZE of the query `SemanticTier.nearest` runs (the same ORM query, the same SET LOCAL)."""
    vector = embeddings.embed_one(embeddings.semantic_text(text))
    query = (SemanticCacheEntry.objects.filter(**key.filters(guarded=guarded), expires_at__gt=timezone.now())
             .annotate(distance=CosineDistance("embedding", vector)).order_by("distance")
             .values_list("id", "value", "cost_usd", "tokens", "expires_at", "distance")[:1])
    sql, params = query.query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL hnsw.iterative_scan = relaxed_order; SET LOCAL hnsw.ef_search = 40")
        cursor.execute(f"EXPLAIN (ANALYZE, COSTS OFF, SUMMARY ON) {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    return re.sub(r"'\[[-0-9.,e]+\]'(::vector)?", "'[query vector]'", plan)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--scopes", type=int, default=1_000)
    parser.add_argument("--lookups", type=int, default=2_000)
    parser.add_argument("--reseed", action="store_true")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    rng = random.Random(args.seed)

    cache = LLMCache()
    cache.metrics.flush = lambda: None  # the benchmark's own look-ups stay out of the production metrics
    results = {}
    keys = [[f"bench-{uuid.uuid4().hex}", i] for i in range(200)]
    for parts in keys:
        cache.get_or_compute(CallKind.INTENT, Scope.shared(), parts, lambda: {"median": 500000})
    results["L1"] = timed(lambda i: cache.get_or_compute(CallKind.INTENT, Scope.shared(), keys[i % len(keys)], dict),
                          args.lookups * 5)
    bare_key = cache.get_or_compute(CallKind.INTENT, Scope.shared(), keys[0], dict).key
    results["L1 (bare LRU read)"] = timed(lambda i: cache.local.get(bare_key), args.lookups * 5)
    redis_only = with_options(l1=False, l3=False)  # a cache whose only exact-key tier is Redis: every hit is an L2 hit
    redis_only.metrics.flush = lambda: None
    results["L2"] = timed(lambda i: redis_only.get_or_compute(CallKind.INTENT, Scope.shared(), keys[i % len(keys)], dict),
                          args.lookups)
    assert redis_only.get_or_compute(CallKind.INTENT, Scope.shared(), keys[0], dict).tier == "L2"
    redis_client = redis_only.redis.client
    results["Redis GET (reference)"] = timed(lambda i: redis_client.get("llm-bench-missing"), args.lookups)

    bench_db = use_bench_database("_bench_l3")
    print(f"seeding L3 in database {bench_db} ...", flush=True)
    seeding = seed_l3(args.rows, args.scopes, args.reseed, rng)
    print(f"L3 table: {seeding}", flush=True)
    tier = cache.semantic
    # The look-ups draw from their own generator: the same queries whether or not this run seeded the table.
    rng = random.Random(args.seed + 1)
    queries = [sms_text(rng) for _ in range(args.lookups)]
    found = {"contact": 0, "shared": 0, "shared, no guard": 0}

    def l3_lookup(i, contact_scoped, guarded=True, counter=None):
        text = queries[i]
        vector = embeddings.embed_one(embeddings.semantic_text(text))  # embedded each time: part of the cost
        key = semantic_key(CallKind.RESPONSE.value if contact_scoped else CallKind.INTENT.value,
                           f"contact:{rng.randrange(args.scopes)}" if contact_scoped else "global", text)
        match = tier.nearest(key, vector, time.time(), guarded=guarded)
        if counter is not None and match is not None:
            found[counter] += 1

    timed(lambda i: l3_lookup(i % min(50, args.lookups), True), 50)  # warm the connection and caches
    results["L3 contact (guarded)"] = timed(lambda i: l3_lookup(i, True, counter="contact"), args.lookups)
    results["L3 shared (guarded)"] = timed(lambda i: l3_lookup(i, False, counter="shared"), args.lookups)
    results["L3 shared, no guard (HNSW)"] = timed(lambda i: l3_lookup(i, False, False, "shared, no guard"),
                                                  args.lookups)
    results["embedding only"] = timed(lambda i: embeddings.embed_one(queries[i] + " x"), args.lookups)
    if tier.breaker.is_open:
        raise SystemExit("the semantic tier's breaker opened during the run: the L3 figures are not look-ups")

    table = {name: percentiles(samples) for name, samples in results.items()}
    print()
    print("| tier | n | p50 ms | p95 ms | p99 ms | target p95 |")
    print("|---|---:|---:|---:|---:|---|")
    for name, row in table.items():
        target = TARGETS_MS.get(name)
        verdict = "" if target is None else f"< {target:g} ms: {'met' if row['p95_ms'] < target else 'MISSED'}"
        print(f"| {name} | {row['n']} | {row['p50_ms']:.4f} | {row['p95_ms']:.4f} | {row['p99_ms']:.4f} | {verdict} |")
    sample = queries[0]
    print(f"\nL3 look-ups that found a candidate: {found}")
    print("\nEXPLAIN ANALYZE, per-contact look-up:\n"
          + explain(semantic_key(CallKind.RESPONSE.value, "contact:1", sample), sample))
    print("\nEXPLAIN ANALYZE, shared look-up:\n"
          + explain(semantic_key(CallKind.INTENT.value, "global", sample), sample))
    print("\nEXPLAIN ANALYZE, shared look-up without the guard:\n"
          + explain(semantic_key(CallKind.INTENT.value, "global", sample), sample, guarded=False))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"machine_cores": os.cpu_count(), "rows": args.rows, "scopes": args.scopes,
                                         "lookups": args.lookups, "seeding": seeding, "l3_found": found,
                                         "tiers": table}, indent=2))
        print(f"\nwrote {args.json}")


if __name__ == "__main__":
    main()
