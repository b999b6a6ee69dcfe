"""The intent label: the first rule that matches wins, opting out and asking for a person before anything else."""

from __future__ import annotations

from .data import load
from .fingerprints import category
from .question import Question

INTENTS = ("buyer", "seller", "renter", "question", "provide_info", "appointment", "wants_human",
           "not_interested", "opt_out", "greeting", "other")

_INTENT = load("intent.toml")
_APPOINTMENTS = load("groups.toml")["appointments"]
_QUESTION_TOPICS = _INTENT["question_topics"]
_REFUSAL_COMPANY = _INTENT["refusal_company"]
_MEETING_OFFERS = _INTENT["meeting_offers"]
_PLANS_NOT_APPOINTMENTS = _INTENT["plans_not_appointments"]
_SELLER_CONCEPTS = _INTENT["seller_concepts"]


def read_intent(found: list[str], question: Question, facts: dict) -> str:
    present = set(found)
    positive = {t for t in present if not t.startswith("!")}
    return _contact_intent(present, positive, question) or _topic_intent(present, positive, question, facts)


def _contact_intent(present: set, positive: set, question: Question) -> str | None:
    """Opting out, a wrong number, asking for a person, declining."""
    names = any(category(t) == "words" for t in positive)
    if "OPT_OUT" in present:
        return "opt_out"
    if "WRONG_NUMBER" in present:
        return "other"
    if ("HUMAN" in positive and "BOT" not in positive) or (
            "TALK" in positive and ("AGENT" in positive or "HUMAN" in positive or names)):
        return "wants_human"
    has_when = any(t.startswith(("day=", "time=", "pick=")) for t in present)
    if "CALL" in positive and "AGENT" in positive and not has_when:
        return "wants_human"  # "have someone call me"
    if "NO" in present and not positive - _REFUSAL_COMPANY and (question.offer or not question.text):
        return "not_interested"
    return None


def _topic_intent(present: set, positive: set, question: Question, facts: dict) -> str:
    has_when = any(t.startswith(("day=", "time=", "pick=")) for t in present)
    offered_meeting = question.offer and _MEETING_OFFERS & set(question.terms)
    if (positive & _APPOINTMENTS or any(t.startswith("pick=") for t in present)
            or (has_when and not positive & _PLANS_NOT_APPOINTMENTS)
            or ("YES" in present and offered_meeting)):
        return "appointment"
    if "CALL" in positive and not question.text:
        return "wants_human"
    if positive & _SELLER_CONCEPTS or (
            "HOME_VALUE" in positive and "!SELL" not in present and "ASK" not in present and not question.text):
        return "seller"
    if "BUY" in positive or "FIRST_TIME_BUYER" in positive:
        return "buyer"
    if "RENT" in positive:
        return "renter"
    if positive & _QUESTION_TOPICS or "HOME_VALUE" in positive:
        return "question"
    if "GREETING" in present and all(t.islower() for t in present - {"GREETING"}):
        return "greeting"  # "hi", "hi, saw your sign"
    if (present and question.text) or facts:
        return "provide_info"
    return "other"
