"""The production table: hit rate, false hits, latency and LLM cost of the 3-tier cache, measured by replaying
generated conversations through the real bots and the real cache tiers (Redis, PostgreSQL+pgvector).

    .venv/bin/python benchmarks/memory_performance.py [--quick] [--json PATH] [--plot PATH] [--contacts N] ...

Every turn runs `bots.services.run_turn` (the four calls through the cache, facts, scores, the stored reply)
against a simulated Claude that answers with the generated message's known meaning, so every cache hit is checked
against the ideal answer: a hit that differs is a false hit. Claude's latency is drawn from a lognormal and added
to the measured turn time, not slept. Time is simulated: the cache's clock follows the conversations, so TTLs
expire as they would over the replayed hours. Arrivals follow the configured daily volume, so the replayed window
has production's message rate; costs are scaled from the replayed turns to that volume.

`--unique-share S` makes S of the texts ones no one sent before (benchmarks/diversity.py); `--days D` spreads the
prospects over D simulated days instead; `--sensitivity 0.2,0.4,0.6` runs the full cache once per share over 30
simulated days and prints per-call figures, the three cost baselines, cost per qualified lead and the GPTCache peer
(benchmarks/sensitivity.py, benchmarks/peer_gptcache.py).
"""

from __future__ import annotations

import argparse
import heapq
import json
import os
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime
from datetime import timezone as dt_timezone
from pathlib import Path

import numpy as np

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from tqdm import tqdm  # noqa: E402

from benchmarks.diversity import workload_for  # noqa: E402
from benchmarks.latency_model import TimedCalls, model_latency_ms, served_from_cache  # noqa: E402
from benchmarks.workload import (  # noqa: E402
    CALL_COSTS,
    SimulatedClaude,
    call_price,
    same_answer,
)

LLM_KINDS = ("intent", "facts", "memory", "response", "state_reply")
CALLS_PER_TURN = 4  # intent, facts, memory and the reply (a personal response or its dialogue state's template)
HIT_TIERS = ("L1", "L2", "L3")
CONFIGS = {
    "no-cache": {"l1": False, "l2": False, "l3": False},
    "L2": {"l1": False, "l3": False},
    "L1+L2": {"l3": False},
    "L1+L2+L3": {},
    "L1+L2+L3-noguard": {"guard": False},
    "L1+L2+L3-fixed-ttl": {"adaptive_ttl": False},
    "invalidation-storm": {},
}
CLAIM = {"hit_rate": 0.88, "lookup_p95_ms": 4.8, "cost_reduction": 0.89}
BENCH_REDIS_DB = 12


@dataclass
class Tally:
    turns: int = 0
    lookups: int = 0
    hits: dict = field(default_factory=lambda: {tier: 0 for tier in HIT_TIERS})
    hits_by_kind: dict = field(default_factory=lambda: {kind: 0 for kind in LLM_KINDS})
    false_hits: int = 0
    false_by_tier: dict = field(default_factory=lambda: {tier: 0 for tier in HIT_TIERS})
    lookup_ms: list = field(default_factory=list)
    lookup_ms_by_path: dict = field(default_factory=dict)  # "<kind> <tier>": look-up times, each path apart
    turn_ms: list = field(default_factory=list)             # measured + model latency, concurrent waves
    turn_ms_sequential: list = field(default_factory=list)  # measured + every model call one after another
    cached_turn_server_ms: list = field(default_factory=list)  # server time of turns no model call was made for
    # Memory calls left out of the understanding's wave (the text read as an on-script answer) that the reply needed
    # after all: those turns waited for one more wave.
    memory_after_understanding: int = 0
    calls: dict = field(default_factory=lambda: {kind: 0 for kind in LLM_KINDS})
    avoided: dict = field(default_factory=lambda: {kind: 0 for kind in LLM_KINDS})  # calls the turn did not need
    contacts: int = 0
    truth_collisions: int = 0
    wall_seconds: float = 0.0


