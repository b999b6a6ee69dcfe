"""The leads' operator commands in-process (call_command, against the test database): seed_demo and rescore. Their
exit codes and messages on a terminal: tests/config/test_command_line.py."""

import pytest

from leads.models import BotKind, Contact, LeadType, ScoreEvent, ScoreReason, Temperature
from tests.support.commands import run_command
from tests.support.factories import ContactFactory


@pytest.mark.django_db
def test_seed_demo_creates_scored_contacts_once():
    first = run_command("seed_demo").splitlines()
    assert first[-1] == "demo contacts: 3 created, 0 already there"
    assert "  +14155550101 Maya Chen: Hot (FRS 91, PCS 85)" in first
    maya = Contact.objects.get(phone="+14155550101")
    assert maya.needs_agent and maya.bot_paused and maya.handoff_reason == "hot lead"
    assert maya.conversations.get().active_bot == BotKind.BUYER
    assert Contact.objects.get(phone="+15125550102").temperature == Temperature.WARM
    assert Contact.objects.get(phone="+13055550103").temperature == Temperature.COLD
    assert ScoreEvent.objects.filter(contact=maya, temperature=Temperature.HOT).exists()
    assert run_command("seed_demo").strip() == "demo contacts: 0 created, 3 already there"
    # The demo's scores are what the facts give.
    assert "unchanged" in run_command("rescore", "--contact", "+14155550101")


@pytest.mark.django_db
def test_rescore_one_contact_and_all():
    stale = ContactFactory(phone="+14155550191", lead_type=LeadType.BUYER, temperature=Temperature.COLD,
                           facts={"financing": "cash", "budget_max": 900000, "timeline_days": 20, "areas": ["Mueller"],
                                  "property_type": "condo", "bedrooms": 2})
    ContactFactory(phone="+14155550192")  # nothing known: already what its facts give
    assert run_command("rescore", "--contact", "415.555.0191").strip() == \
        "+14155550191: FRS 100, PCS 95, Hot (was FRS 0, PCS 0, Cold)"
    assert ScoreEvent.objects.get(contact=stale).reason == ScoreReason.RESCORE
    assert run_command("rescore", "--all").strip() == "re-scored 2 contact(s): 0 changed, 0 changed temperature"

    Contact.objects.filter(pk=stale.pk).update(frs_score=10)  # e.g. the scoring rules changed since
    lines = run_command("rescore", "--all").strip().splitlines()
    assert lines == ["+14155550191: FRS 100, PCS 95, Hot (was FRS 10, PCS 95, Hot)",
                     "re-scored 2 contact(s): 1 changed, 0 changed temperature"]
