"""A seeded, reproducible workload of SMS conversations with known meanings, and a simulated Claude.

Prospects (buyers and sellers) answer the bot's questions from a grammar of intents and slot values with several
phrasings per meaning, typos and short context-dependent replies. Because every message is generated from its
meaning, the ideal answer to every call is known, so any cached answer can be checked.

Imported by `benchmarks/memory_performance.py`. Run on its own, it describes the traffic it generates (no cache,
no database: each prospect is asked the bots' questions in the bots' order until every fact is given):

    .venv/bin/python benchmarks/workload.py [--contacts 75] [--seed 42] [--typo-rate 0.15]
        [--short-reply-rate 0.35] [--json PATH]

It prints how many texts a prospect sends, how often a text repeats after the same question (the ceiling of what
an exact-key cache can serve for the shared calls, intent and facts) and how often the same text after the same
question was generated with another meaning (what a cache keyed on the text alone would answer wrongly).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

if __name__ == "__main__":  # run as a script: set Django up before the app imports below
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()

from bots.providers import ReplyBrief, RuleBasedProvider
from caching.services import Computed
from leads.facts import clean_facts

AREAS = ["78704", "78745", "78702", "hyde park", "mueller", "zilker", "east austin", "round rock", "cedar park",
         "westlake", "travis heights", "north loop"]
FIRST_NAMES = ["Sam", "Alex", "Jordan", "Taylor", "Morgan", "Casey", "Riley", "Jamie", "Avery", "Quinn", "Drew", "Kim"]
STREETS = ["maple ridge dr", "oak hill dr", "elm st", "cedar ln", "5th st", "pecan ave", "willow ct", "lamar blvd"]
GREETINGS = ["hi", "hello", "hey there", "hi, saw your sign", "hello, got your number from a listing"]
BUY_INTENT = ["we want to buy a house", "looking to buy a home", "we're looking to buy", "want to purchase a home",
              "buying", "buy"]
SELL_INTENT = ["thinking about selling my house", "we want to sell our home", "looking to sell my place", "selling",
               "sell"]
FINANCING = {
    "pre_approved": ["we're pre-approved", "pre approved", "yes we are pre-approved", "we got pre-approved"],
    "cash": ["paying cash", "cash buyer", "we'll pay cash", "all cash"],
    "not_started": ["not yet", "haven't started that yet", "no not yet"],
    "pre_qualified": ["we're pre-qualified", "prequalified so far"],
}
CONDITIONS = {"good": ["it's in good shape", "good condition", "pretty good shape"],
              "needs work": ["it needs some work", "needs work", "it's a fixer upper"]}
MOTIVATIONS = {"job": ["new job", "moving for a new job", "got a new job"],
               "downsizing": ["downsizing", "we're downsizing", "kids moved out, downsizing"]}
TYPES = {"condo": ["a condo", "condo"], "townhouse": ["a townhouse", "townhouse"],
         "single_family": ["a house", "single family home"]}
ASIDE_INTENTS = {"is this a bot?": "question", "what's the commission?": "question", "ok thanks": "greeting",
                 "thanks!": "greeting", "sounds good": "greeting", "can you text me later?": "other"}
ASIDES = list(ASIDE_INTENTS)


@dataclass(frozen=True)
class Utterance:
    """A generated text and its meaning: what an ideal model answers for intent and facts."""

    text: str
    intent: str
    facts: dict


def typo(text: str, rng: random.Random) -> str:
    """A realistic texting variant: shorthand, dropped apostrophes, a doubled or missing letter."""
    swaps = [("you", "u"), ("are", "r"), ("we're", "we r"), ("it's", "its"), ("months", "monthes"),
             ("pre-approved", "pre aproved"), ("thanks", "thx"), ("please", "pls"), ("house", "hous")]
    rng.shuffle(swaps)
    for old, new in swaps:
        if old in text:
            return text.replace(old, new, 1)
    return text.lower()


@dataclass
class Prospect:
    """One prospect's intended answers; the harness asks them what the bot asked for."""

    phone: str
    role: str                     # buyer or seller
    name: str
    facts: dict
    start_second: float
    asides_left: int
    said_role: bool = False
    greeted: bool = False
    answered: set = field(default_factory=set)