def use_bench_stores() -> str:
    """A database (`<name>_bench`) and a Redis database of the benchmark's own, so it never touches app data."""
    from benchmarks.cache_latency import use_bench_broker, use_bench_database

    name = use_bench_database()
    use_bench_broker(BENCH_REDIS_DB)
    settings.CACHES["llm"]["LOCATION"] = settings.CACHES["llm"]["LOCATION"].rsplit("/", 1)[0] + f"/{BENCH_REDIS_DB}"
    return name


def reset_stores() -> None:
    from django_redis import get_redis_connection

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE leads_contact, leads_conversation, leads_message, caching_semanticcacheentry, "
                       "bots_llmcall RESTART IDENTITY CASCADE")
    get_redis_connection("llm").flushdb()


def run_config(name: str, options: dict, args, progress, observe=None) -> Tally:
    """`observe(result, provider)`, when given, sees every answered turn (the sensitivity mode's per-kind counts
    and the peer cache's shadow look-ups)."""
    from bots.services import NOT_NEEDED, run_turn
    from caching.keys import Scope
    from caching.services import with_options
    from leads.models import Contact, Message
    from leads.services import contact_get_or_create, contact_retire_cache, message_record_inbound

    reset_stores()
    workload = workload_for(args)
    # Arrivals at the production rate: the replayed window is as long as the configured volume needs; with --days,
    # the prospects are a sample spread over that many days instead (benchmarks/sensitivity.py states the scale).
    window = args.days * 86_400 if args.days else args.contacts * args.turns_per_contact / args.daily_volume * 86_400
    for prospect in workload.prospects:
        prospect.start_second = workload.rng.uniform(0, window)
    provider = TimedCalls(SimulatedClaude(settings.LLM_PRICES, args.seed, args.llm_latency_ms, args.llm_latency_sigma))
    day_start = time.time()
    now = {"t": 0.0}
    cache = with_options(clock=lambda: day_start + now["t"], **options)
    cache.metrics.flush = lambda: None  # the benchmark's look-ups stay out of the production metrics
    tally = Tally(contacts=len(workload.prospects))
    events = [(p.start_second, i) for i, p in enumerate(workload.prospects)]
    heapq.heapify(events)
    last_question: dict[int, str] = {}
    storm_every = 3600.0
    next_storm = storm_every
    started = time.perf_counter()
    while events:
        t, index = heapq.heappop(events)
        now["t"] = t
        if name == "invalidation-storm" and t >= next_storm:
            next_storm += storm_every
            active = list(Contact.objects.filter(bot_paused=False).values_list("pk", flat=True))
            for contact_id in active[:: max(1, int(1 / args.storm_share))]:
                contact_retire_cache(contact_id=contact_id)   # every tier stops serving the contact's entries
                cache.forget_scope(Scope.contact_scope_name(contact_id))  # and this cache frees them
        prospect = workload.prospects[index]
        contact, _ = contact_get_or_create(phone=prospect.phone)
        if contact.bot_paused or contact.opted_out:
            continue  # an agent has the conversation now
        conversation = contact.conversations.order_by("-last_activity_at").first()
        asked = conversation.asked_slot if conversation else ""
        utterance = workload.next_message(prospect, asked)
        question = last_question.get(index, "")
        if not provider.provider.learn(utterance, question):
            tally.truth_collisions += 1
        message, _ = message_record_inbound(contact=contact, body=utterance.text, twilio_sid=None)
        Message.objects.filter(pk=message.pk).update(created_at=datetime.fromtimestamp(day_start + t, dt_timezone.utc))
        provider.start_turn()
        turn_started = time.perf_counter()
        result = run_turn(message.pk, provider=provider, cache=cache)
        measured_ms = (time.perf_counter() - turn_started) * 1000
        progress.update(1)
        if result.reply is None:
            continue
        if observe is not None:
            observe(result, provider)
        tally.turns += 1
        concurrent_ms, sequential_ms = model_latency_ms(result.calls, provider.drawn)
        tally.turn_ms.append(measured_ms + concurrent_ms)
        tally.turn_ms_sequential.append(measured_ms + sequential_ms)
        if served_from_cache(result.calls):
            tally.cached_turn_server_ms.append(measured_ms)
        memory = result.calls.get("memory")
        if memory is not None and memory.tier != NOT_NEEDED and memory.wave > result.calls["intent"].wave:
            tally.memory_after_understanding += 1
        for kind in LLM_KINDS:
            call = result.calls.get(kind)
            if call is None:  # the reply is one of two kinds (a turn may make both, when a template is refused)
                continue
            if call.tier == NOT_NEEDED:  # neither a look-up nor a call: counted apart
                tally.avoided[kind] += 1
                continue
            tally.lookups += 1
            tally.lookup_ms.append(call.lookup_ms)
            tally.lookup_ms_by_path.setdefault(f"{kind} {call.tier}", []).append(call.lookup_ms)
            if call.tier in HIT_TIERS:
                tally.hits[call.tier] += 1
                tally.hits_by_kind[kind] += 1
                if not same_answer(kind, call.value, provider.provider.answer(kind, *call.inputs)):
                    tally.false_hits += 1
                    tally.false_by_tier[call.tier] += 1
            else:
                tally.calls[kind] += 1
        last_question[index] = result.reply.body
        if not result.handoff_reason and tally.turns < args.max_turns:
            heapq.heappush(events, (t + workload.reply_delay(), index))
    tally.wall_seconds = time.perf_counter() - started
    return tally


