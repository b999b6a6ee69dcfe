"""Operator commands: their output in-process (call_command, against the test database and Redis), and their exit
codes and error messages the way a terminal sees them (one child process runs them all through manage.py's own
entry point, so argparse's usage errors exit 2 and a CommandError exits 1)."""

import csv
import io
import json
import subprocess
import sys
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from bots.models import LLMCall, Provider
from caching.keys import Scope
from caching.models import SemanticCacheEntry
from caching.policy import CallKind
from caching.services import Computed, get_cache
from leads.models import BotKind, Contact, LeadType, ScoreEvent, ScoreReason, Temperature
from tests.support import PROJECT
from tests.support.factories import ContactFactory, ConversationFactory

COMMANDS = ["cache_stats", "cache_invalidate", "cache_purge_expired", "cache_calibrate", "seed_demo", "simulate_sms",
            "export_leads", "rescore"]


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


# --- exit codes and messages, as a terminal sees them --------------------------------------------------------

# Each case: argv, expected exit code, a line expected on stdout (code 0) or stderr.
CLI_CASES = [
    *[([name, "--help"], 0, "usage: manage.py " + name) for name in COMMANDS],
    (["cache_stats", "--days", "0"], 1, "CommandError: --days must be 1 or more"),
    (["cache_stats", "--days", "one"], 2, "argument --days: invalid int value: 'one'"),
    (["cache_invalidate"], 2, "one of the arguments --contact --kind --all is required"),
    (["cache_invalidate", "--kind", "weather"], 2, "argument --kind: invalid choice: 'weather'"),
    (["cache_invalidate", "--contact", "not a phone"], 1, "CommandError: --contact: 'not a phone' is not a phone number"),
    (["cache_invalidate", "--contact", "+1 415 555 0177"], 1, "CommandError: --contact: no contact with number"),
    (["cache_invalidate", "--all"], 1, "CommandError: not confirmed; pass --yes to skip the question"),
    (["cache_calibrate", "--pairs", "/no/such/file.jsonl"], 1, "CommandError: --pairs: no such file"),
    (["export_leads"], 2, "the following arguments are required: --format"),
    (["export_leads", "--format", "xml"], 2, "argument --format: invalid choice: 'xml'"),
    (["export_leads", "--format", "csv", "--temperature", "lukewarm"], 2, "argument --temperature: invalid choice"),
    (["export_leads", "--format", "csv", "--output", "/no/such/dir/leads.csv"], 1,
     "CommandError: --output: no such directory: /no/such/dir"),
    (["rescore"], 2, "one of the arguments --contact --all is required"),
    (["rescore", "--contact", "+1 415 555 0177", "--all"], 2, "argument --all: not allowed with argument --contact"),
    (["rescore", "--contact", "12"], 1, "CommandError: --contact: '12' is not a possible phone number"),
    (["rescore", "--contact", "+1 415 555 0177"], 1, "CommandError: --contact: no contact with number +1 415 555 0177"),
    (["simulate_sms", "hi"], 2, "the following arguments are required: --from"),
    (["simulate_sms", "hi", "--from", "+1 512 555 0123", "--url", "http://127.0.0.1:9", "--wait", "1"], 1,
     "CommandError: --url: cannot reach the app at http://127.0.0.1:9"),
]

CLI_RUNNER = """
import contextlib, io, json, sys
import django
django.setup()
from django.core.management import ManagementUtility

results = []
for argv in json.loads(sys.argv[1]):
    out, err = io.StringIO(), io.StringIO()
    code = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            ManagementUtility(["manage.py", *argv]).execute()
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
    results.append({"code": code, "stdout": out.getvalue(), "stderr": err.getvalue()})
print(json.dumps(results))
"""