class Workload:
    def __init__(self, seed: int, contacts: int, day_seconds: int = 86_400, buyer_share: float = 0.6,
                 typo_rate: float = 0.15, short_reply_rate: float = 0.35, aside_rate: float = 0.15):
        self.rng = random.Random(seed)
        self.typo_rate, self.short_reply_rate, self.aside_rate = typo_rate, short_reply_rate, aside_rate
        self.prospects = [self._prospect(n, day_seconds, buyer_share) for n in range(contacts)]

    def _prospect(self, n: int, day_seconds: int, buyer_share: float) -> Prospect:
        rng = self.rng
        role = "buyer" if rng.random() < buyer_share else "seller"
        if role == "buyer":
            facts = {"financing": rng.choice(list(FINANCING)), "budget_max": rng.choice(range(250, 1250, 25)) * 1000,
                     "timeline_days": rng.choice([30, 60, 90, 180, 365]), "areas": [rng.choice(AREAS)],
                     "property_type": rng.choice(list(TYPES)), "bedrooms": rng.choice([2, 3, 3, 4])}
        else:
            facts = {"address": f"{rng.randrange(100, 9999)} {rng.choice(STREETS)}",
                     "timeline_days": rng.choice([30, 60, 90, 180]), "condition": rng.choice(list(CONDITIONS)),
                     "motivation": rng.choice(list(MOTIVATIONS)), "price_expectation": rng.choice(range(300, 1200, 25)) * 1000}
        # Business-hours arrivals: most conversations start between 8am and 8pm.
        start = min(max(rng.gauss(14 * 3600, 3 * 3600), 0), day_seconds - 3600)
        return Prospect(phone=f"+1737555{n:04d}", role=role, name=rng.choice(FIRST_NAMES), facts=facts,
                        start_second=start, asides_left=rng.choice([0, 0, 1, 2]))

    def reply_delay(self) -> float:
        """Seconds until the prospect's next text: usually a minute or two, sometimes hours."""
        return min(self.rng.lognormvariate(math.log(90), 1.2), 6 * 3600)

    def next_message(self, prospect: Prospect, asked_slot: str) -> Utterance:
        """What the prospect texts next, given the fact the bot asked for ("" for none), with its meaning."""
        rng = self.rng
        if not prospect.greeted:
            prospect.greeted = True
            return Utterance(self._vary(rng.choice(GREETINGS)), "greeting", {})
        if prospect.asides_left and rng.random() < self.aside_rate:
            prospect.asides_left -= 1
            aside = rng.choice(ASIDES)
            return Utterance(self._vary(aside), ASIDE_INTENTS[aside], {})
        if asked_slot == "lead_type" or not prospect.said_role:
            prospect.said_role = True
            phrases = BUY_INTENT if prospect.role == "buyer" else SELL_INTENT
            return Utterance(self._vary(rng.choice(phrases)), prospect.role, {})
        if asked_slot == "name":
            text = rng.choice([prospect.name, f"this is {prospect.name}", f"my name is {prospect.name}",
                               prospect.name.lower()])
            return Utterance(text, "provide_info", {})
        slot = asked_slot if asked_slot in self._slots(prospect) else next(
            (s for s in self._slots(prospect) if s not in prospect.answered), "")
        prospect.answered.add(slot)
        if not slot:
            aside = rng.choice(ASIDES)
            return Utterance(self._vary(aside), ASIDE_INTENTS[aside], {})
        text = self._say(prospect, slot, short=slot == asked_slot and rng.random() < self.short_reply_rate)
        return Utterance(self._vary(text), "provide_info", self._fact(prospect, slot))

    @staticmethod
    def _fact(prospect: Prospect, slot: str) -> dict:
        if slot == "budget":
            return {"budget_max": prospect.facts["budget_max"]}
        return {slot: prospect.facts[slot]}

    @staticmethod
    def _slots(prospect: Prospect) -> list[str]:
        if prospect.role == "buyer":
            return ["financing", "budget", "timeline_days", "areas", "property_type", "bedrooms"]
        return ["address", "timeline_days", "condition", "motivation", "price_expectation"]

    def _say(self, prospect: Prospect, slot: str, short: bool) -> str:
        rng, facts = self.rng, prospect.facts
        if slot == "financing":
            return rng.choice(FINANCING[facts["financing"]])
        if slot == "budget":
            k = facts["budget_max"] // 1000
            return f"${k}k" if short else rng.choice([f"up to {k}k", f"around ${k}k max", f"budget is {k}k",
                                                      f"no more than ${k},000"])
        if slot == "timeline_days":
            days = facts["timeline_days"]
            phrase = {30: "30 days", 60: "2 months", 90: "3 months", 180: "6 months", 365: "a year"}[days]
            return phrase if short else rng.choice([f"within {phrase}", f"in the next {phrase}", f"about {phrase}"])
        if slot == "areas":
            area = facts["areas"][0]
            return area if short else rng.choice([f"{area} mainly", f"looking in {area}", f"we like {area}"])
        if slot == "property_type":
            return rng.choice(TYPES[facts["property_type"]])
        if slot == "bedrooms":
            beds = facts["bedrooms"]
            return str(beds) if short else rng.choice([f"{beds} bedrooms", f"{beds}br", f"at least {beds} beds"])
        if slot == "address":
            return facts["address"] if short else f"it's at {facts['address']}"
        if slot == "condition":
            return rng.choice(CONDITIONS[facts["condition"]])
        if slot == "motivation":
            return rng.choice(MOTIVATIONS[facts["motivation"]])
        if slot == "price_expectation":
            k = facts["price_expectation"] // 1000
            return f"{k}k" if short else rng.choice([f"hoping for {k}k", f"around ${k}k", f"we'd like {k}k"])
        raise ValueError(slot)

    def _vary(self, text: str) -> str:
        return typo(text, self.rng) if self.rng.random() < self.typo_rate else text