def summarise(name: str, tally: Tally, args) -> dict:
    hits = sum(tally.hits.values())
    per_turn_cached = sum(tally.calls[k] * call_price(k, settings.LLM_PRICES, True)[0] for k in LLM_KINDS) / max(tally.turns, 1)
    per_turn_uncached = sum(tally.calls[k] * call_price(k, settings.LLM_PRICES, False)[0] for k in LLM_KINDS) / max(tally.turns, 1)
    turns_per_lead = tally.turns / max(tally.contacts, 1)
    monthly_turns = args.daily_volume * 30
    lookups = np.asarray(tally.lookup_ms) if tally.lookup_ms else np.zeros(1)
    turns = np.asarray(tally.turn_ms) if tally.turn_ms else np.zeros(1)
    sequential = np.asarray(tally.turn_ms_sequential) if tally.turn_ms_sequential else np.zeros(1)
    cached = np.asarray(tally.cached_turn_server_ms) if tally.cached_turn_server_ms else np.zeros(1)
    return {
        "turns": tally.turns, "contacts": tally.contacts, "lookups": tally.lookups,
        "hit_rate": hits / max(tally.lookups, 1),
        "hit_rate_by_tier": {tier: count / max(tally.lookups, 1) for tier, count in tally.hits.items()},
        "hit_rate_by_kind": {kind: count / max(tally.turns, 1) for kind, count in tally.hits_by_kind.items()},
        "false_hit_rate": tally.false_hits / hits if hits else 0.0,
        "false_hits": tally.false_hits, "false_hits_by_tier": tally.false_by_tier,
        "lookup_p50_ms": float(np.percentile(lookups, 50)), "lookup_p95_ms": float(np.percentile(lookups, 95)),
        "lookup_p99_ms": float(np.percentile(lookups, 99)),
        "lookup_ms_by_path": {path: {"count": len(times), "p50": float(np.percentile(times, 50)),
                                     "p95": float(np.percentile(times, 95))}
                              for path, times in sorted(tally.lookup_ms_by_path.items())},
        "turn_p50_ms": float(np.percentile(turns, 50)), "turn_p95_ms": float(np.percentile(turns, 95)),
        "turn_p50_ms_sequential": float(np.percentile(sequential, 50)),
        "turn_p95_ms_sequential": float(np.percentile(sequential, 95)),
        "cached_turns": len(tally.cached_turn_server_ms),
        "cached_turn_server_p50_ms": float(np.percentile(cached, 50)),
        "cached_turn_server_p95_ms": float(np.percentile(cached, 95)),
        "memory_calls_after_understanding": tally.memory_after_understanding,
        "throughput_turns_per_s": tally.turns / tally.wall_seconds if tally.wall_seconds else 0.0,
        "llm_calls": dict(tally.calls),
        "llm_calls_avoided": dict(tally.avoided),
        "monthly_cost_usd": per_turn_cached * monthly_turns,
        "monthly_cost_usd_without_prompt_caching": per_turn_uncached * monthly_turns,
        "cost_per_lead_usd": per_turn_cached * turns_per_lead,
        "cost_per_lead_usd_without_prompt_caching": per_turn_uncached * turns_per_lead,
        "truth_collisions": tally.truth_collisions,
    }


