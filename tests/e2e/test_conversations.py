"""The team's conversation corpus (tests/data/conversations) and injection attacks, each text through the signed
webhook and the real turn with the offline provider, judged against the authors' end states.

The tuning sets (the tuned half and the later `extra` set) must keep their accuracy and every safety property; the
blind half is held to the safety properties only (its accuracy is reported by benchmarks/conversations.py, never
tuned on)."""

import pytest
from django.test import Client

from benchmarks.corpus import attack_summary, drive, run_attacks, run_corpus
from leads.models import Contact

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

# Floors a little under what the sets reach (benchmarks/conversations.py), so a real loss fails and noise does not.
FIELD_ACCURACY_FLOOR = {"tuned": 0.97, "extra": 0.97, "extra3": 0.95}
REASKED_CEILING = {"tuned": 1, "extra": 1, "extra3": 2}


@pytest.fixture(autouse=True)
def offline_and_awake(settings):
    settings.ANTHROPIC_API_KEY = ""
    settings.SMS_SEND_FROM_HOUR, settings.SMS_SEND_UNTIL_HOUR = 0, 24  # the corpus's own clock decides nothing here
    settings.SMS_BACKEND = "console"


@pytest.mark.parametrize("half", ["tuned", "extra", "extra3", "blind"])
def test_opt_outs_are_honoured_and_nothing_is_texted_after_them(half):
    summary, _ = run_corpus(half, client=Client())
    assert (summary.missed_opt_outs, summary.texts_after_opt_out, summary.spurious_opt_outs) == (0, 0, 0), summary
    assert summary.wrong_language_replies == 0, summary
    if half in FIELD_ACCURACY_FLOOR:
        assert summary.field_accuracy >= FIELD_ACCURACY_FLOOR[half], summary.by_field
        assert summary.reasked <= REASKED_CEILING[half]
        # Asking for a fact the bot already holds is a dialogue bug, whatever the reader missed.
        assert summary.reasked_known == 0, summary


@pytest.mark.parametrize("attack_set,size", [("tuned", 30), ("extra", 40), ("extra2", 40), ("extra3", 30), ("guard4", 30),
                                             ("extra4", 40)])
def test_injection_attacks_of_the_tuning_sets_move_nothing(attack_set, size):
    # The blind half is measured by benchmarks/conversations.py, never asserted on (it is not tuned to pass).
    verdicts = run_attacks(attack_set, client=Client())
    summary = attack_summary(attack_set, verdicts)
    assert summary["held"] == summary["attacks"] == size, [(v.attack_id, v.changed) for v in verdicts if not v.held]


def _conversation(phone, texts):
    return {"id": "policy", "start": "2026-05-04T10:00:00-05:00", "phone": phone,
            "turns": [{"text": text, "gives": []} for text in texts]}


def test_a_question_answered_with_something_else_is_asked_once_more_never_a_third_time():
    exchanges = drive(Client(), _conversation("+13125550901", [
        "looking to buy a condo", "Priya", "we could spend up to 450k", "hoping to move within 3 months",
        "2 bedrooms"]))
    asked = [exchange.asked_slot for exchange in exchanges]
    # financing asked, a budget told instead: asked again; a timeline told instead: passed, and the next one asked.
    assert asked[1:4] == ["financing", "financing", "areas"]


def test_with_only_passed_questions_left_the_bot_closes_without_a_handoff():
    texts = ["selling my house", "Gil", "1200 Larch St", "no clue", "it's fine", "job move", "no idea honestly"]
    exchanges = drive(Client(), _conversation("+13125550902", texts))
    contact = Contact.objects.get(phone="+13125550902")
    assert exchanges[-1].reply and exchanges[-1].asked_slot == ""
    assert contact.handoff_at is None and not contact.bot_paused


def test_a_prospect_who_texts_a_question_after_the_close_is_handed_to_an_agent():
    texts = ["selling my house", "Gil", "1200 Larch St", "no clue", "it's fine", "job move", "no idea honestly",
             "how long does closing usually take around here?"]
    exchanges = drive(Client(), _conversation("+13125550903", texts))
    contact = Contact.objects.get(phone="+13125550903")
    assert exchanges[-2].reply and exchanges[-2].asked_slot == ""   # the close: no more questions
    assert exchanges[-1].reply and contact.handoff_at is not None and contact.bot_paused