# --- the simulated Claude ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class CallCost:
    """Token shape of one call. About 7,500 tokens per interaction over the four calls, most of it the stable
    system prompts and conversation context that Anthropic prompt caching can serve."""

    model: str
    system_tokens: int     # cacheable prefix
    input_tokens: int      # per-call context
    output_tokens: int


CALL_COSTS = {
    "intent": CallCost("claude-haiku-4-5", 1200, 300, 20),
    "facts": CallCost("claude-haiku-4-5", 1400, 350, 80),
    "memory": CallCost("claude-haiku-4-5", 900, 1500, 80),
    "response": CallCost("claude-sonnet-4-6", 1200, 400, 60),
    # A turn's reply on the qualification path: a template for the dialogue state (no facts, memory or SMS to read).
    "state_reply": CallCost("claude-sonnet-4-6", 1300, 200, 60),
}


def call_price(kind: str, prices: dict, prompt_caching: bool) -> tuple[float, int]:
    """US dollars and tokens of one call; with prompt caching the system prompt is a cache read."""
    shape = CALL_COSTS[kind]
    price = prices[shape.model]
    system_rate = price["cache_read"] if prompt_caching else price["input"]
    dollars = (shape.system_tokens * system_rate + shape.input_tokens * price["input"]
               + shape.output_tokens * price["output"]) / 1_000_000
    return dollars, shape.system_tokens + shape.input_tokens + shape.output_tokens


class SimulatedClaude:
    """Answers every call with the ideal answer: the generated message's known meaning for intent and facts,
    and deterministic functions of the inputs for memory and the reply. Records price and a drawn latency for each
    call it answers (the latency is accounted, not slept)."""

    def __init__(self, prices: dict, seed: int, latency_median_ms: float, latency_sigma: float):
        self.prices = prices
        self.truth: dict[tuple[str, str], tuple[str, dict]] = {}
        self.rules = RuleBasedProvider()
        self.latency = random.Random(seed)
        self.latency_median_ms, self.latency_sigma = latency_median_ms, latency_sigma
        self.turn_llm_ms = 0.0
        self.calls: list[str] = []

    def learn(self, utterance: Utterance, question: str) -> bool:
        """Register the meaning of a message about to be sent. False when the same text after the same question
        was generated earlier with another meaning (the first meaning stands; such collisions are counted)."""
        key = (utterance.text, question)
        known = self.truth.setdefault(key, (utterance.intent, utterance.facts))
        return known == (utterance.intent, utterance.facts)

    def model_for(self, kind: str) -> str:
        return CALL_COSTS[kind].model

    def answer(self, kind: str, *args):
        if kind == "intent":
            text = args[0]
            return {"intent": self.truth[(text.text, text.question)][0], "confidence": 0.9}
        if kind == "facts":
            text = args[0]
            return {"facts": self.truth[(text.text, text.question)][1]}
        if kind == "memory":
            return self.rules.memory(*args).model_dump(mode="json")
        if kind == "response":
            brief: ReplyBrief = args[0]
            return {"reply": brief.fallback_reply}
        if kind == "state_reply":
            return self.rules.state_reply(*args).model_dump(mode="json")
        raise ValueError(kind)

    def call(self, kind: str, context, *args) -> Computed:
        self.calls.append(kind)
        self.turn_llm_ms += self.latency.lognormvariate(math.log(self.latency_median_ms), self.latency_sigma)
        dollars, tokens = call_price(kind, self.prices, prompt_caching=True)
        return Computed(self.answer(kind, *args), dollars, tokens)


