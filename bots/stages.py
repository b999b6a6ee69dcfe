"""The Lead, Buyer and Seller bots: what the next text does, decided in code from validated facts and the
classified intent; the response call only words it.

Every intent has a branch: an opt-out in words is honoured with one confirmation; "not interested", a wrong
number and a renter get a polite close and no more questions; a question about a specific listing, about the
home's worth, fees or contracts, a request for a person or a showing go to an agent; "are you a bot?" gets an
honest answer; otherwise the next question is the first missing qualification fact, one at a time.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from leads.data_files import read_toml
from leads.facts import has_budget
from leads.intents import Intent
from leads.models import BotKind, LeadType, Temperature

DIALOGUE = Path(__file__).resolve().parent / "data" / "dialogue.toml"
BUYER_SLOTS = ("financing", "budget", "timeline_days", "areas", "property_type", "bedrooms")
SELLER_SLOTS = ("address", "timeline_days", "condition", "motivation", "price_expectation")
HANDOFF_REASONS = {
    Intent.WANTS_HUMAN: "asked for a person",
    Intent.APPOINTMENT: "wants an appointment or a showing",
    Intent.AGENT_QUESTION: "asked what an agent must answer (home value, commission, contract, legal)",
    Intent.LISTING_QUESTION: "asked about a specific listing",
}
# The handoffs the facts decide (not a request of the prospect's): a hot lead, or one with nothing left to ask.
HOT_LEAD = "hot lead"
FULLY_QUALIFIED = "fully qualified"
DECIDED_HANDOFFS = frozenset({HOT_LEAD, FULLY_QUALIFIED})
LISTING_HANDOFF = HANDOFF_REASONS[Intent.LISTING_QUESTION]
# The handoffs of a lead ready to meet an agent: the handoff's reply offers the agent's free times (booking). A
# question about a home for sale is one: the agent who answers it can show the home.
BOOKING_HANDOFFS = DECIDED_HANDOFFS | {HANDOFF_REASONS[Intent.APPOINTMENT], LISTING_HANDOFF}
CLOSING_INTENTS = {Intent.NOT_INTERESTED: "not interested", Intent.WRONG_NUMBER: "wrong number",
                   Intent.RENTER: "renter"}
# Every question asked, some passed on: no more questions, and no handoff (the lead is not fully qualified; a hot
# one is handed off anyway, and the facts still missing hand it off once the prospect gives them).
ASKED_EVERYTHING = "asked everything"
# A buyer or seller whose conversation was closed and who comes back with a question: a person answers it (the bot
# has no answer of its own, and silence would leave a real prospect unanswered).
QUESTION_AFTER_CLOSE = "asked a question after the conversation closed"
# Asked twice whether they buy or sell and answered with neither ("just browsing", "maybe in a year or two"): a
# polite close that leaves the door open, instead of the same question a third time. In between, the name is asked.
UNDECIDED = "undecided"
UNDECIDED_AFTER = 2
# The close reason whose reply is the honest answer to "are you a bot?" (dialogue.toml's bot_answer).
BOT_ANSWER_AFTER_CLOSE = "bot answer"


class Action:
    ASK = "ask"                # ask the next question (after an acknowledgement, an answer, or a refusal)
    HANDOFF = "handoff"        # an agent takes over; the bot pauses
    CLOSE = "close"            # a polite close, no more questions
    OPT_OUT = "opt_out"        # consent revoked: suppress, confirm once
    SILENT = "silent"          # nothing to say (a closed conversation's "thanks anyway")


@dataclass(frozen=True)
class Step:
    bot: str                # which bot handles the contact after this turn
    lead_type: str
    action: str
    next_slot: str = ""     # the fact asked for next ("" when none)
    next_question: str = ""
    handoff_reason: str = ""  # why an agent takes over ("" when the bot carries on)
    close_reason: str = ""
    preface: str = ""       # what the reply says before the question: an answer about the bot, a question's reply


def _dialogue() -> dict:
    return read_toml(DIALOGUE)


def wording(language: str) -> dict:
    return _dialogue().get(language) or _dialogue()["en"]


def question_for(slot: str, lead_type: str, language: str) -> str:
    questions = wording(language)["questions"]
    if slot == "timeline_days":
        return questions["seller_timeline" if lead_type == LeadType.SELLER else "buyer_timeline"]
    return questions[slot]


def lead_type_from(intent: Intent, stated: str, corrects: bool, facts: dict, current: str) -> str:
    """What the contact is: kept once known, unless the prospect corrects it ("perdon, es para comprar")."""
    if stated and (current == LeadType.UNKNOWN or corrects):
        return stated
    if current != LeadType.UNKNOWN:
        return current
    # Asking about a home for sale ("is it still available?", "the HOA on the townhome on 5th") is a buyer's question.
    if intent in (Intent.BUYER, Intent.LISTING_QUESTION) or facts.get("financing") or has_budget(facts):
        return LeadType.BUYER
    if intent == Intent.SELLER or facts.get("address") or facts.get("price_expectation"):
        return LeadType.SELLER
    if intent == Intent.RENTER:
        return LeadType.RENTER
    return LeadType.UNKNOWN


def missing_slot(lead_type: str, facts: dict, passed: tuple = ()) -> str:
    """The first fact not known yet, leaving out those the prospect passed on when asked."""
    for slot in BUYER_SLOTS if lead_type == LeadType.BUYER else SELLER_SLOTS:
        if slot == "bedrooms" and facts.get("property_type") == "land":
            continue  # a lot to build on has no rooms to ask about
        present = has_budget(facts) if slot == "budget" else bool(facts.get(slot))
        if not present and slot not in passed:
            return slot
    return ""


def slot_facts(slot: str) -> set[str]:
    """The facts that answer a slot's question (the budget question has two)."""
    return {"budget_min", "budget_max"} if slot == "budget" else {slot}


