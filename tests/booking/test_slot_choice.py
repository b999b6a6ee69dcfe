"""The words people use to pick one of the offered times, and the ones that must not pick any (leads/reader/
slot_choice.py, read against real offers: Tuesday 10 am, Tuesday 3 pm, Wednesday 5:30 pm)."""

from datetime import date, datetime

import pytest

from leads.reader.slot_choice import choose, fits, read_slot_reply

TODAY = date(2026, 12, 4)  # a Friday
OFFERED = [datetime(2026, 12, 8, 10, 0), datetime(2026, 12, 8, 15, 0), datetime(2026, 12, 9, 17, 30)]
TUE_10, TUE_3, WED_530 = 0, 1, 2


@pytest.mark.parametrize("text, picked", [
    ("the second one", TUE_3),
    ("Second one please", TUE_3),
    ("the 2nd", TUE_3),
    ("2", TUE_3),
    ("2 please", TUE_3),
    ("#2", TUE_3),
    ("option 3", WED_530),
    ("1", TUE_10),
    ("first one works", TUE_10),
    ("the last one", WED_530),
    ("tues at 3", TUE_3),
    ("Tuesday 3pm works", TUE_3),
    ("tue @ 3", TUE_3),
    ("tuesday at 10am", TUE_10),
    ("Tuesday morning", TUE_10),
    ("tuesday afternoon is better", TUE_3),
    ("3pm", TUE_3),
    ("3:00 pm", TUE_3),
    ("10:00 works for me", TUE_10),
    ("10 works", TUE_10),
    ("3", WED_530),
    ("10 am", TUE_10),
    ("any time after 5 works", WED_530),
    ("anytime after 5pm", WED_530),
    ("after 12", TUE_3),
    ("before noon", TUE_10),
    ("wed", WED_530),
    ("wednesday evening", WED_530),
    ("dec 8 at 10", TUE_10),
    ("12/9 at 5:30", WED_530),
    ("the 9th", WED_530),
    ("el martes a las 10", TUE_10),
    ("el martes a las 3", TUE_3),
    ("la segunda", TUE_3),
    ("la 2", TUE_3),
    ("la primera opcion", TUE_10),
    ("el miércoles", WED_530),
    ("miercoles en la tarde", None),   # Wednesday's time is in the evening, not the afternoon
    ("el miércoles en la noche", WED_530),
    ("después de las 5", WED_530),
    ("mañana no, el martes en la tarde", TUE_3),
    ("8 de diciembre a las 10", TUE_10),
])
def test_phrasings_that_pick_a_time(text, picked):
    assert choose(read_slot_reply(text, TODAY), OFFERED) == picked


@pytest.mark.parametrize("text", [
    "none of those work",
    "None of those times work for me",
    "neither",
    "those don't work",
    "can't do any of those",
    "ninguna me queda",
    "ninguno",
    "no me funcionan esos horarios",
    "do you have other times?",
    "not tuesday",
])
def test_phrasings_that_turn_every_time_down(text):
    reply = read_slot_reply(text, TODAY)
    assert reply.decline and choose(reply, OFFERED) is None


@pytest.mark.parametrize("text", [
    "what's the HOA on the townhome?",
    "how much is the one on 5th?",
    "we need 2 bedrooms",
    "my budget is 450k",
    "we have 3 kids",
    "how about 3 bedrooms?",
    "at least 3 baths",
    "around 10 acres",
    "thanks",
    "yes",                          # three times were offered: yes to which?
    "ok",
    "let me ask my wife",
    "who is Dana?",
    "is it still available",
    "I'm pre-approved for 2 million",
    "call me",
    "hi",
    "we'd like 4 beds and 3 baths",
    "5",                             # no fifth option, and no time offered at 5
    "friday",                        # no time offered on Friday
    "tuesday at 7pm",                # Tuesday, but not at 7
])
def test_texts_that_must_not_pick_a_time(text):
    assert choose(read_slot_reply(text, TODAY), OFFERED) is None


def test_agreement_picks_the_one_time_offered():
    assert choose(read_slot_reply("yes that works", TODAY), OFFERED[:1]) == 0
    assert choose(read_slot_reply("sí, perfecto", TODAY), OFFERED[:1]) == 0
    assert choose(read_slot_reply("yes that works", TODAY), OFFERED) is None


@pytest.mark.parametrize("text, cancel, move", [
    ("need to cancel", True, False),
    ("I have to cancel the showing", True, False),
    ("can't make it tomorrow, sorry", True, False),
    ("necesito cancelar la cita", True, False),
    ("no voy a poder ir", True, False),
    ("can we do thursday instead", False, True),
    ("could we reschedule?", False, True),
    ("can we move it to friday at 2", False, True),
    ("cancel and do friday at 2 instead", False, True),
    ("podemos cambiarla para el jueves?", False, True),
    ("see you then!", False, False),
    ("how about 3 bedrooms instead", False, False),   # "instead" moves only with a day or time named
    ("what about the price instead?", False, False),
    ("what's the address?", False, False),
])
def test_cancel_and_move(text, cancel, move):
    reply = read_slot_reply(text, TODAY)
    assert (reply.cancel, reply.move) == (cancel, move)


def test_a_move_names_its_new_time():
    wish = read_slot_reply("can we move it to thursday at 2", TODAY).wish
    assert wish.exact and fits(wish, datetime(2026, 12, 10, 14, 0)) and not fits(wish, datetime(2026, 12, 10, 15, 0))
    wish = read_slot_reply("can we do thursday instead", TODAY).wish
    assert not wish.exact and fits(wish, datetime(2026, 12, 10, 9, 0)) and not fits(wish, datetime(2026, 12, 11, 9, 0))


def test_relative_days_count_from_the_texts_own_date():
    wish = read_slot_reply("tomorrow at 11", TODAY).wish
    assert wish.day == date(2026, 12, 5) and wish.exact
    assert read_slot_reply("mañana a las 11", TODAY).wish.day == date(2026, 12, 5)
    morning = read_slot_reply("en la mañana", TODAY).wish
    assert morning.day is None and morning.part == (8, 12)


def test_a_date_already_past_this_year_is_next_years():
    assert read_slot_reply("jan 5 at 10", TODAY).wish.day == date(2027, 1, 5)
