"""Reading one SMS: what it is for (the intent), what it states (facts, lead type, a name), in which language,
and whether it tries to steer the assistant. The offline provider answers the bots' intent and facts calls with
this; nothing here knows Django."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field, replace
from datetime import date
from functools import lru_cache

from leads.intents import Intent
from leads.reader import facts as fact_reader
from leads.reader import language, names, optout
from leads.reader.injection import injection_kind
from leads.reader.lexicon import patterns, section
from leads.reader.text import fold_accents, normalise

NEGATED_ROLE = re.compile(r"(?:\bnot|\bno|\bdon'?t|\bdoesn'?t|\bdidn'?t|\bhaven'?t|\bhasn'?t|\bisn'?t|\baren'?t|\bwon'?t|\bcan'?t|\bnever|\bnunca|\bni|\bno busco|\bno quiero|\bno estoy)\s+(?:\w+\s+){0,2}$")
CORRECTION = re.compile(r"\b(?:me equivoque|perdon|i meant|meant to say|sorry|actually|wait|oops|instead|rather|not (?:sell|buy)\w*|"
                        r"no es para|en vez de|mejor)\b")
QUESTION = re.compile(r"\?\s*$|^(?:how|what|when|where|why|which|who|can you|could you|do you|does|is it|are there|should|"
                      r"como|que|cuando|donde|cuanto|cual|se necesita|tienen|hay)\b")
# A question asked back beside the facts ("budget is 375. do we need to be preapproved before we see houses?"): a
# clause that opens as a question and ends in a question mark. A fact said with a question mark ("like 700k?")
# is no question back.
ASKS_BACK = re.compile(r"(?:^|[.!?,;]\s*)¿?(?:how|what|when|where|why|which|who|do (?:we|i|you|u|they)|does|did|"
                       r"can (?:we|i|you|u)|could (?:we|i|you)|should (?:we|i)|is (?:it|there|that|this)|are (?:there|you)|"
                       r"will (?:you|we|i)|would (?:you|we|i)|necesit\w+|como|cuando|donde|cuanto|cual|tienen|hay|"
                       r"puedo|podemos)\b[^.!?]*\?")


@dataclass(frozen=True)
class Reading:
    intent: Intent
    facts: dict = field(default_factory=dict)
    lead_type: str = ""           # buyer, seller or renter when the text says so; "" otherwise
    corrects_lead_type: bool = False  # "perdon me equivoque, es para comprar": replaces what was said before
    name: str = ""
    language: str = ""            # "en", "es", or "" when the text does not tell
    injection: str = ""           # the kind of steering attempt, "" for an ordinary text
    replaces: tuple[str, ...] = ()  # list facts stated to replace earlier ones ("actually millcreek, not sugar house")


def roles(text: str) -> set[str]:
    """The plans a text states (buy, sell, rent; looking for "just browsing"), negated ones left out."""
    folded = fold_accents(text)
    found = set()
    for role in ("buy", "sell", "rent"):
        for match in patterns("lexicon", "roles", role).finditer(folded):
            if NEGATED_ROLE.search(folded[:match.start()]):
                continue
            if role == "sell" and patterns("lexicon", "roles", "sell_by_others").search(folded[:match.start()]):
                continue
            if role == "rent" and patterns("lexicon", "roles", "rent_not").search(folded):
                continue
            found.add(role)
            break
    if patterns("lexicon", "roles", "both").search(folded):
        found |= {"buy", "sell"}
    if patterns("lexicon", "roles", "just_looking").search(folded):
        found.add("looking")
    return found


def lead_type_of(found: set[str]) -> str:
    if "rent" in found and not found & {"buy", "sell"}:
        return "renter"
    if "sell" in found:
        return "seller"
    if "buy" in found:
        return "buyer"
    return ""


def _intent(text: str, found_roles: set[str], stated: dict, name: str, known_type: str = "") -> Intent:
    folded = fold_accents(text)
    if optout.revokes(text):
        return Intent.OPT_OUT
    checks = (("wants_human", Intent.WANTS_HUMAN), ("bot_question", Intent.BOT_QUESTION),
              ("appointment", Intent.APPOINTMENT), ("agent_question", Intent.AGENT_QUESTION),
              ("listing_question", Intent.LISTING_QUESTION), ("wrong_number", Intent.WRONG_NUMBER),
              ("not_interested", Intent.NOT_INTERESTED), ("identity_question", Intent.BOT_QUESTION))
    handoff_words = section("lexicon", "handoff")
    for key, intent in checks:
        if patterns("lexicon", "handoff", key).search(folded):
            if f"not_{key}" in handoff_words and patterns("lexicon", "handoff", f"not_{key}").search(folded):
                continue  # named, not asked for ("before we can see houses?")
            return intent
    # A known buyer or seller who mentions renting speaks of their home now ("our apartment is month to month").
    if lead_type_of(found_roles) == "renter" and known_type not in ("buyer", "seller"):
        return Intent.RENTER
    if QUESTION.search(folded) and (not stated or ASKS_BACK.search(folded)):
        return Intent.QUESTION
    if "sell" in found_roles:
        return Intent.SELLER
    if "buy" in found_roles:
        return Intent.BUYER
    if stated or name:
        return Intent.PROVIDE_INFO
    if patterns("lexicon", "handoff", "greeting").search(folded):
        return Intent.GREETING
    return Intent.OTHER


DICTATED_MARKS = {"comma": ",", "period": ".", "question": "?"}
NOT_A_DICTATED_PERIOD = re.compile(r"(?:grace|trial|waiting|the|a|that|this|one|escrow|lock|rate)\s+$", re.IGNORECASE)


def spoken_punctuation(text: str) -> str:
    """Dictated punctuation ("comma", "period") as the marks it stands for, so lists and clauses end where the
    prospect meant ("dunwoody or sandy springs period" is two places)."""
    for key, mark in DICTATED_MARKS.items():
        regex = re.compile(patterns("lexicon", "dictation", key).pattern, re.IGNORECASE)
        text = regex.sub(lambda match: match.group(0) if NOT_A_DICTATED_PERIOD.search(text[:match.start()])
                         else mark, text)
        text = re.sub(rf"\s+\{mark}", mark, text)
    return text


READINGS_REMEMBERED = 4096


def read(text: str, *, asked: str = "", lead_type: str = "", today: date | None = None, pending: tuple = ()) -> Reading:
    """`asked`: the fact the bot asked for last (its question gives short answers their meaning); `lead_type`:
    what the contact is known to be; `today`: the text's date, which "spring" or "in 3 months" count from;
    `pending`: facts asked for earlier that the prospect has not given yet (a late answer still answers them).

    A reading depends on nothing else, so recent ones are remembered: a turn reads its text up to three times (to
    judge whether its reply is likely shared, and, offline, for intent and facts) and short answers recur across
    contacts. Each caller gets its own copy of the facts."""
    reading = _remembered_read(text, asked, lead_type, today or date.today(), tuple(pending))
    return replace(reading, facts=copy.deepcopy(reading.facts)) if reading.facts else reading


@lru_cache(maxsize=READINGS_REMEMBERED)
def _remembered_read(text: str, asked: str, lead_type: str, today: date, pending: tuple) -> Reading:
    steering = injection_kind(text)
    spoken = language.detect(text)
    if steering:
        return Reading(Intent.OTHER, language=spoken, injection=steering)
    text = spoken_punctuation(text)
    plain = normalise(text)
    found_roles = roles(plain)
    said_type = lead_type_of(found_roles)
    # What the contact is known to be holds unless the text corrects it: a buyer "selling our house" to pay cash
    # for the next one is still a buyer.
    corrects = bool(said_type and CORRECTION.search(fold_accents(plain)))
    known_type = lead_type if lead_type in ("buyer", "seller", "renter") and not corrects else said_type or lead_type
    if known_type == "renter" and lead_type in ("buyer", "seller") and not corrects:
        known_type = lead_type
    stated = fact_reader.read_facts(plain, text, asked=asked, lead_type=known_type, roles=found_roles,
                                    today=today, pending=pending)
    name = names.answered_name(plain, text) if asked == "name" else names.introduced_name(plain, text) or (
        names.bare_name(plain) if not asked else "")
    if not name and asked != "name":
        name = names.late_name(plain, text)
    if name and re.search(rf"\b{re.escape(name.split()[0].casefold())}\s+(?:area|areas|zona)\b", plain.casefold()):
        name = ""  # "eugene area": a place, not who is texting
    if name and asked == "areas" and not names.introduced_name(plain, text) and any(
            area.casefold() == name.casefold() for area in stated.get("areas", [])):
        name = ""  # "Gilbert" answering the areas question: the town, not a late name
    if name and "areas" in stated:
        # "Dana here", "Linda Foster here": the name is no place.
        stated = {**stated, "areas": [area for area in stated["areas"]
                                      if name.split()[0].casefold() not in area.casefold().split()]}
        if not stated["areas"]:
            del stated["areas"]
    intent = _intent(plain, found_roles, stated, name, known_type)
    if intent == Intent.WRONG_NUMBER:
        stated = {}  # a wrong number states nothing about a lead
    elif intent == Intent.LISTING_QUESTION:
        # "is the 3 bed on 5th still available?" describes a listing; "we're pre approved" beside it is the prospect's.
        stated = {key: value for key, value in stated.items() if key in ("financing", "timeline_days")}
    return Reading(
        intent=intent, facts=stated, lead_type=said_type,
        corrects_lead_type=corrects, name=name, language=spoken,
        replaces=("areas",) if "areas" in stated and CORRECTION.search(fold_accents(plain)) else (),
    )