@pytest.mark.django_db
def test_exit_codes_and_messages_from_the_command_line(project_env):
    """One child process runs every case through manage.py's entry point (one Django start-up for all of them)."""
    argvs = [argv for argv, _, _ in CLI_CASES]
    child = subprocess.run([sys.executable, "-c", CLI_RUNNER, json.dumps(argvs)], cwd=PROJECT, capture_output=True,
                           text=True, timeout=120, stdin=subprocess.DEVNULL,
                           env={**project_env, "DJANGO_SETTINGS_MODULE": "config.settings"})
    assert child.returncode == 0, child.stderr[-2000:]
    results = json.loads(child.stdout.strip().splitlines()[-1])
    for (argv, code, expected), result in zip(CLI_CASES, results):
        stream = result["stdout"] if code == 0 else result["stderr"]
        assert (result["code"], expected in stream) == (code, True), (argv, result)
    assert all("Traceback" not in result["stderr"] for result in results)


# --- cache_stats ------------------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_cache_stats_prints_a_table_and_json(metrics):
    assert run("cache_stats").strip() == "no cache look-ups recorded in the last 1 day(s)"
    parts = [f"stats-{timezone.now().timestamp()}"]
    for _ in range(4):
        get_cache().get_or_compute(CallKind.INTENT, Scope.shared(), parts, lambda: Computed({"median": 1}, 0.005, 800))
    table = run("cache_stats", "--days", "7").splitlines()
    assert table[0].startswith("| kind | tier | count | share | p50 ms (<=) | p95 ms (<=)")
    assert any(line.startswith("| intent | L1 | 3 | 75.0% |") and "| 0.0150 | 2400 |" in line for line in table)
    assert any(line.startswith("| intent | miss | 1 | 25.0% |") for line in table)
    assert table[-1] == "overall hit rate: 75.0%"
    report = json.loads(run("cache_stats", "--json"))
    assert report["days"] == 1 and report["hit_rate"] == 0.75
    assert {(row["kind"], row["tier"], row["count"]) for row in report["rows"]} == {("intent", "L1", 3), ("intent", "miss", 1)}


# --- cache_invalidate -------------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_cache_invalidate_by_contact_kind_and_all():
    contact = ContactFactory(phone="+14155550171")
    version = contact.cache_version
    assert run("cache_invalidate", "--contact", "(415) 555-0171").strip() == \
        f"contact +14155550171: cache version is now {version + 1}"
    generation = get_cache().kind_generation(CallKind.INTENT)
    assert run("cache_invalidate", "--kind", "intent").strip() == f"kind intent: generation is now {generation + 1}"
    assert run("cache_invalidate", "--all", "--yes").strip() == "all kinds invalidated"
    assert get_cache().kind_generation(CallKind.INTENT) == generation + 2
    with pytest.raises(CommandError, match="not confirmed"):  # no terminal to ask: --all needs --yes
        run("cache_invalidate", "--all")


# --- cache_purge_expired ----------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_cache_purge_expired_reports_what_it_deleted():
    stamp = timezone.now().timestamp()
    for text in (f"old news {stamp}", f"fresh news {stamp}"):
        get_cache().get_or_compute(CallKind.INTENT, Scope.shared(), [text], lambda: "x", text=text)
    SemanticCacheEntry.objects.filter(text__startswith="old news").update(expires_at=timezone.now() - timedelta(seconds=1))
    assert run("cache_purge_expired").strip() == "purged 1 expired semantic-cache rows"
    assert run("cache_purge_expired").strip() == "purged 0 expired semantic-cache rows"
    assert SemanticCacheEntry.objects.filter(text__startswith="fresh news").exists()


# --- cache_calibrate --------------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_cache_calibrate_on_a_small_pairs_file(tmp_path):
    pairs = tmp_path / "pairs.jsonl"
    rows = [
        {"id": "p1", "category": "paraphrase", "context": "What's your budget?", "a": "around 450k",
         "b": "about $450,000", "label": "same"},
        {"id": "p2", "category": "changed_number", "context": "What's your budget?", "a": "around 450k",
         "b": "around 550k", "label": "different"},
        {"id": "p3", "category": "negation", "context": "Are you pre-approved?", "a": "yes we are pre-approved",
         "b": "no we are not pre-approved", "label": "different"},
    ]
    pairs.write_text("\n".join(json.dumps(row) for row in rows) + "\n")
    lines = run("cache_calibrate", "--pairs", str(pairs), "--by-category").splitlines()
    assert lines[0] == f"3 pairs from {pairs}: 1 same, 2 different"
    assert any(line.startswith("| 0.50 |") for line in lines) and any(line.startswith("| 0.98 |") for line in lines)
    assert "| changed_number | 1 | 0 | 0 |" in lines and "| negation | 1 | 0 | 0 |" in lines
    assert lines[-1].startswith("configured: false_hit_rate=0.0000") and lines[-1].endswith("pairs=3")

    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    with pytest.raises(CommandError, match="holds no pairs"):
        run("cache_calibrate", "--pairs", str(empty))


