"""The canonical form cache keys are made of: differences of writing go, differences of meaning stay. No database,
no network."""

from __future__ import annotations

import pytest

from leads.understanding import canonical_question, canonical_text


@pytest.fixture(autouse=True)
def empty_test_redis():
    """These tests use neither Redis nor the database: the suite's autouse Redis flush is not needed here."""
    yield


@pytest.mark.parametrize("one, other", [
    ("Pre-approved!!", "pre approved"),
    ("  We're   PRE-APPROVED. ", "we are pre approved"),
    ("u r pre-approved pls", "you are pre approved please"),
    ("I'm ready, thx", "im ready thanks"),
    ("It’s a 3/2", "its a 3/2"),
    ("ur budget?", "your budget??"),
    ("$450,000.", "$450,000"),
])
def test_differences_of_writing_go(one, other):
    assert canonical_text(one) == canonical_text(other)


@pytest.mark.parametrize("one, other", [
    ("4 bedrooms", "5 bedrooms"),
    ("pre-approved", "not pre-approved"),
    ("we don't want a condo", "we want a condo"),
    ("450", "450k"),            # whether a bare 450 is thousands is for the reader of the text to decide
    ("$450k", "450k"),          # likewise the currency sign: digits and units stay as typed
    ("2-3 months", "23 months"),
    ("2.5 baths", "25 baths"),
    ("5:30", "530"),
    ("pre approved?", "pre approved"),  # a question is not a statement
    ("call tom", "call tomorrow"),      # 'tom' is a name as often as it is 'tomorrow'
    ("👍", "👎"),
    ("más", "mas"),
])
def test_differences_of_meaning_stay(one, other):
    assert canonical_text(one) != canonical_text(other)


def test_digits_and_units_are_kept_as_typed():
    assert canonical_text("Budget $450K, 3BR/2BA, 1,800 sqft!") == "budget $450k 3br/2ba 1,800 sqft"


def test_a_question_is_keyed_by_what_it_asks_not_by_the_name_it_greets():
    asked = "Have you been pre-approved for a mortgage yet, or are you paying cash?"
    assert canonical_question(f"Thanks, Dana! {asked}", leave_out="Dana") == canonical_question(
        f"Thanks, Sam! {asked}", leave_out="Sam") == canonical_question(f"Thanks! {asked}")
    assert canonical_question("Are you pre-approved?") != canonical_question("Are you paying cash?")
    assert canonical_question("Are you looking to buy, sell, or both?") != canonical_question(
        "Are you looking to sell, buy, or both?")  # "the first one" answers another option
    assert canonical_question("How many bedrooms do you need?") != canonical_question("How many months until you move?")


def test_an_opening_acknowledgement_asks_nothing_but_what_follows_it_stays():
    asked = "What price range are you shopping in?"
    assert canonical_question(f"Got it, thanks. {asked}") == canonical_question(f"Great! {asked}") == canonical_question(
        asked)
    assert canonical_question(f"Good question, one of our agents can go over that with you. {asked}") != (
        canonical_question(asked))
    offer = "We can show it Tuesday at 4pm or Thursday at 10am. Which works better?"
    assert canonical_question(f"Perfect. {offer}") == canonical_question(offer) != canonical_question(
        "Which works better?")  # the options a short reply picks from are in the sentence before the question
