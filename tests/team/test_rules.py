"""Who a lead may go to: the profile's switch, lead types, areas (compared as the product compares places) and
price band against the budget or the price expected; an empty rule takes all, and an unknown takes every rule."""

import pytest

from leads.models import LeadType
from team.eligibility import area_key, lead_wants, profile_takes
from team.models import AgentProfile
from team.selectors import eligible_members
from tests.support.factories import ContactFactory
from tests.support.team import make_agent, make_group

pytestmark = pytest.mark.django_db


def profile(**rules) -> AgentProfile:
    return AgentProfile(**rules)  # unsaved: the rules alone


@pytest.mark.parametrize("written, same_as", [
    ("St. George", "st george"), ("ST.GEORGE", "St George"), ("  Sugar   House ", "sugar house"),
    ("Coeur d'Alene", "COEUR D'ALENE"), ("The Heights", "heights"), ("the Gulch", "Gulch"),
])
def test_areas_compare_case_folded_without_abbreviation_points_or_a_leading_article(written, same_as):
    assert area_key(written) == area_key(same_as)


def test_different_places_stay_different():
    assert area_key("Sugar House") != area_key("Sugarhouse Park")
    assert area_key("The Woodlands") != area_key("Woodland")


def test_an_empty_rule_takes_every_lead():
    buyer = ContactFactory.build(lead_type=LeadType.BUYER, facts={"areas": ["Austin"], "budget_max": 900_000})
    assert profile_takes(profile(), lead_wants(buyer))


def test_lead_type_rule():
    seller = lead_wants(ContactFactory.build(lead_type=LeadType.SELLER))
    assert not profile_takes(profile(lead_types=["buyer"]), seller)
    assert profile_takes(profile(lead_types=["buyer", "seller"]), seller)
    # A lead whose type is not known yet is not turned away for it.
    assert profile_takes(profile(lead_types=["buyer"]), lead_wants(ContactFactory.build(lead_type=LeadType.UNKNOWN)))


def test_area_rule_matches_any_named_area_like_the_product_compares_them():
    buyer = lead_wants(ContactFactory.build(lead_type=LeadType.BUYER, facts={"areas": ["Round Rock", "St. Johns"]}))
    assert profile_takes(profile(areas=["st johns"]), buyer)
    assert profile_takes(profile(areas=["ROUND ROCK", "Cedar Park"]), buyer)
    assert not profile_takes(profile(areas=["Cedar Park"]), buyer)
    assert profile_takes(profile(areas=["Cedar Park"]), lead_wants(ContactFactory.build(facts={})))


@pytest.mark.parametrize("facts, lead_type, takes", [
    ({"budget_max": 450_000}, LeadType.BUYER, True),
    ({"budget_max": 250_000}, LeadType.BUYER, False),             # below the band
    ({"budget_min": 700_000, "budget_max": 900_000}, LeadType.BUYER, False),  # above it
    ({"budget_min": 550_000, "budget_max": 900_000}, LeadType.BUYER, True),   # overlaps its top
    ({"budget_min": 350_000}, LeadType.BUYER, True),              # "from 350k": a bound is the whole budget known
    ({"price_expectation": 610_000}, LeadType.SELLER, False),     # a seller's price, not a budget
    ({"price_expectation": 480_000}, LeadType.SELLER, True),
    ({"budget_max": 450_000}, LeadType.SELLER, True),             # a seller's budget is no price: unknown
    ({}, LeadType.BUYER, True),                                   # no budget said yet
])
def test_price_band_against_budget_or_price_expectation(facts, lead_type, takes):
    band = profile(price_min=300_000, price_max=600_000)
    assert profile_takes(band, lead_wants(ContactFactory.build(lead_type=lead_type, facts=facts))) is takes


def test_only_one_bound_of_a_band():
    cheap = lead_wants(ContactFactory.build(lead_type=LeadType.BUYER, facts={"budget_max": 200_000}))
    assert not profile_takes(profile(price_min=1_000_000), cheap)
    assert profile_takes(profile(price_max=250_000), cheap)


def test_a_group_offers_only_accepting_active_members_whose_rules_take_the_lead():
    austin = make_agent("ana", areas=["Austin"])
    anywhere = make_agent("ben")
    paused = make_agent("cai", accepting_leads=False)
    gone = make_agent("dee")
    gone.is_active = False
    gone.save()
    dallas = make_agent("eve", areas=["Dallas"])
    group = make_group("Buyers", 1, [austin, anywhere, paused, gone, dallas])
    lead = ContactFactory(lead_type=LeadType.BUYER, facts={"areas": ["austin"]})
    assert [p.user for p in eligible_members(group, lead)] == [austin, anywhere]
