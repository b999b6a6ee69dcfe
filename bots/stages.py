"""The Lead, Buyer and Seller bots: which question comes next, and when to hand the lead to a human.

Decisions are made here in code from validated facts and the classified intent; the response call only words
them. The next question is the first missing qualification fact, one at a time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from leads.facts import has_budget
from leads.intents import Intent
from leads.models import BotKind, LeadType, Temperature

LEAD_QUESTIONS = {
    "lead_type": "Are you looking to buy, sell, or both?",
    "name": "Who am I texting with?",
}
BUYER_QUESTIONS = [
    ("financing", "Have you been pre-approved for a mortgage yet, or are you paying cash?"),
    ("budget", "What price range are you shopping in?"),
    ("timeline_days", "What's your timeline for making a move?"),
    ("areas", "Which areas or neighborhoods are you most interested in?"),
    ("property_type", "What type of home are you looking for: house, condo or townhouse?"),
    ("bedrooms", "How many bedrooms do you need?"),
]
SELLER_QUESTIONS = [
    ("address", "What's the address of the home you're thinking of selling?"),
    ("timeline_days", "When would you ideally like to sell?"),
    ("condition", "How would you describe the condition of the home?"),
    ("motivation", "What's prompting the move?"),
    ("price_expectation", "Do you have a price in mind for the home?"),
]
# Things the bot must not answer itself: an agent takes them.
AGENT_TOPICS = re.compile(
    r"\b(commissions?|fees?\s+do\s+you\s+charge|valuation|apprais\w*|what(?:'s| is)\s+my\s+(?:home|house|place)\s+worth|"
    r"how\s+much\s+(?:is|could)\s+my\s+(?:home|house|place)|cma|comps|lawyer|attorney|legal|contract|offer)\b",
    re.IGNORECASE,
)
INJECTION = re.compile(
    r"\b(ignore\s+(?:all\s+|any\s+|your\s+|the\s+|previous\s+|prior\s+|above\s+)+(?:instructions|rules|prompts?)|"
    r"system\s+prompt|developer\s+mode|you\s+are\s+now|jailbreak|"
    r"(?:set|change|make|update)\s+my\s+(?:score|temperature|status|rating)|"
    r"mark\s+(?:me|this\s+lead|this\s+contact)\s+(?:as\s+)?(?:hot|warm|qualified|priority)|"
    r"(?:reveal|print|show|repeat)\s+(?:your|the)\s+(?:instructions|prompt|rules))",
    re.IGNORECASE,
)
NAME_STATEMENT = re.compile(r"\b(?:my name is|name's|this is|i am|call me)\s+([a-z][a-z'\-]{1,30})\b", re.IGNORECASE)
NOT_A_NAME = {"looking", "interested", "selling", "buying", "not", "just", "here", "ready", "the", "a", "an", "going",
              "moving", "thinking", "pre", "planning", "so", "very", "still", "also", "currently", "trying"}


@dataclass(frozen=True)
class Step:
    bot: str                # which bot handles the contact after this turn
    lead_type: str
    next_slot: str          # the fact asked for next ("" when none)
    next_question: str
    handoff_reason: str     # why an agent takes over ("" when the bot carries on)


def looks_like_injection(text: str) -> bool:
    return bool(INJECTION.search(text or ""))


def learned_name(text: str, *, asked_slot: str) -> str:
    """A first name the prospect gave: an answer to the name question, or "my name is ..." anywhere."""
    match = NAME_STATEMENT.search(text)
    if match and match.group(1).lower() not in NOT_A_NAME:
        return match.group(1).capitalize()
    if asked_slot == "name":
        words = re.findall(r"[A-Za-z][A-Za-z'\-]{1,30}", text)
        if 1 <= len(words) <= 3 and words[0].lower() not in NOT_A_NAME:
            return " ".join(word.capitalize() for word in words[:2])
    return ""


def lead_type_from(intent: str, facts: dict, current: str) -> str:
    if current != LeadType.UNKNOWN:
        return current
    if intent == Intent.BUYER or facts.get("financing") or has_budget(facts):
        return LeadType.BUYER
    if intent == Intent.SELLER or facts.get("address") or facts.get("price_expectation"):
        return LeadType.SELLER
    return LeadType.UNKNOWN


def missing_slot(questions, facts: dict) -> tuple[str, str]:
    for slot, question in questions:
        present = has_budget(facts) if slot == "budget" else bool(facts.get(slot))
        if not present:
            return slot, question
    return "", ""


def next_step(*, lead_type: str, name: str, name_asked: bool, facts: dict, intent: str, text: str,
              temperature: str) -> Step:
    handoff = ""
    if intent == Intent.WANTS_HUMAN:
        handoff = "asked for a person"
    elif AGENT_TOPICS.search(text or ""):
        handoff = "asked about something an agent must answer (valuation, commission, legal)"
    elif intent == Intent.APPOINTMENT:
        handoff = "wants an appointment"
    elif temperature == Temperature.HOT:
        handoff = "hot lead"

    if lead_type == LeadType.UNKNOWN:
        slot, question = "lead_type", LEAD_QUESTIONS["lead_type"]
        return Step(BotKind.LEAD, lead_type, "" if handoff else slot, "" if handoff else question, handoff)
    if not name and not name_asked:
        return Step(BotKind.LEAD, lead_type, "" if handoff else "name", "" if handoff else LEAD_QUESTIONS["name"], handoff)
    bot = BotKind.BUYER if lead_type == LeadType.BUYER else BotKind.SELLER
    slot, question = missing_slot(BUYER_QUESTIONS if bot == BotKind.BUYER else SELLER_QUESTIONS, facts)
    if not slot and not handoff:
        handoff = "fully qualified"
    return Step(bot, lead_type, "" if handoff else slot, "" if handoff else question, handoff)


def template_reply(step: Step, name: str, first_turn: bool) -> str:
    """The fallback's wording (and the reply used when a model's reply fails validation)."""
    if step.handoff_reason:
        greeting = f"Thanks{', ' + name if name else ''}!"
        return f"{greeting} One of our agents will reach out to you shortly."
    if first_turn:
        return f"Hi! Thanks for reaching out to our real estate team. {step.next_question}"
    prefix = f"Thanks{', ' + name if name and step.next_slot != 'name' else ''}! "
    return prefix + step.next_question