# --- seed_demo --------------------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_seed_demo_creates_scored_contacts_once():
    first = run("seed_demo").splitlines()
    assert first[-1] == "demo contacts: 3 created, 0 already there"
    assert "  +14155550101 Maya Chen: Hot (FRS 91, PCS 85)" in first
    maya = Contact.objects.get(phone="+14155550101")
    assert maya.needs_agent and maya.bot_paused and maya.handoff_reason == "hot lead"
    assert maya.conversations.get().active_bot == BotKind.BUYER
    assert Contact.objects.get(phone="+15125550102").temperature == Temperature.WARM
    assert Contact.objects.get(phone="+13055550103").temperature == Temperature.COLD
    assert ScoreEvent.objects.filter(contact=maya, temperature=Temperature.HOT).exists()
    assert run("seed_demo").strip() == "demo contacts: 0 created, 3 already there"
    assert "unchanged" in run("rescore", "--contact", "+14155550101")  # the demo's scores are what the facts give


# --- export_leads -----------------------------------------------------------------------------------------------

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
    rows = list(csv.DictReader(io.StringIO(run("export_leads", "--format", "csv"))))
    assert [row["phone"] for row in rows] == ["+14155550181", "+15125550182", "+13055550183"]
    maya = rows[0]
    assert (maya["temperature"], maya["frs"], maya["stage"], maya["needs_agent"], maya["cost_usd"]) == \
        ("hot", "95", "buyer", "True", "0.012500")
    assert json.loads(maya["facts"]) == {"areas": ["Noe Valley"], "budget_max": 650000}
    assert rows[1]["name"] == 'Luis, "Lu" Ortega'  # quoting survives commas and quotes


@pytest.mark.django_db
def test_export_leads_as_json_filtered_by_temperature_in_any_case(leads_to_export, tmp_path):
    hot_only = json.loads(run("export_leads", "--format", "json", "--temperature", "Hot"))
    assert [lead["phone"] for lead in hot_only] == ["+14155550181"]
    assert hot_only[0]["facts"] == {"budget_max": 650000, "areas": ["Noe Valley"]}
    assert json.loads(run("export_leads", "--format", "json", "--temperature", "cold"))[0]["name"] == "Priya Nair"

    target = tmp_path / "leads.json"
    err = io.StringIO()
    call_command("export_leads", "--format", "json", "--output", str(target), stdout=io.StringIO(), stderr=err)
    assert len(json.loads(target.read_text())) == 3
    assert err.getvalue().strip() == f"3 lead(s) written to {target}"


# --- rescore ----------------------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_rescore_one_contact_and_all():
    stale = ContactFactory(phone="+14155550191", lead_type=LeadType.BUYER, temperature=Temperature.COLD,
                           facts={"financing": "cash", "budget_max": 900000, "timeline_days": 20, "areas": ["Mueller"],
                                  "property_type": "condo", "bedrooms": 2})
    ContactFactory(phone="+14155550192")  # nothing known: already what its facts give
    assert run("rescore", "--contact", "415.555.0191").strip() == \
        "+14155550191: FRS 100, PCS 95, Hot (was FRS 0, PCS 0, Cold)"
    assert ScoreEvent.objects.get(contact=stale).reason == ScoreReason.RESCORE
    assert run("rescore", "--all").strip() == "re-scored 2 contact(s): 0 changed, 0 changed temperature"

    Contact.objects.filter(pk=stale.pk).update(frs_score=10)  # e.g. the scoring rules changed since
    lines = run("rescore", "--all").strip().splitlines()
    assert lines == ["+14155550191: FRS 100, PCS 95, Hot (was FRS 10, PCS 95, Hot)",
                     "re-scored 2 contact(s): 1 changed, 0 changed temperature"]