def passed_on(asked_slot: str, facts: dict, intent: Intent, *, answered_other: bool = False, lead_type: str = "") -> bool:
    """The prospect's reply to the question said nothing the bot can read as an answer ("my wife knows the
    budget"): asking it again at once would loop, so it waits until the end (and an agent takes it from there). A
    reply that told something else instead (a late answer to an earlier question, a name) did not refuse the
    question, so it is asked once more after that is taken in."""
    if asked_slot == "lead_type":
        answered = lead_type not in ("", LeadType.UNKNOWN)
    else:
        answered = has_budget(facts) if asked_slot == "budget" else bool(facts.get(asked_slot))
    # Whether they buy or sell is the gate of every other question: a reply that told something else still passed it.
    told_other = answered_other and asked_slot != "lead_type"
    return asked_slot in ("lead_type",) + BUYER_SLOTS + SELLER_SLOTS and not answered and not told_other and intent in (
        Intent.PROVIDE_INFO, Intent.OTHER, Intent.GREETING, Intent.BUYER, Intent.SELLER)


def _bot_for(lead_type: str) -> str:
    return {LeadType.BUYER: BotKind.BUYER, LeadType.SELLER: BotKind.SELLER}.get(lead_type, BotKind.LEAD)


def next_step(*, lead_type: str, name: str, name_asked: bool, facts: dict, intent: Intent, temperature: str,
              closed: bool, language: str, injection: bool = False, passed: tuple = ()) -> Step:
    bot = _bot_for(lead_type)
    if intent == Intent.OPT_OUT:
        return Step(bot, lead_type, Action.OPT_OUT)
    reason = HANDOFF_REASONS.get(intent) or (HOT_LEAD if temperature == Temperature.HOT and not injection else "")
    if reason:
        return Step(bot, lead_type, Action.HANDOFF, handoff_reason=reason)
    if closed and intent == Intent.BOT_QUESTION:
        # "is this a bot?" after a close still gets its honest answer, and nothing more.
        return Step(bot, lead_type, Action.CLOSE, close_reason=BOT_ANSWER_AFTER_CLOSE)
    if intent in CLOSING_INTENTS or lead_type == LeadType.RENTER:
        if closed:
            return Step(bot, lead_type, Action.SILENT)
        return Step(bot, lead_type, Action.CLOSE, close_reason=CLOSING_INTENTS.get(intent, "renter"))
    qualifying = lead_type in (LeadType.BUYER, LeadType.SELLER)
    if closed and qualifying and not missing_slot(lead_type, facts):
        return Step(bot, lead_type, Action.HANDOFF, handoff_reason=FULLY_QUALIFIED)
    if closed and intent == Intent.QUESTION and qualifying:
        return Step(bot, lead_type, Action.HANDOFF, handoff_reason=QUESTION_AFTER_CLOSE)
    if closed and intent not in (Intent.BUYER, Intent.SELLER):
        return Step(bot, lead_type, Action.SILENT)
    replies = wording(language)["replies"]
    preface = {Intent.BOT_QUESTION: replies["bot_answer"], Intent.QUESTION: replies["question"]}.get(intent, "")
    if injection:
        preface = replies["injection"]
    if lead_type == LeadType.UNKNOWN and passed.count("lead_type") >= UNDECIDED_AFTER:
        return Step(bot, lead_type, Action.CLOSE, close_reason=UNDECIDED)
    if lead_type == LeadType.UNKNOWN and not (passed.count("lead_type") == 1 and not name and not name_asked):
        slot = "lead_type"
    elif not name and not name_asked:
        slot = "name"
    else:
        slot = missing_slot(lead_type, facts, passed)
    if not slot and missing_slot(lead_type, facts):
        return Step(bot, lead_type, Action.CLOSE, close_reason=ASKED_EVERYTHING)
    if not slot:
        return Step(bot, lead_type, Action.HANDOFF, handoff_reason=FULLY_QUALIFIED)
    bot = BotKind.LEAD if slot in ("lead_type", "name") else bot
    return Step(bot, lead_type, Action.ASK, slot, question_for(slot, lead_type, language), preface=preface)


