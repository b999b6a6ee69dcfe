"""The staff dashboard: who may see it, and that its figures are the cache's metrics (from real look-ups through
the real cache and Redis) and the leads in PostgreSQL."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from agents.dashboard import cache_panel, lead_panel, window_days
from bots.models import LLMCall, Provider
from caching.keys import Scope
from caching.policy import CallKind
from caching.services import Computed, get_cache
from leads.models import Contact, Temperature
from tests.support.conversations import converse
from tests.support.factories import ContactFactory
from tests.support.fake_claude import FakeClaude, claude_provider

pytestmark = pytest.mark.django_db


def look_up_facts(times: int, *, cost=0.004, tokens=1200):
    """Real look-ups through the cache: the first misses and computes, the rest are L1 hits that saved its cost."""
    parts = [f"austin-{timezone.now().timestamp()}"]
    for _ in range(times):
        get_cache().get_or_compute(CallKind.FACTS, Scope.shared(), parts, lambda: Computed({"facts": {"areas": ["Austin"]}}, cost, tokens))


def test_only_staff_see_the_dashboard(client):
    response = client.get("/dashboard/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    client.force_login(User.objects.create_user("prospect", password="x"))
    assert client.get("/dashboard/").status_code == 302


def test_the_dashboard_shows_cache_and_lead_figures(client, agent, metrics):
    look_up_facts(4)
    hot = ContactFactory(name="Maya Chen", temperature=Temperature.HOT, needs_agent=True, handoff_reason="hot lead",
                         handoff_at=timezone.now())
    ContactFactory(temperature=Temperature.WARM)
    LLMCall.objects.create(contact=hot, kind="response", provider=Provider.ANTHROPIC, model="m", cost_usd=Decimal("0.02"))
    response = client.get("/dashboard/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "75.0%" in html                                    # 3 L1 hits of 4 look-ups
    assert "saved today, 3600 tokens" in html and "$0.0120" in html
    assert "<td>facts</td>" in html
    assert re.search(r"<td class=\"n\">≤ [0-9.]+ ms</td>", html)  # p95 of the L1 hits, as a histogram bound
    assert "Waiting for an agent (longest first)" in html and "Maya Chen" in html and "Hot lead" in html
    assert "$0.0200" in html                                  # cost per lead
    assert html.count("<svg class=\"chart\"") == 2
    assert 'href="?days=7" class="selected"' in html


def test_cache_panel_counts_tiers_savings_and_guard_rejections(metrics):
    look_up_facts(3, cost=0.01, tokens=1000)
    metrics.record(kind="intent", tier="miss", latency_ms=3.0)
    metrics.record_guard_rejection(kind="intent")
    panel = cache_panel(7)
    facts = next(row for row in panel.kinds if row.kind == "facts")
    assert (facts.lookups, facts.tiers["L1"].count, facts.tiers["miss"].count) == (3, 2, 1)
    assert facts.hit_rate == pytest.approx(2 / 3)
    assert panel.lookups == 4 and panel.tier_totals == {"L1": 2, "L2": 0, "L3": 0, "miss": 2}
    assert panel.guard_rejections == 1
    assert panel.saved_today.usd == pytest.approx(0.02) and panel.saved_week.tokens == 2000
    assert [row.label for row in panel.chart.rows] == ["intent", "facts"]


def test_no_lookups_yet_is_said_plainly(client, agent, metrics):
    html = client.get("/dashboard/?days=1").content.decode()
    assert "No cache look-ups recorded in this window." in html
    assert 'href="?days=1" class="selected"' in html


@pytest.mark.parametrize("raw, days", [(None, 7), ("1", 1), ("30", 30), ("5", 7), ("many", 7)])
def test_the_window_is_one_of_the_offered_ones(raw, days):
    assert window_days(raw) == days


def test_lead_panel_counts_new_leads_per_day_and_cost_per_lead():
    old = ContactFactory(temperature=Temperature.COLD)
    Contact.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=3))
    ContactFactory(temperature=Temperature.HOT)
    ContactFactory(temperature=Temperature.HOT, opted_out=True)
    warm = ContactFactory(temperature=Temperature.WARM)
    for cost in ("0.01", "0.03"):
        LLMCall.objects.create(contact=warm, kind="response", provider=Provider.ANTHROPIC, model="m", cost_usd=Decimal(cost))
    panel = lead_panel()
    assert panel.by_temperature == [("hot", "Hot", 1), ("warm", "Warm", 1), ("cold", "Cold", 1)]
    per_day = [column.value for column in panel.new_leads.columns]
    assert len(per_day) == 14 and per_day[-1] == 3 and per_day[-4] == 1 and sum(per_day) == 4
    assert panel.new_leads.columns[-1].height > panel.new_leads.columns[-4].height > 0
    warm_cost = next(cost for cost in panel.costs if cost.temperature == "warm")
    assert (warm_cost.leads, warm_cost.total_usd, warm_cost.per_lead_usd) == (1, Decimal("0.04"), Decimal("0.04"))
    assert panel.overall_cost.leads == 1


def test_calls_avoided_are_counted_from_real_turns_apart_from_hits(client, agent, metrics):
    meanings = {"we want to buy a house": ("buyer", {}, {"lead_type": "buyer"}), "Ann": ("provide_info", {}, {"name": "Ann"})}
    _, turns = converse("+15125550488", list(meanings), claude_provider(FakeClaude(meanings)), get_cache())
    avoided = sum(len(turn.avoided) for turn in turns)
    assert avoided == len(turns) == 2  # a two-text conversation is its own memory: no memory call in either turn
    panel = cache_panel(7)
    memory = next(row for row in panel.kinds if row.kind == "memory")
    assert (panel.avoided, memory.avoided) == (avoided, avoided)
    # Not look-ups: the hit rate counts the look-ups the cache answered, and only those.
    assert panel.lookups == sum(row.lookups for row in panel.kinds)
    assert sum(cell.count for cell in memory.tiers.values()) == memory.lookups
    html = client.get("/dashboard/").content.decode()
    assert f'<div class="figure">{avoided}</div>' in html and "calls avoided in 7 days" in html
