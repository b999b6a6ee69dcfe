"""Qualification facts the text states, as leads.facts.QualificationFacts keys and values. Negated statements
state nothing ("i cant afford 400k" is no budget)."""

from __future__ import annotations

from .analysis import Analysis
from .data import load
from .question import Question
from .slots import Measure, Slot

_FACTS = load("facts.toml")
_SELLING_CONCEPTS = _FACTS["selling_concepts"]
_NEGATED_BUDGET = _FACTS["negated_budget"]
_OWN_ROLES = _FACTS["own_roles"]
_CONDITION_STATES = _FACTS["condition_states"]
_PROPERTY_TYPE_FACT = _FACTS["property_type"]
_FINANCING_FACT = _FACTS["financing"]
_MOTIVATION_FACT = _FACTS["motivation"]
_CONDITION_FACT = _FACTS["condition"]
# The bounds of QualificationFacts: an amount, a count or a timeline outside them is no fact.
MAX_AMOUNT = 100_000_000
MAX_ROOMS = 20
MAX_TIMELINE_DAYS = 3650
MAX_TEXT = 200
_MONEY = (Measure.MONEY, Measure.MONTHLY_MONEY)


def read_facts(found: list[str], question: Question, analysis: Analysis) -> dict:
    present = set(found)
    positive = {t for t in present if not t.startswith("!")}
    facts: dict = {}
    selling = bool(positive & _SELLING_CONCEPTS) and "BUY" not in positive
    for term in sorted(positive):  # sorted: the first address wins, bedrooms keep the smallest count
        slot = analysis.slots.get(term)
        if slot is not None:
            _slot_fact(facts, slot, present, positive, selling)
    if "ASAP" in positive and "timeline_days" not in facts:
        facts["timeline_days"] = 0
    _financing(facts, present, positive, question)
    types = [t for t in _PROPERTY_TYPE_FACT if t in positive]
    if len(types) == 1:
        facts["property_type"] = _PROPERTY_TYPE_FACT[types[0]]
    if analysis.areas:
        facts["areas"] = list(analysis.areas)
    motivations = [label for concept, label in _MOTIVATION_FACT.items() if concept in positive]
    if motivations:
        facts["motivation"] = ", ".join(motivations)[:MAX_TEXT]
    if positive & _CONDITION_STATES:
        labels = [label for concept, label in _CONDITION_FACT.items() if concept in positive]
        facts["condition"] = ", ".join(labels)[:MAX_TEXT]
    return facts


def _slot_fact(facts: dict, slot: Slot, present: set, positive: set, selling: bool) -> None:
    if slot.measure is Measure.ADDRESS:
        facts.setdefault("address", slot.name[:MAX_TEXT])
        return
    if slot.measure not in _MONEY and slot.measure not in (Measure.BEDROOMS, Measure.BATHROOMS, Measure.DURATION):
        return
    numbers = slot.printed_numbers()  # read as the fingerprint prints them (see slots.py)
    if numbers is None:
        return
    low, high = numbers
    if slot.measure in _MONEY:
        _money_fact(facts, slot.comparison, low, high, present, positive, selling)
    elif slot.measure is Measure.DURATION:
        if 0 <= low <= MAX_TIMELINE_DAYS:
            facts["timeline_days"] = min(facts.get("timeline_days", int(low)), int(low))
    else:
        count = int(low) if slot.measure is Measure.BEDROOMS else low
        key = "bedrooms" if slot.measure is Measure.BEDROOMS else "bathrooms"
        if 0 <= count <= MAX_ROOMS:
            facts[key] = min(facts.get(key, count), count)


def _money_fact(facts: dict, comparison: str, low: float, high: float | None, present: set, positive: set,
                selling: bool) -> None:
    if present & _NEGATED_BUDGET:
        return
    if "THIRD_PARTY" in positive and not positive & _OWN_ROLES:
        return  # someone else's price
    if not 0 <= low <= MAX_AMOUNT or (high is not None and high > MAX_AMOUNT):
        return
    if high is not None:
        facts["budget_min"], facts["budget_max"] = int(low), int(high)
    elif comparison == ">=":
        facts["budget_min"] = int(low)
    elif selling and comparison == "=":
        facts["price_expectation"] = int(low)  # the price a seller hopes for
    else:
        facts["budget_max"] = int(low)


def _financing(facts: dict, present: set, positive: set, question: Question) -> None:
    for concept, value in _FINANCING_FACT.items():
        if concept in positive:
            facts["financing"] = value
            return
    if question.yes_no and "PREAPPROVED" in question.restatable:  # "Have you been pre-approved?"
        if "YES" in present:
            facts["financing"] = "pre_approved"
        elif present == {"NO"}:
            facts["financing"] = "not_started"