def template_reply(step: Step, name: str, first_turn: bool, language: str) -> str:
    """The offline provider's wording (and the reply used when a model's reply fails validation)."""
    return reply_template(step, bool(name), first_turn, language).format(name=name)


def reply_template(step: Step, has_name: bool, first_turn: bool, language: str) -> str:
    """The offline wording with the prospect's name left as `{name}` (used only when `has_name`): what a reply
    says depends on the step and on whether a name is known, never on whose it is."""
    replies = wording(language)["replies"]
    thanks = replies["thanks_name"] if has_name else replies["thanks"]
    if step.action == Action.HANDOFF:
        return f"{thanks} {replies['handoff_listing' if step.handoff_reason == LISTING_HANDOFF else 'handoff']}"
    if step.action == Action.CLOSE:
        return replies[step.close_reason.replace(" ", "_")]
    if first_turn:
        # "Hi, I'm Keisha and we're looking to buy": greeted by the name just given.
        opening = replies["greeting_short" if step.preface == replies["bot_answer"] else
                          "greeting_name" if has_name else "greeting"]
    else:
        opening = "" if step.preface else _acknowledgement(step, has_name, replies)
    return " ".join(part for part in (opening, step.preface, step.next_question) if part)


def _acknowledgement(step: Step, has_name: bool, replies: dict) -> str:
    """A person thanks someone by name once, when they have just said it (the first qualification question comes
    right after the name), and otherwise varies the words: "Thanks, Jake!" before every question reads as a
    script. The choice follows the question asked next, so a retried turn words its reply the same."""
    if has_name and step.next_slot in (BUYER_SLOTS[0], SELLER_SLOTS[0], "lead_type"):
        return replies["thanks_name"]
    if step.next_slot in ("", "name", "lead_type"):
        return replies["thanks"]
    choices = replies["acknowledgements"]
    return choices[sum(map(ord, step.next_slot)) % len(choices)]


@lru_cache(maxsize=1)
def dialogue_version() -> str:
    """A digest of the dialogue's wording: part of a state reply's key, so editing dialogue.toml retires templates
    written from the old wording."""
    return hashlib.sha256(DIALOGUE.read_bytes()).hexdigest()[:16]
