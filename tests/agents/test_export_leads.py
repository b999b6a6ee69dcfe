"""export_leads in-process (call_command, against the test database): CSV and JSON, hottest first, filtered by
temperature, to stdout or a file. Its exit codes and messages on a terminal: tests/config/test_command_line.py."""

import csv
import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command

from bots.models import LLMCall, Provider
from leads.models import BotKind, LeadType, Temperature
from tests.support.commands import run_command
from tests.support.factories import ContactFactory, ConversationFactory


@pytest.fixture
def leads_to_export():
    hot = ContactFactory(phone="+14155550181", name="Maya Chen", lead_type=LeadType.BUYER, temperature=Temperature.HOT,
                         frs_score=95, pcs_score=90, needs_agent=True, facts={"budget_max": 650000, "areas": ["Noe Valley"]})
    ConversationFactory(contact=hot, active_bot=BotKind.BUYER)
    LLMCall.objects.create(contact=hot, kind="response", provider=Provider.ANTHROPIC, model="m", cost_usd=Decimal("0.0125"))
    ContactFactory(phone="+15125550182", name="Luis, \"Lu\" Ortega", lead_type=LeadType.SELLER,
                   temperature=Temperature.WARM, frs_score=60, pcs_score=55)
    ContactFactory(phone="+13055550183", name="Priya Nair")
    return hot


@pytest.mark.django_db
def test_export_leads_as_csv_hottest_first(leads_to_export):
    rows = list(csv.DictReader(io.StringIO(run_command("export_leads", "--format", "csv"))))
    assert [row["phone"] for row in rows] == ["+14155550181", "+15125550182", "+13055550183"]
    maya = rows[0]
    assert (maya["temperature"], maya["frs"], maya["stage"], maya["needs_agent"], maya["cost_usd"]) == \
        ("hot", "95", "buyer", "True", "0.012500")
    assert json.loads(maya["facts"]) == {"areas": ["Noe Valley"], "budget_max": 650000}
    assert rows[1]["name"] == 'Luis, "Lu" Ortega'  # quoting survives commas and quotes


@pytest.mark.django_db
def test_export_leads_as_json_filtered_by_temperature_in_any_case(leads_to_export, tmp_path):
    hot_only = json.loads(run_command("export_leads", "--format", "json", "--temperature", "Hot"))
    assert [lead["phone"] for lead in hot_only] == ["+14155550181"]
    assert hot_only[0]["facts"] == {"budget_max": 650000, "areas": ["Noe Valley"]}
    cold = json.loads(run_command("export_leads", "--format", "json", "--temperature", "cold"))
    assert cold[0]["name"] == "Priya Nair"

    target = tmp_path / "leads.json"
    err = io.StringIO()
    call_command("export_leads", "--format", "json", "--output", str(target), stdout=io.StringIO(), stderr=err)
    assert len(json.loads(target.read_text())) == 3
    assert err.getvalue().strip() == f"3 lead(s) written to {target}"
