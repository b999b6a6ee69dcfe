"""Texts no one sent before, at a chosen share of the traffic (`memory_performance.py --unique-share S`).

The pool: the workload's grammar (benchmarks/workload.py): common replies, a few phrasings per meaning, amounts on
round 25k steps, a dozen first names and areas, typos and short replies. Left alone it repeats itself more and
more as prospects accumulate, which flatters any cache.

Fresh texts are made to keep the running share of texts never sent before in the run at S: when the pool's next
text is one already sent and fewer than S of the texts so far were new, it is replaced by a fresh one of the same
meaning's kind, never sent before: an off-grid amount ($437,500 rather than a 25k step) for a budget or a price, a
house number and street drawn from thousands for an address, a first name built from syllables, and for
everything else the pool's text in a personal phrasing (an opener, a made-up detail that states no fact, a
closer: tens of thousands of combinations). A fresh amount or address becomes the prospect's fact, so the ideal
answer stays known; fresh texts draw from a random stream of their own, so the prospects and the pool's draws are
the same at every share. Each is checked against every text generated so far and redrawn until it is new.

The pool's own texts are new the first time they are sent (the first "hi", a rare budget and phrasing), so the
share never sent before is S or, where the pool alone is more novel than S (few prospects), the pool's own share;
`novelty()` reports what was generated.
"""

from __future__ import annotations

import random
from dataclasses import replace

from benchmarks.workload import Prospect, Utterance, Workload

OPENERS = ["ok so", "hmm", "well", "yeah", "honestly", "so basically", "sorry for the late reply,", "hey again,",
           "right,", "good question,", "let me think,", "oh", "to be honest", "uh", "fwiw", "as for that,"]
DETAILS = ["texting from the {place}", "on my lunch break at the {place}", "just got back from the {place}",
           "sitting at the {place} now", "my {person} is asking too", "my {person} says hi",
           "been talking it over with my {person}", "waiting at the {place}", "walking the dog past the {place}"]
PLACES = ["bakery", "gym", "dentist", "office", "car wash", "airport", "library", "pharmacy", "school pickup",
          "hardware store", "coffee shop", "vet", "farmers market", "bank", "post office", "train station"]
PEOPLE = ["wife", "husband", "partner", "mom", "dad", "sister", "brother", "roommate", "fiance", "aunt"]
CLOSERS = ["", " lol", " :)", " thx", " !", " haha", " ok?", " cheers", " ty", " - sent from my phone", " 👍", "..."]
SYLLABLES = ["ka", "lo", "mi", "ra", "ten", "sha", "vo", "del", "ni", "bri", "an", "jo", "mar", "el", "tu", "zen",
             "qui", "ro", "fa", "lin"]
STREET_NAMES = ["birch", "aspen", "sycamore", "juniper", "magnolia", "cypress", "hawthorn", "laurel", "mesquite",
                "redbud", "sage", "bluebonnet", "hickory", "live oak", "chestnut", "poplar", "walnut", "yucca",
                "cactus", "agave", "primrose", "heron", "falcon", "sparrow"]
STREET_TYPES = ["st", "dr", "ln", "ave", "ct", "trl", "way", "cv", "blvd", "pass"]
AMOUNT_FORMS = ["{dollars}", "{k}k", "up to {dollars}", "around {k}k", "no more than {dollars}", "max {k}k",
                "{k} thousand", "budget is {dollars}"]
PRICE_FORMS = ["{dollars}", "{k}k", "hoping for {dollars}", "around {k}k", "we'd like {dollars}", "at least {k}k"]
ATTEMPTS = 1000


class DiverseWorkload(Workload):
    """The workload with a share of its texts generated fresh. Counts what it generated: `novelty()`."""

    def __init__(self, seed: int, contacts: int, *, unique_share: float, **options):
        if not 0.0 <= unique_share <= 1.0:
            raise ValueError(f"unique share must be between 0 and 1 (got {unique_share})")
        super().__init__(seed, contacts, **options)
        self.unique_share = unique_share
        self.fresh_rng = random.Random(f"fresh-{seed}")
        self.sent: set[str] = set()
        self.texts = self.fresh_texts = self.never_sent = 0

    def next_message(self, prospect: Prospect, asked_slot: str) -> Utterance:
        utterance = super().next_message(prospect, asked_slot)
        if utterance.text in self.sent and self.never_sent < self.unique_share * (self.texts + 1):
            utterance = self._fresh(prospect, utterance, asked_slot)
            self.fresh_texts += 1
        self.texts += 1
        self.never_sent += utterance.text not in self.sent
        self.sent.add(utterance.text)
        return utterance

    def novelty(self) -> dict:
        texts = max(self.texts, 1)
        return {"unique_share": self.unique_share, "texts": self.texts, "fresh_texts": self.fresh_texts,
                "fresh_share": self.fresh_texts / texts, "never_sent_before": self.never_sent,
                "never_sent_share": self.never_sent / texts}

    def _fresh(self, prospect: Prospect, utterance: Utterance, asked_slot: str) -> Utterance:
        make = self._maker(utterance, asked_slot)
        for _ in range(ATTEMPTS):
            text, facts = make(prospect)
            if text not in self.sent:
                for key, value in facts.items():  # a fresh amount or address is what this prospect means now
                    prospect.facts[key] = value
                if asked_slot == "name" and not facts:
                    prospect.name = text.split()[-1]
                return replace(utterance, text=text, facts=facts or utterance.facts)
        raise RuntimeError(f"no new text for {utterance.text!r} in {ATTEMPTS} draws")

    def _maker(self, utterance: Utterance, asked_slot: str):
        rng, facts = self.fresh_rng, utterance.facts
        if "budget_max" in facts:
            return lambda _p: self._amount("budget_max", AMOUNT_FORMS, 180, 2400)
        if "price_expectation" in facts:
            return lambda _p: self._amount("price_expectation", PRICE_FORMS, 200, 2600)
        if "address" in facts:
            def address(_p):
                value = f"{rng.randrange(10, 20000)} {rng.choice(STREET_NAMES)} {rng.choice(STREET_TYPES)}"
                return rng.choice([value, f"it's at {value}", f"the house is {value}"]), {"address": value}
            return address
        if asked_slot == "name" and utterance.intent == "provide_info" and not facts:
            def name(_p):
                made = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()
                return rng.choice([made, f"this is {made}", f"my name is {made}", f"it's {made}"]), {}
            return name
        return lambda _p: (self._personal(utterance.text), {})

    def _amount(self, key: str, forms: list[str], low_k: int, high_k: int) -> tuple[str, dict]:
        rng = self.fresh_rng
        dollars = rng.randrange(low_k, high_k) * 1000 + rng.choice([0, 500, 250, 750])
        while dollars % 25_000 == 0:  # off the pool's grid
            dollars += 1000
        k = f"{dollars / 1000:g}"
        return rng.choice(forms).format(dollars=f"${dollars:,}", k=k), {key: dollars}

    def _personal(self, text: str) -> str:
        rng = self.fresh_rng
        detail = rng.choice(DETAILS).format(place=rng.choice(PLACES), person=rng.choice(PEOPLE))
        return f"{rng.choice(OPENERS)} {text}, {detail}{rng.choice(CLOSERS)}"


def workload_for(args) -> Workload:
    """The benchmark's workload: the grammar alone, or with `--unique-share` of its texts fresh."""
    options = {"short_reply_rate": args.short_reply_rate, "typo_rate": args.typo_rate}
    if getattr(args, "unique_share", None) is None:
        return Workload(args.seed, args.contacts, **options)
    return DiverseWorkload(args.seed, args.contacts, unique_share=args.unique_share, **options)
