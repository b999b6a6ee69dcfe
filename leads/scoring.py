"""Scores and temperature, computed in code from validated facts only.

No message text reaches these functions: a prospect can state facts ("we're pre-approved for 450k"), which
move the scores as facts should, but cannot set a score, a temperature or a handoff by asking for one.
"""

from __future__ import annotations

from dataclasses import dataclass

from leads.facts import has_budget
from leads.models import LeadType, Temperature

# Part of the scoring cache key: change it with any change to the rules below.
SCORING_VERSION = "2"

# The temperature bands, as a competent assistant would band a lead (the corpus's authors were given exactly this):
# hot = able and ready soon; cold = little known, far off, or not a buyer or seller; warm = everything between.
READY_WITHIN_DAYS = 100     # "within about 3 months"
FAR_OFF_DAYS = 365          # over a year away is cold
READY_FINANCING = ("cash", "pre_approved")
# Financing that shows progress (a lender talked to, a loan type chosen), short of being ready.
FINANCING_PROGRESS = ("cash", "pre_approved", "pre_qualified", "va_loan", "fha_loan", "conventional")

FINANCING_POINTS = {"cash": 45, "pre_approved": 40, "pre_qualified": 25, "va_loan": 15, "fha_loan": 15,
                    "conventional": 15, "not_started": 0}


@dataclass(frozen=True)
class Scores:
    frs: int          # financial readiness: can they transact?
    pcs: int          # commitment: will they, and soon?
    temperature: str


def timeline_points(days: int | None, scale: int) -> int:
    if days is None:
        return 0
    for limit, share in ((30, 1.0), (90, 0.8), (180, 0.5), (365, 0.25)):
        if days <= limit:
            return round(scale * share)
    return 0


def temperature_of(lead_type: str, facts: dict) -> str:
    days = facts.get("timeline_days")
    soon = days is not None and days <= READY_WITHIN_DAYS
    if lead_type == LeadType.BUYER:
        if facts.get("financing") in READY_FINANCING and has_budget(facts) and soon:
            return Temperature.HOT
        engaged = facts.get("financing") in FINANCING_PROGRESS or has_budget(facts) or days is not None
    elif lead_type == LeadType.SELLER:
        if facts.get("address") and facts.get("price_expectation") and soon:
            return Temperature.HOT
        engaged = days is not None or bool(facts.get("price_expectation")) or (
            bool(facts.get("address")) and len(facts) > 1)
    else:
        return Temperature.COLD  # renters, wrong numbers, people who have not said what they want
    if not engaged or (days is not None and days > FAR_OFF_DAYS):
        return Temperature.COLD
    return Temperature.WARM


def score(lead_type: str, facts: dict, *, wants_appointment: bool = False) -> Scores:
    if lead_type == LeadType.SELLER:
        frs = (35 if facts.get("price_expectation") else 0) + (30 if facts.get("address") else 0) \
            + (15 if facts.get("condition") else 0) + timeline_points(facts.get("timeline_days"), 20)
        pcs = (25 if facts.get("motivation") else 0) + timeline_points(facts.get("timeline_days"), 45) \
            + (10 if facts.get("address") else 0) + (20 if wants_appointment else 0)
    else:
        frs = FINANCING_POINTS.get(facts.get("financing") or "", 0) + (35 if has_budget(facts) else 0) \
            + timeline_points(facts.get("timeline_days"), 20)
        pcs = timeline_points(facts.get("timeline_days"), 50) + (20 if facts.get("areas") else 0) \
            + (15 if facts.get("property_type") else 0) + (10 if facts.get("bedrooms") else 0) \
            + (20 if wants_appointment else 0)
    return Scores(min(frs, 100), min(pcs, 100), temperature_of(lead_type, facts))