def print_tables(results: dict, args) -> None:
    print()
    print("| configuration | turns | hit rate | L1 | L2 | L3 | false-hit rate | look-up p50 ms | look-up p95 ms | "
          "turn p95 ms | turns/s | monthly cost $ | cost per lead $ |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, r in results.items():
        tiers = r["hit_rate_by_tier"]
        print(f"| {name} | {r['turns']} | {r['hit_rate']:.1%} | {tiers['L1']:.1%} | {tiers['L2']:.1%} | {tiers['L3']:.1%} "
              f"| {r['false_hit_rate']:.2%} ({r['false_hits']}) | {r['lookup_p50_ms']:.3f} | {r['lookup_p95_ms']:.3f} "
              f"| {r['turn_p95_ms']:.0f} | {r['throughput_turns_per_s']:.1f} | {r['monthly_cost_usd']:.2f} "
              f"| {r['cost_per_lead_usd']:.4f} |")
    print()
    print("| configuration | turn p50 / p95 ms, calls one after another | turn p50 / p95 ms, concurrent | "
          "turns served from cache | their server time p50 / p95 ms | memory calls made after intent and facts |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, r in results.items():
        print(f"| {name} | {r['turn_p50_ms_sequential']:.0f} / {r['turn_p95_ms_sequential']:.0f} "
              f"| {r['turn_p50_ms']:.0f} / {r['turn_p95_ms']:.0f} | {r['cached_turns']} "
              f"| {r['cached_turn_server_p50_ms']:.1f} / {r['cached_turn_server_p95_ms']:.1f} "
              f"| {r['memory_calls_after_understanding']} |")
    print()
    print("| configuration | intent hits | facts hits | memory hits | response hits | state-reply hits |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, r in results.items():
        kinds = r["hit_rate_by_kind"]
        print(f"| {name} | {kinds['intent']:.1%} | {kinds['facts']:.1%} | {kinds['memory']:.1%} | {kinds['response']:.1%} "
              f"| {kinds['state_reply']:.1%} |")
    before, after = results.get("no-cache"), results.get("L1+L2+L3")
    if before and after:
        saving = 1 - after["monthly_cost_usd"] / before["monthly_cost_usd"] if before["monthly_cost_usd"] else 0.0
        saving_vs_raw = (1 - after["monthly_cost_usd"] / before["monthly_cost_usd_without_prompt_caching"]
                         if before["monthly_cost_usd_without_prompt_caching"] else 0.0)
        print()
        print(f"Before / after at {args.daily_volume:,} interactions a day (the public claim's shape):")
        print("| metric | no cache | L1+L2+L3 | claimed |")
        print("|---|---:|---:|---:|")
        print(f"| monthly LLM cost (with prompt caching) | ${before['monthly_cost_usd']:.2f} | ${after['monthly_cost_usd']:.2f} "
              f"| 89% lower |")
        print(f"| monthly LLM cost without prompt caching | ${before['monthly_cost_usd_without_prompt_caching']:.2f} "
              f"| ${after['monthly_cost_usd_without_prompt_caching']:.2f} | |")
        print(f"| cost per lead | ${before['cost_per_lead_usd']:.4f} | ${after['cost_per_lead_usd']:.4f} | |")
        print(f"| P95 look-up latency | {before['lookup_p95_ms']:.3f} ms | {after['lookup_p95_ms']:.3f} ms | 4.8 ms |")
        print(f"| P95 turn latency (simulated Claude included) | {before['turn_p95_ms']:.0f} ms | {after['turn_p95_ms']:.0f} ms | |")
        print(f"| cache hit rate | 0% | {after['hit_rate']:.1%} | 88% |")
        print(f"| false-hit rate | | {after['false_hit_rate']:.2%} | not reported |")
        print(f"cost reduction from the cache: {saving:.1%} (vs no cache and no prompt caching: {saving_vs_raw:.1%})")


def plot(results: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(results)
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.5))
    left.bar(names, [results[n]["hit_rate"] * 100 for n in names], color="#3b7dd8", label="hit rate")
    left.bar(names, [results[n]["false_hit_rate"] * results[n]["hit_rate"] * 100 for n in names], color="#d84a3b",
             label="false hits")
    left.set_ylabel("% of LLM look-ups")
    left.set_title("Hit rate by configuration")
    left.legend()
    right.bar(names, [results[n]["lookup_p95_ms"] for n in names], color="#4aa564")
    right.set_ylabel("ms")
    right.set_title("p95 look-up latency")
    for axis in (left, right):
        axis.tick_params(axis="x", rotation=35)
        for label in axis.get_xticklabels():
            label.set_horizontalalignment("right")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small run (under 30 s) with the same configurations")
    parser.add_argument("--contacts", type=int, help="prospects replayed per configuration (default 75; quick 12)")
    parser.add_argument("--daily-volume", type=int, default=5000, help="interactions (turns) per day in production")
    parser.add_argument("--turns-per-contact", type=float, default=7.0, help="expected turns per prospect (arrival rate)")
    parser.add_argument("--max-turns", type=int, default=100_000, help="stop a configuration after this many turns")
    parser.add_argument("--typo-rate", type=float, default=0.15)
    parser.add_argument("--short-reply-rate", type=float, default=0.35)
    parser.add_argument("--llm-latency-ms", type=float, default=900.0, help="median simulated Claude latency")
    parser.add_argument("--llm-latency-sigma", type=float, default=0.5, help="lognormal sigma of that latency")
    parser.add_argument("--storm-share", type=float, default=0.3, help="contacts invalidated each hour in the storm")
    parser.add_argument("--configs", default=",".join(CONFIGS), help="comma-separated configurations to run")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--unique-share", type=float, help="share of texts generated fresh, never sent before "
                        "(benchmarks/diversity.py); default: the workload's grammar alone")
    parser.add_argument("--days", type=float, help="spread the prospects over this many simulated days (a sample)")
    parser.add_argument("--sensitivity", help="comma-separated unique shares, e.g. 0.2,0.4,0.6: one table of "
                        "per-call figures, baselines and the peer cache (benchmarks/sensitivity.py)")
    parser.add_argument("--no-peer", action="store_true", help="sensitivity mode without the GPTCache peer")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--plot", type=Path)
    args = parser.parse_args(argv)
    if args.sensitivity:
        from benchmarks.sensitivity import run_sensitivity

        return run_sensitivity(args)
    args.contacts = args.contacts or (12 if args.quick else 75)
    chosen = [name.strip() for name in args.configs.split(",") if name.strip()]
    unknown = [name for name in chosen if name not in CONFIGS]
    if unknown:
        parser.error(f"--configs: unknown {', '.join(unknown)} (choose from {', '.join(CONFIGS)})")

    database = use_bench_stores()
    parameters = {k: v for k, v in vars(args).items() if k not in ("json", "plot")}
    parameters.update(database=database, calls_per_turn=CALLS_PER_TURN,
                      tokens_per_interaction=sum(c.system_tokens + c.input_tokens + c.output_tokens
                                                 for kind, c in CALL_COSTS.items() if kind != "state_reply"),
                      models={kind: cost.model for kind, cost in CALL_COSTS.items()})
    print("workload:", json.dumps(parameters))
    expected = int(args.contacts * args.turns_per_contact * len(chosen))
    results = {}
    with tqdm(total=expected, unit="turn", desc="replaying", file=sys.stderr) as progress:
        for name in chosen:
            progress.set_postfix_str(name)
            results[name] = summarise(name, run_config(name, CONFIGS[name], args, progress), args)
    reset_stores()
    print_tables(results, args)
    report = {"parameters": parameters, "configurations": results}
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2))
        print(f"wrote {args.json}")
    if args.plot:
        plot(results, args.plot)
        print(f"wrote {args.plot}")
    return report


if __name__ == "__main__":
    main()
