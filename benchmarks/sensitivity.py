"""The sensitivity mode of the production benchmark: one table per unique share of the traffic.

    .venv/bin/python benchmarks/memory_performance.py --sensitivity 0.2,0.4,0.6 [--contacts 300] [--days 30]
        [--no-peer] [--json PATH]

For each share (benchmarks/diversity.py), the full cache (L1+L2+L3, guard on) replays the same prospects, spread
over a simulated window (30 days by default: a sample of production's prospects, stated with the table; TTLs expire
on the simulated clock). Per call kind it counts look-ups, hits, false hits (a hit that differs from the ideal
answer), calls avoided (the turn did not need the call: bots.services.NOT_NEEDED) and the calls made, priced with
prompt caching and scaled to the daily volume for 30 days. The baselines are priced from the same replayed turns:
four calls a turn without prompt caching (no cache, no prompt caching), four calls a turn with it (prompt caching
only), and what the run paid (everything on). A qualified lead is a replayed contact handed to an agent as
"hot lead" or "fully qualified" (its end state in the database); cost per qualified lead is the replay's cost over
their number. The peer (GPTCache, benchmarks/peer_gptcache.py) shadows the same look-ups unless --no-peer.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field

from django.conf import settings
from tqdm import tqdm

from benchmarks.workload import CALL_COSTS, call_price, same_answer
from bots.stages import DECIDED_HANDOFFS

# A turn's reply is one of two kinds: a personal `response`, or its dialogue state's shared `state_reply`.
KINDS = ("intent", "facts", "memory", "response", "state_reply")
# The baselines make the four calls of the original design every turn: intent, facts, memory and a reply.
BASELINE_KINDS = ("intent", "facts", "memory", "response")
HIT_TIERS = ("L1", "L2", "L3")
DEFAULT_CONTACTS = 300
DEFAULT_DAYS = 30.0
MONTH_DAYS = 30


@dataclass
class KindCounts:
    """What the replay did with one call kind."""

    lookups: int = 0
    hits: int = 0
    false_hits: int = 0
    avoided: int = 0
    calls: int = 0


@dataclass
class ShareTally:
    turns: int = 0
    kinds: dict = field(default_factory=lambda: {kind: KindCounts() for kind in KINDS})
    texts_seen: set = field(default_factory=set)
    never_sent: int = 0

    def observe(self, result, provider) -> None:
        from bots.services import NOT_NEEDED

        self.turns += 1
        text = result.calls["intent"].inputs[0].text  # the inbound text, as the cache was asked about it
        self.never_sent += text not in self.texts_seen
        self.texts_seen.add(text)
        for kind in KINDS:
            if kind not in result.calls:  # the reply kind the turn did not use
                continue
            call, counts = result.calls[kind], self.kinds[kind]
            if call.tier == NOT_NEEDED:
                counts.avoided += 1
            elif call.tier in HIT_TIERS:
                counts.lookups += 1
                counts.hits += 1
                counts.false_hits += not same_answer(kind, call.value, provider.answer(kind, *call.inputs))
            else:
                counts.lookups += 1
                counts.calls += 1


def monthly_turns(args) -> int:
    return args.daily_volume * MONTH_DAYS


def price(kind: str, prompt_caching: bool = True) -> float:
    return call_price(kind, settings.LLM_PRICES, prompt_caching)[0]


def share_row(share: float, tally: ShareTally, qualified: int, contacts: int, args,
              peer=None) -> dict:
    scale = monthly_turns(args) / max(tally.turns, 1)
    kinds = {}
    for kind, counts in tally.kinds.items():
        kinds[kind] = {**vars(counts), "hit_rate": counts.hits / counts.lookups if counts.lookups else 0.0,
                       "false_hit_rate": counts.false_hits / counts.hits if counts.hits else 0.0,
                       "avoided_share": counts.avoided / max(tally.turns, 1),
                       "monthly_usd": counts.calls * price(kind) * scale}
    replayed = {
        "no cache, no prompt caching": sum(tally.turns * price(kind, False) for kind in BASELINE_KINDS),
        "prompt caching only": sum(tally.turns * price(kind) for kind in BASELINE_KINDS),
        "everything on": sum(counts.calls * price(kind) for kind, counts in tally.kinds.items()),
    }
    row = {
        "unique_share": share, "never_sent_share": tally.never_sent / max(tally.turns, 1), "turns": tally.turns, "contacts": contacts,
        "qualified_leads": qualified, "kinds": kinds,
        "monthly_usd": {name: usd * scale for name, usd in replayed.items()},
        "cost_per_qualified_lead_usd": {name: usd / qualified if qualified else None for name, usd in replayed.items()},
    }
    if peer is not None:
        peer_kinds = {kind: {"lookups": peer.lookups[kind], "hits": peer.hits[kind], "false_hits": peer.false_hits[kind],
                             "hit_rate": peer.hits[kind] / peer.lookups[kind] if peer.lookups[kind] else 0.0,
                             "false_hit_rate": peer.false_hits[kind] / peer.hits[kind] if peer.hits[kind] else 0.0,
                             "monthly_usd": (peer.lookups[kind] - peer.hits[kind]) * price(kind) * scale}
                      for kind in peer.lookups}
        # The peer is not asked for memory: its memory calls are the run's.
        row["peer"] = {"name": "GPTCache 0.1.44", "kinds": peer_kinds,
                       "monthly_usd": sum(k["monthly_usd"] for k in peer_kinds.values()) + kinds["memory"]["monthly_usd"]}
    return row


def qualified_leads() -> int:
    from leads.models import Contact

    return Contact.objects.filter(handoff_reason__in=DECIDED_HANDOFFS).count()


def scale_note(args, rows: list[dict]) -> str:
    turns = sum(r["turns"] for r in rows) / max(len(rows), 1)
    per_day = turns / args.days
    return (f"Scale: {args.contacts} prospects arriving uniformly over {args.days:g} simulated days (about "
            f"{turns:.0f} answered turns per run, {per_day:.0f} a day); production is {args.daily_volume:,} turns a "
            f"day, so the replay is a 1-in-{args.daily_volume / per_day:.0f} sample of a month's prospects. TTLs expire "
            f"on the simulated clock over the {args.days:g} days; dollars are per turn scaled to "
            f"{args.daily_volume:,} turns a day x {MONTH_DAYS} days. The shared kinds (intent, facts) see only the "
            f"sample's texts, so their hit rates are lower than a full month's traffic would give.")


def print_tables(rows: list[dict], args) -> None:
    print()
    print(scale_note(args, rows))
    print()
    print("| unique share (answered texts never sent before) | call | look-ups | hit rate | false-hit rate | calls avoided "
          "| calls made | $/month |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        label = f"{r['unique_share']:.0%} ({r['never_sent_share']:.1%})"
        for kind in KINDS:
            k = r["kinds"][kind]
            print(f"| {label} | {kind} | {k['lookups']} | {k['hit_rate']:.1%} | {k['false_hit_rate']:.2%} "
                  f"({k['false_hits']}) | {k['avoided']} ({k['avoided_share']:.0%}) | {k['calls']} "
                  f"| {k['monthly_usd']:.2f} |")
    print()
    print("| unique share | turns | qualified leads | no cache, no prompt caching $/month | prompt caching only | "
          "everything on | per qualified lead: none / prompt caching / everything on |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for r in rows:
        m, q = r["monthly_usd"], r["cost_per_qualified_lead_usd"]
        per_lead = " / ".join(f"${q[name]:.4f}" if q[name] is not None else "n/a" for name in m)
        print(f"| {r['unique_share']:.0%} | {r['turns']} | {r['qualified_leads']} of {r['contacts']} "
              f"| {m['no cache, no prompt caching']:.2f} | {m['prompt caching only']:.2f} | {m['everything on']:.2f} "
              f"| {per_lead} |")
    if all("peer" in r for r in rows):
        print()
        print("| unique share | call | this cache: hit rate / false-hit rate | GPTCache: hit rate / false-hit rate |")
        print("|---|---|---:|---:|")
        for r in rows:
            for kind, p in r["peer"]["kinds"].items():
                ours = r["kinds"][kind]
                print(f"| {r['unique_share']:.0%} | {kind} | {ours['hit_rate']:.1%} / {ours['false_hit_rate']:.2%} "
                      f"| {p['hit_rate']:.1%} / {p['false_hit_rate']:.2%} ({p['false_hits']} wrong) |")
        print()
        print("| unique share | this cache $/month | GPTCache $/month (its misses priced; memory as this run) |")
        print("|---|---:|---:|")
        for r in rows:
            print(f"| {r['unique_share']:.0%} | {r['monthly_usd']['everything on']:.2f} | {r['peer']['monthly_usd']:.2f} |")


def run_sensitivity(args) -> dict:
    from argparse import Namespace

    from benchmarks.memory_performance import CONFIGS, reset_stores, run_config, use_bench_stores

    shares = [float(share) for share in args.sensitivity.split(",") if share.strip()]
    if not shares or not all(0.0 <= share <= 1.0 for share in shares):
        raise SystemExit(f"--sensitivity: shares between 0 and 1, comma-separated (got {args.sensitivity!r})")
    args.contacts = args.contacts or DEFAULT_CONTACTS
    args.days = args.days or DEFAULT_DAYS
    database = use_bench_stores()
    parameters = {k: v for k, v in vars(args).items() if k not in ("json", "plot")}
    parameters.update(database=database, models={kind: cost.model for kind, cost in CALL_COSTS.items()},
                      qualified_handoffs=sorted(DECIDED_HANDOFFS))
    print("workload:", json.dumps(parameters))
    rows = []
    with tqdm(total=int(args.contacts * args.turns_per_contact * len(shares)), unit="turn", desc="replaying",
              file=sys.stderr) as progress:
        for share in shares:
            progress.set_postfix_str(f"unique {share:.0%}")
            tally, peer = ShareTally(), None
            if not args.no_peer:
                from benchmarks.peer_gptcache import GPTCachePeer

                peer = GPTCachePeer()

            def observe(result, provider, tally=tally, peer=peer):
                tally.observe(result, provider)
                if peer is not None:
                    peer.observe(result, provider)

            run_args = Namespace(**{**vars(args), "unique_share": share})
            replay = run_config("L1+L2+L3", CONFIGS["L1+L2+L3"], run_args, progress, observe=observe)
            rows.append(share_row(share, tally, qualified_leads(), replay.contacts, args, peer.tally if peer else None))
    reset_stores()
    print_tables(rows, args)
    report = {"parameters": parameters, "scale": scale_note(args, rows), "shares": rows}
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2))
        print(f"wrote {args.json}")
    return report
