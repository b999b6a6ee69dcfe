"""How the corpus judge counts a question asked again after the prospect answered it: split into the dialogue's
fault (the fact was stored, yet asked for) and the reader's (the prospect gave it, the reader did not read it)."""

import pytest

from benchmarks.corpus import Exchange, judge, slot_known, summarise
from leads.models import Contact, LeadType

pytestmark = pytest.mark.django_db

PHONE = "+13125550990"


def _conversation(turns):
    return {"id": "judge", "phone": PHONE, "turns": turns,
            "expect": {"lead_type": "buyer", "name": "Ana", "facts": {"financing": "cash"}, "ignore": [],
                       "temperature": ["warm"], "handoff": False, "opted_out": False, "reply_language": "en"}}


def _exchange(text, gives, asked_slot, known):
    return Exchange(text, gives, "What about it?", "bot", asked_slot, False, known)


def test_slot_known_reads_the_contacts_facts_name_and_type():
    contact = Contact(phone=PHONE, name="Ana", lead_type=LeadType.BUYER, facts={"budget_min": 300000})
    assert slot_known(contact, "name") and slot_known(contact, "lead_type") and slot_known(contact, "budget")
    assert not slot_known(contact, "financing")
    assert not slot_known(Contact(phone=PHONE), "lead_type")


def test_a_reask_is_a_dialogue_bug_when_the_fact_was_stored_and_a_reading_miss_otherwise():
    Contact.objects.create(phone=PHONE, name="Ana", lead_type=LeadType.BUYER, facts={"financing": "cash"})
    exchanges = [
        _exchange("buying, cash", ["lead_type", "financing"], "name", False),
        _exchange("Ana", ["name"], "financing", True),       # asked for a fact it holds: the dialogue's fault
        _exchange("hmm", [], "financing", False),            # given, never read: the reader's miss
    ]
    verdict = judge(_conversation([]), exchanges)
    assert verdict.reasked == ["financing", "financing"]
    assert (verdict.reasked_known, verdict.reasked_unread) == (["financing"], ["financing"])
    summary = summarise("test", [verdict])
    assert (summary.reasked, summary.reasked_known, summary.reasked_unread) == (2, 1, 1)
    assert summary.as_dict()["reasked_known"] == 1
