"""What the bot understands, measured on the team's conversation corpus (tests/data/conversations) and
prompt-injection attacks (tests/data/injection), each set reported on its own row: the tuned and blind halves,
`extra` and `extra3`, later sets by other blind authors used for tuning, `blind5`, held-out prospects whose
texts look like attacks, and `blind6`, a later held-out set by two other blind authors.

    .venv/bin/python benchmarks/conversations.py [--json PATH]
        [--half tuned|extra|extra3|blind|blind5|blind6|tuning|all] [--extra-attacks] [--attacks-only] [--limit N]
        [--show-failures]

`--half tuning` runs tuned, extra and extra3 (never a held-out set); `--half blind` runs the blind half, blind5 and
blind6; `all` (the default) runs all six. Every text goes through the signed webhook and the real turn
(benchmarks/corpus.py), in a database and a Redis database of the benchmark's own. `--show-failures` lists what went wrong per conversation and attack, for the tuning sets only:
the blind half is never read while the rules are tuned, so only its totals are printed. `--limit N` runs only the
first N conversations and the first N attacks of each set (a quick check, not the reported figures). The held-out
sets bring the held-out attack sets (blind.jsonl, blind4.jsonl and blind5.jsonl); `--attacks-only` runs the
selection's attack sets without its conversations.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from tqdm import tqdm  # noqa: E402

from benchmarks.corpus import (BLIND_ATTACK_SETS, BLIND_CONVERSATION_SETS, CONVERSATION_SETS,  # noqa: E402
                               TUNING_ATTACK_SETS, TUNING_CONVERSATION_SETS,
                               attack_summary, load_attacks, load_conversations, run_attacks, run_corpus,
                               shared_phones)

BENCH_REDIS_DB = 11
SELECTIONS = {**{name: (name,) for name in CONVERSATION_SETS}, "tuning": TUNING_CONVERSATION_SETS,
              "blind": BLIND_CONVERSATION_SETS, "all": CONVERSATION_SETS}


def use_bench_stores() -> None:
    from benchmarks.cache_latency import use_bench_broker, use_bench_database

    use_bench_database()
    use_bench_broker(BENCH_REDIS_DB)
    for alias in ("default", "llm"):
        settings.CACHES[alias]["LOCATION"] = settings.CACHES[alias]["LOCATION"].rsplit("/", 1)[0] + f"/{BENCH_REDIS_DB}"


def reset_stores() -> None:
    from django_redis import get_redis_connection

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE leads_contact, leads_conversation, leads_message, leads_scoreevent, "
                       "caching_semanticcacheentry, bots_llmcall RESTART IDENTITY CASCADE")
    get_redis_connection("default").flushdb()


def percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "-"


def print_tables(summaries: list, attacks: list[dict]) -> None:
    if summaries:  # --attacks-only ran no conversation
        print_corpus_tables(summaries)
    print("| injection half | attacks | held | moved a fact, score, flag or handoff | leaked the prompt |")
    print("|---|---:|---:|---:|---:|")
    for a in attacks:
        print(f"| {a['half']} | {a['attacks']} | {a['held']} | {a['moved_something']} | {a['leaked']} |")


def print_corpus_tables(summaries: list) -> None:
    print("| half | conversations | fields right | fully right | re-asked (fact stored / not read) | "
          "wrong handoffs (missed / spurious) | "
          "missed opt-outs | texts after opt-out | spurious opt-outs | replies in the wrong language | "
          "texts held as injection |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for s in summaries:
        print(f"| {s.half} | {s.conversations} | {percent(s.fields_right, s.fields)} ({s.fields_right}/{s.fields}) | "
              f"{percent(s.fully_right, s.conversations)} ({s.fully_right}) | {s.reasked} ({s.reasked_known} / "
              f"{s.reasked_unread}) | {s.wrong_handoffs} "
              f"({s.missed_handoffs} / {s.spurious_handoffs}) | {s.missed_opt_outs} | {s.texts_after_opt_out} | "
              f"{s.spurious_opt_outs} | {s.wrong_language_replies} of {s.replies} | {s.held_texts} of {s.texts} |")
    print()
    families = sorted({name.split(".")[0] if not name.startswith("facts.") else name for s in summaries
                       for name in s.by_field})
    print("| field | " + " | ".join(s.half for s in summaries) + " |")
    print("|---|" + "---:|" * len(summaries))
    for family in families:
        cells = []
        for s in summaries:
            right, total = s.by_field.get(family, [0, 0])
            cells.append(f"{percent(right, total)} ({right}/{total})")
        print(f"| {family} | " + " | ".join(cells) + " |")
    print()


def print_failures(verdicts, attacks) -> None:
    print("\nFailures in the tuning sets:")
    for v in verdicts:
        wrong = [name for name, right in v.fields.items() if not right]
        if wrong or v.reasked or v.wrong_language_replies:
            print(f"- {v.conversation_id}: wrong {wrong} re-asked {v.reasked} (fact stored {v.reasked_known}, not read "
                  f"{v.reasked_unread}) wrong-language {v.wrong_language_replies}")
    for a in attacks:
        if not a.held:
            print(f"- {a.attack_id}: moved {a.changed} leaked {a.leaked}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", type=Path, help="write the figures here")
    parser.add_argument("--half", choices=tuple(SELECTIONS), default="all",
                        help="the conversation sets to run (tuning = tuned, extra and extra3; default: all)")
    parser.add_argument("--limit", type=int, metavar="N",
                        help="only the first N conversations and the first N attacks of each set (default: all)")
    parser.add_argument("--show-failures", action="store_true",
                        help="per-conversation and per-attack failures (tuning sets only)")
    parser.add_argument("--extra-attacks", action="store_true",
                        help="also the later injection sets (tests/data/injection/extra.jsonl, extra2.jsonl, "
                             "extra3.jsonl, guard4.jsonl and extra4.jsonl, tuning sets)")
    parser.add_argument("--attacks-only", action="store_true",
                        help="run only the injection attacks of the selection, not its conversations")
    args = parser.parse_args()
    if args.limit is not None and args.limit < 1:
        parser.error("--limit must be at least 1")
    logging.disable(logging.WARNING)  # the turns' per-call and injection log lines would bury the table
    conversation_sets = SELECTIONS[args.half]
    # The halves bring their own attacks; the later attack sets run on request.
    attack_sets = ["tuned"] if "tuned" in conversation_sets else []
    attack_sets += list(TUNING_ATTACK_SETS) if args.extra_attacks else []
    attack_sets += list(BLIND_ATTACK_SETS) if set(BLIND_CONVERSATION_SETS) & set(conversation_sets) else []
    conversation_sets = () if args.attacks_only else conversation_sets
    if shared_phones(conversation_sets, attack_sets):
        sys.exit("two of the selected sets text from the same number; give each its own")
    use_bench_stores()
    started = time.perf_counter()
    summaries, attack_rows, failing_verdicts, failing_attacks = [], [], [], []
    total = (sum(len(load_conversations(half, args.limit)) for half in conversation_sets)
             + sum(len(load_attacks(half, args.limit)) for half in attack_sets))
    with tqdm(total=total, disable=not sys.stderr.isatty(), file=sys.stderr) as bar, \
            override_settings(SMS_SEND_FROM_HOUR=0, SMS_SEND_UNTIL_HOUR=24, SMS_BACKEND="console"):
        for half in conversation_sets:
            reset_stores()
            summary, verdicts = run_corpus(half, progress=bar.update, limit=args.limit)
            summaries.append(summary)
            if half not in BLIND_CONVERSATION_SETS:
                failing_verdicts += verdicts
        reset_stores()
        for half in attack_sets:
            attacks = run_attacks(half, progress=bar.update, limit=args.limit)
            attack_rows.append(attack_summary(half, attacks))
            if half not in BLIND_ATTACK_SETS:  # the blind attacks are never read either
                failing_attacks += attacks
    provider = "claude" if settings.ANTHROPIC_API_KEY else "offline rule-based provider"
    print(f"Conversation corpus through the signed webhook and the real turn ({provider}), "
          f"{time.perf_counter() - started:.0f} s\n")
    print_tables(summaries, attack_rows)
    if args.show_failures:
        print_failures(failing_verdicts, failing_attacks)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"provider": provider, "limit": args.limit,
                                         "corpus": [s.as_dict() for s in summaries], "injection": attack_rows},
                                        indent=2))


if __name__ == "__main__":
    main()
