"""What the staff dashboard shows: cache effectiveness (from the cache's metrics in Redis) and the lead pipeline
(from PostgreSQL). Reads only."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from django.utils import timezone

from agents import selectors as agent_selectors
from agents.charts import TIER_COLOURS, ColumnChart, StackedChart, column_chart, stacked_shares
from booking.selectors import appointments_per_agent
from caching.policy import CallKind, Tier
from caching.selectors import LOOKUP_TIERS, TierStats, avoided_calls, cache_stats
from caching.services import get_cache
from caching.tiers import REDIS_ERRORS
from leads import selectors
from leads.models import Contact, Temperature

WINDOWS_DAYS = (1, 7, 30)
DEFAULT_WINDOW_DAYS = 7
NEW_LEADS_DAYS = 14
HIT_TIERS = (Tier.L1, Tier.L2, Tier.L3)


@dataclass(frozen=True)
class TierCell:
    share: float
    count: int
    p95: str


@dataclass(frozen=True)
class KindRow:
    kind: str
    lookups: int
    hit_rate: float
    tiers: dict[str, TierCell]
    guard_rejections: int
    avoided: int                 # calls not needed (not look-ups, not in the hit rate)
    saved_usd: float
    saved_tokens: int


@dataclass(frozen=True)
class Savings:
    usd: float
    tokens: int


@dataclass
class CachePanel:
    days: int
    problem: str = ""           # why the metrics could not be read ("" when they were)
    kinds: list[KindRow] = field(default_factory=list)
    tier_totals: dict[str, int] = field(default_factory=dict)
    lookups: int = 0
    hit_rate: float = 0.0
    guard_rejections: int = 0
    avoided: int = 0             # calls the turns did not need, all kinds: apart from the look-ups and hits
    saved_today: Savings = Savings(0.0, 0)
    saved_week: Savings = Savings(0.0, 0)
    chart: StackedChart | None = None


@dataclass(frozen=True)
class WaitingLead:
    contact: Contact
    texting: selectors.TextingWindow   # the contact's time now, and whether a text would wait for quiet hours


@dataclass(frozen=True)
class LeadPanel:
    by_temperature: list[tuple[str, str, int]]   # (value, label, count)
    new_leads: ColumnChart
    new_leads_total: int
    waiting: list[WaitingLead]                   # every contact waiting for an agent, longest first
    waiting_hot: int
    costs: list[agent_selectors.LeadCost]
    overall_cost: agent_selectors.LeadCost
    follow_up_replies: selectors.FollowUpReplies | None = None   # over the dashboard's window


@dataclass(frozen=True)
class AgentRow:
    name: str                      # "" for leads nobody has
    leads: int                     # leads that became theirs in the window
    claimed: int
    contacted: int                 # handoffs they texted after
    median_first_contact_minutes: float | None
    not_contacted: int
    appointments: int = 0           # booked in the window (booking.selectors.appointments_per_agent)


@dataclass(frozen=True)
class AgentPanel:
    days: int
    rows: list[AgentRow]           # agents by name; leads nobody has last


def agent_panel(days: int = DEFAULT_WINDOW_DAYS) -> AgentPanel:
    contact_times = agent_selectors.first_agent_contact_times(days)
    leads = agent_selectors.leads_per_agent(days)
    appointments = appointments_per_agent(days)
    users = agent_selectors.users_by_id(set(contact_times) | set(leads) | set(appointments))
    rows = []
    for agent_id in set(contact_times) | set(leads) | set(appointments):
        user = users.get(agent_id)
        times = contact_times.get(agent_id)
        got = leads.get(agent_id)
        rows.append(AgentRow(
            name=(user.get_full_name() or user.get_username()) if user else "",
            leads=got.leads if got else 0, claimed=got.claimed if got else 0,
            contacted=times.contacted if times else 0,
            median_first_contact_minutes=times.median_minutes if times else None,
            not_contacted=times.not_contacted if times else 0,
            appointments=appointments.get(agent_id, 0),
        ))
    rows.sort(key=lambda row: (row.name == "", row.name.casefold()))
    return AgentPanel(days=days, rows=rows)


def window_days(raw: str | None) -> int:
    """The dashboard's window from the query string; anything else than an offered window gives the default."""
    try:
        days = int(raw or DEFAULT_WINDOW_DAYS)
    except ValueError:
        return DEFAULT_WINDOW_DAYS
    return days if days in WINDOWS_DAYS else DEFAULT_WINDOW_DAYS