def same_answer(kind: str, served, expected) -> bool:
    if kind == "facts":
        return clean_facts(served["facts"]) == clean_facts(expected["facts"])
    if kind == "intent":
        return served["intent"] == expected["intent"]
    return served == expected


# --- run on its own: what the generated traffic looks like ------------------------------------------------------


def describe(seed: int, contacts: int, *, typo_rate: float = 0.15, short_reply_rate: float = 0.35,
             max_texts_per_contact: int = 40) -> dict:
    """Each prospect answers the bots' questions in the bots' order (greeting, buy or sell, name, then the facts
    of its role) until every fact is given; the figures of the texts that makes."""
    from bots.stages import BUYER_SLOTS, SELLER_SLOTS, question_for

    workload = Workload(seed, contacts, typo_rate=typo_rate, short_reply_rate=short_reply_rate)
    pairs: Counter = Counter()
    meanings: dict[tuple[str, str], tuple] = {}
    intents: Counter = Counter()
    collisions = 0
    texts_per_contact = []
    for prospect in workload.prospects:
        # What the bots ask, in their order; a question stays asked until it is answered (an aside answers nothing).
        questions = ["lead_type", "name", *(BUYER_SLOTS if prospect.role == "buyer" else SELLER_SLOTS)]
        asked, question, sent, named = "", "", 0, False
        while sent < max_texts_per_contact:
            utterance = workload.next_message(prospect, asked)
            sent += 1
            key = (utterance.text, question)
            pairs[key] += 1
            meaning = (utterance.intent, json.dumps(utterance.facts, sort_keys=True))
            if meanings.setdefault(key, meaning) != meaning:
                collisions += 1
            intents[utterance.intent] += 1
            named = named or (asked == "name" and utterance.intent == "provide_info")
            questions = [q for q in questions if not (prospect.said_role if q == "lead_type" else named if q == "name"
                                                      else q in prospect.answered)]
            if not questions:
                break
            asked = questions[0]
            question = question_for(asked, prospect.role, "en")
        texts_per_contact.append(sent)
    texts = sum(pairs.values())
    repeats = texts - len(pairs)  # a text after the same question that was already generated once
    return {
        "seed": seed, "contacts": contacts, "buyers": sum(p.role == "buyer" for p in workload.prospects),
        "sellers": sum(p.role == "seller" for p in workload.prospects), "texts": texts,
        "texts_per_contact_mean": texts / contacts if contacts else 0.0,
        "texts_per_contact_max": max(texts_per_contact, default=0),
        "distinct_text_question_pairs": len(pairs), "repeated_texts": repeats,
        "repeat_rate": repeats / texts if texts else 0.0, "meaning_collisions": collisions,
        "intents": dict(intents.most_common()),
        "most_repeated": [{"text": text, "after": question[:40], "times": n}
                          for (text, question), n in pairs.most_common(5) if n > 1],
    }


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description="What the benchmark's generated SMS traffic looks like")
    parser.add_argument("--contacts", type=int, default=75, help="prospects generated (memory_performance's default)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--typo-rate", type=float, default=0.15)
    parser.add_argument("--short-reply-rate", type=float, default=0.35)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    if args.contacts < 1:
        parser.error("--contacts must be at least 1")
    report = describe(args.seed, args.contacts, typo_rate=args.typo_rate, short_reply_rate=args.short_reply_rate)
    print(f"{report['contacts']} prospects (seed {report['seed']}): {report['buyers']} buyers, "
          f"{report['sellers']} sellers")
    print("| texts | per prospect (mean / max) | distinct (text, question) | repeated texts | repeat rate "
          "| same text and question, another meaning |")
    print("|---:|---:|---:|---:|---:|---:|")
    print(f"| {report['texts']} | {report['texts_per_contact_mean']:.1f} / {report['texts_per_contact_max']} "
          f"| {report['distinct_text_question_pairs']} | {report['repeated_texts']} | {report['repeat_rate']:.1%} "
          f"| {report['meaning_collisions']} |")
    print("intents: " + ", ".join(f"{name} {n}" for name, n in report["intents"].items()))
    for row in report["most_repeated"]:
        print(f"  {row['times']}x {row['text']!r} after {row['after']!r}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2))
        print(f"wrote {args.json}")
    return report


if __name__ == "__main__":
    main()
