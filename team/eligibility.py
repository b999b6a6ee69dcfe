"""Which leads an agent's profile takes: the rules compared with what the lead has told the bot. Pure functions.

An empty rule takes every lead, and a lead is never turned away for what it has not said: a lead without a known
type, area or price matches every rule on that point (routing would otherwise give such leads only to the agents
without rules, however well they fit the others)."""

from __future__ import annotations

from dataclasses import dataclass

from leads.facts import area_key
from leads.models import Contact, LeadType


@dataclass(frozen=True)
class LeadWants:
    lead_type: str                 # a LeadType value; "unknown" matches every rule
    areas: frozenset[str]          # area_key of each area named; empty matches every rule
    price_low: int | None          # the budget's range (a buyer) or the price expected (a seller)
    price_high: int | None


def lead_wants(contact: Contact) -> LeadWants:
    facts = contact.facts or {}
    if contact.lead_type == LeadType.SELLER:
        low = high = facts.get("price_expectation")
    else:
        low = facts.get("budget_min") or facts.get("budget_max")
        high = facts.get("budget_max") or facts.get("budget_min")
    return LeadWants(lead_type=contact.lead_type, areas=frozenset(area_key(area) for area in facts.get("areas", [])),
                     price_low=low, price_high=high)


def profile_takes(profile, wants: LeadWants) -> bool:
    """Whether an AgentProfile's rules take the lead (its on/off switch is the caller's to check)."""
    if profile.lead_types and wants.lead_type != LeadType.UNKNOWN and wants.lead_type not in profile.lead_types:
        return False
    if profile.areas and wants.areas and not wants.areas & {area_key(area) for area in profile.areas}:
        return False
    if wants.price_low is None:
        return True
    if profile.price_min is not None and wants.price_high < profile.price_min:
        return False
    return profile.price_max is None or wants.price_low <= profile.price_max