def cache_panel(days: int) -> CachePanel:
    metrics = get_cache().metrics
    try:
        rows = cache_stats(metrics, days)
        totals = metrics.read(days)
        today, week = cache_stats(metrics, 1), cache_stats(metrics, 7)
    except REDIS_ERRORS as exc:
        return CachePanel(days=days, problem=f"cache metrics are unavailable: Redis did not answer ({exc})")
    rejections = {kind: totals.get(kind, Tier.L3, "guard_rejections") for kind in {row.kind for row in rows}}
    avoided = avoided_calls(totals)
    kinds = [_kind_row(kind, [r for r in rows if r.kind == kind], rejections.get(kind, 0), avoided.get(kind, 0))
             for kind in dict.fromkeys(row.kind for row in rows)]
    kinds = [row for row in kinds if row.lookups]
    tier_totals = {tier.value: sum(r.count for r in rows if r.tier == tier) for tier in LOOKUP_TIERS}
    lookups = sum(tier_totals.values())
    hits = sum(tier_totals[tier.value] for tier in HIT_TIERS)
    chart = stacked_shares([(row.kind, {tier: cell.count for tier, cell in row.tiers.items()}) for row in kinds],
                           order=tuple(tier.value for tier in LOOKUP_TIERS), colours=TIER_COLOURS) if kinds else None
    return CachePanel(
        days=days, kinds=kinds, tier_totals=tier_totals, lookups=lookups, hit_rate=hits / lookups if lookups else 0.0,
        guard_rejections=sum(totals.get(kind, Tier.L3, "guard_rejections") for kind in CallKind),
        avoided=sum(avoided.values()),
        saved_today=_savings(today), saved_week=_savings(week), chart=chart,
    )


def lead_panel(days: int = DEFAULT_WINDOW_DAYS) -> LeadPanel:
    counts = selectors.lead_counts_by_temperature()
    # Hot first: the order agents act in.
    by_temperature = [(t.value, t.label, counts[t.value]) for t in (Temperature.HOT, Temperature.WARM, Temperature.COLD)]
    per_day = selectors.new_leads_per_day(NEW_LEADS_DAYS)
    chart = column_chart([(day.strftime("%b %-d"), count) for day, count in per_day], label_every=2)
    costs = agent_selectors.cost_per_lead()
    now = timezone.now()
    waiting = [WaitingLead(contact, selectors.contact_texting_window(contact, now=now))
               for contact in selectors.contacts_waiting_for_agent()]
    return LeadPanel(by_temperature=by_temperature, new_leads=chart, new_leads_total=sum(n for _, n in per_day),
                     waiting=waiting, waiting_hot=sum(lead.contact.temperature == Temperature.HOT for lead in waiting),
                     costs=costs[:-1], overall_cost=costs[-1], follow_up_replies=selectors.follow_up_reply_rate(days))


def _kind_row(kind: str, rows: list[TierStats], guard_rejections: int, avoided: int) -> KindRow:
    by_tier = {row.tier: row for row in rows}
    lookups = sum(row.count for row in rows)
    cells = {}
    for tier in LOOKUP_TIERS:
        row = by_tier.get(tier.value)
        cells[tier.value] = TierCell(share=row.share, count=row.count, p95=_latency_label(row.p95_ms)) if row \
            else TierCell(share=0.0, count=0, p95="")
    hits = sum(cells[tier.value].count for tier in HIT_TIERS)
    return KindRow(kind=kind, lookups=lookups, hit_rate=hits / lookups if lookups else 0.0, tiers=cells,
                   guard_rejections=guard_rejections, avoided=avoided, saved_usd=sum(row.saved_usd for row in rows),
                   saved_tokens=sum(row.saved_tokens for row in rows))


def _latency_label(p95_ms: float | None) -> str:
    # The metrics keep a histogram, so a percentile is known only as the upper bound of its bucket.
    if p95_ms is None:
        return ""
    if math.isinf(p95_ms):
        return "> 1 s"
    return f"≤ {p95_ms:g} ms"


def _savings(rows: list[TierStats]) -> Savings:
    return Savings(usd=sum(row.saved_usd for row in rows), tokens=sum(row.saved_tokens for row in rows))
