"""Reads of contacts and messages."""

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db.models import Case, Count, DecimalField, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone
from pgvector.django import CosineDistance

from bots.models import LLMCall
from bots.outbound import next_allowed_time
from leads.models import Contact, Conversation, Direction, Message, ScoreEvent, Temperature
from leads.phones import FALLBACK_TIME_ZONE, normalize_phone

VELOCITY_WINDOW_MINUTES = 10


def contact_by_phone(phone: str) -> Contact | None:
    return Contact.objects.filter(phone=normalize_phone(phone)).first()


def recent_messages(*, contact: Contact, limit: int = 10) -> list[Message]:
    """The contact's last `limit` messages, oldest first."""
    newest = list(Message.objects.filter(contact=contact).order_by("-created_at", "-id")[:limit])
    return newest[::-1]


def preceding_question(inbound: Message) -> str:
    """The bot's last message before this inbound one: it gives short replies ("yes", "3") their meaning."""
    previous = (
        Message.objects.filter(contact_id=inbound.contact_id, direction=Direction.OUTBOUND, id__lt=inbound.id)
        .order_by("-id").values_list("body", flat=True).first()
    )
    return previous or ""


def messages_per_minute(inbound: Message) -> float:
    """How fast the prospect is texting: their messages in the few minutes up to this one (by the messages' own
    times, so a turn that runs late, or a replayed day, measures the same speed)."""
    since = inbound.created_at - timedelta(minutes=VELOCITY_WINDOW_MINUTES)
    recent = Message.objects.filter(contact_id=inbound.contact_id, direction=Direction.INBOUND,
                                    created_at__gt=since, created_at__lte=inbound.created_at).count()
    return recent / VELOCITY_WINDOW_MINUTES


def similar_older_messages(contact: Contact, text: str, *, exclude_ids: list[int], limit: int) -> list[dict]:
    """The contact's own older messages nearest in meaning to `text` (never another contact's)."""
    from caching.services import embedding_for

    rows = (
        Message.objects.filter(contact=contact, embedding__isnull=False).exclude(id__in=exclude_ids)
        .annotate(distance=CosineDistance("embedding", embedding_for(text))).order_by("distance")[:limit]
    )
    return [{"id": m.pk, "direction": m.direction, "body": m.body, "created_at": m.created_at.isoformat()} for m in rows]


# --- agents: lists, search, one contact -------------------------------------------------------------------------

TEMPERATURE_RANK = Case(
    When(temperature=Temperature.HOT, then=Value(0)), When(temperature=Temperature.WARM, then=Value(1)),
    default=Value(2), output_field=IntegerField(),
)
# Hot leads waiting for an agent come first, then the other waiting leads, then the rest by temperature.
PRIORITY = Case(
    When(needs_agent=True, temperature=Temperature.HOT, then=Value(0)), When(needs_agent=True, then=Value(1)),
    default=Value(2), output_field=IntegerField(),
)
PRIORITY_ORDERING = (PRIORITY.asc(), TEMPERATURE_RANK.asc(), F("last_message_at").desc(nulls_last=True))
SEARCH_DIGITS_MIN = 3


def contacts_for_agents(queryset: QuerySet | None = None) -> QuerySet:
    """Contacts with what the agents' list shows and sorts by: priority, temperature rank, the current stage
    (the active bot of the latest conversation)."""
    queryset = Contact.objects.all() if queryset is None else queryset
    current = Conversation.objects.filter(contact=OuterRef("pk")).order_by("-last_activity_at")
    return queryset.annotate(priority=PRIORITY, temperature_rank=TEMPERATURE_RANK,
                             stage=Subquery(current.values("active_bot")[:1]))


def contacts_matching(queryset: QuerySet, term: str) -> QuerySet:
    """Search by name, or by phone in any format: a whole number ("(415) 555-0101", "+1 415 555 0101") finds
    that contact; a fragment of digits ("555-01") finds the numbers that contain it."""
    term = term.strip()
    if not term:
        return queryset
    matches = Q(name__icontains=term)
    try:
        matches |= Q(phone=normalize_phone(term))
    except ValidationError:
        pass
    digits = re.sub(r"\D", "", term)
    if len(digits) >= SEARCH_DIGITS_MIN:
        matches |= Q(phone__contains=digits)
    return queryset.filter(matches)


def contact_transcript(contact: Contact) -> list[Message]:
    """The contact's messages, oldest first, both ways."""
    return list(Message.objects.filter(contact=contact).order_by("created_at", "id"))


def contact_score_history(contact: Contact) -> list[ScoreEvent]:
    return list(ScoreEvent.objects.filter(contact=contact).order_by("created_at", "id"))


def contact_cost_usd(contact: Contact) -> Decimal:
    """What the lead has cost in model calls so far (the ledger prices every call; fallback answers are free)."""
    total = LLMCall.objects.filter(contact=contact).aggregate(total=Sum("cost_usd"))["total"]
    return total or Decimal("0")


@dataclass(frozen=True)
class TextingWindow:
    """When a text to the contact would go out, as the outbound service decides it."""

    local_time: datetime
    opted_out: bool
    next_allowed: datetime | None   # None: a text goes out now


def contact_texting_window(contact: Contact, *, now: datetime | None = None) -> TextingWindow:
    now = now or timezone.now()
    zone = ZoneInfo(contact.time_zone or FALLBACK_TIME_ZONE)
    return TextingWindow(local_time=now.astimezone(zone), opted_out=contact.opted_out,
                         next_allowed=next_allowed_time(contact, now))


# --- dashboard ------------------------------------------------------------------------------------------------


def lead_counts_by_temperature() -> dict[str, int]:
    """Every temperature with its number of contacts (0 included), opted-out contacts left out."""
    counts = dict(Contact.objects.filter(opted_out=False).order_by().values_list("temperature").annotate(n=Count("id")))
    return {temperature.value: counts.get(temperature.value, 0) for temperature in Temperature}


def new_leads_per_day(days: int, *, today: date | None = None) -> list[tuple[date, int]]:
    """New contacts per UTC day over the last `days` days, today included, days without any as 0."""
    today = today or timezone.now().date()
    first = today - timedelta(days=days - 1)
    counts = dict(Contact.objects.filter(created_at__date__gte=first, created_at__date__lte=today)
                  .annotate(day=TruncDate("created_at")).order_by().values_list("day").annotate(n=Count("id")))
    return [(first + timedelta(days=offset), counts.get(first + timedelta(days=offset), 0)) for offset in range(days)]


def hot_leads_waiting(limit: int = 20) -> list[Contact]:
    """Hot contacts handed to an agent that no agent has taken over yet, longest waiting first."""
    return list(Contact.objects.filter(temperature=Temperature.HOT, needs_agent=True, opted_out=False)
                .order_by(F("handoff_at").asc(nulls_last=True), "id")[:limit])


@dataclass(frozen=True)
class LeadCost:
    temperature: str
    leads: int
    total_usd: Decimal

    @property
    def per_lead_usd(self) -> Decimal:
        return self.total_usd / self.leads if self.leads else Decimal("0")


def cost_per_lead() -> list[LeadCost]:
    """Model-call cost per lead, Hot to Cold, then overall (last row, temperature ""): contacts that made at
    least one call, with the cost of all their calls."""
    money = DecimalField(max_digits=14, decimal_places=8)
    rows = (Contact.objects.filter(llm_calls__isnull=False).order_by().values("temperature")
            .annotate(leads=Count("id", distinct=True), total=Coalesce(Sum("llm_calls__cost_usd"), Value(0), output_field=money)))
    by_temperature = {row["temperature"]: LeadCost(row["temperature"], row["leads"], row["total"]) for row in rows}
    costs = [by_temperature.get(t.value, LeadCost(t.value, 0, Decimal("0")))
             for t in (Temperature.HOT, Temperature.WARM, Temperature.COLD)]
    costs.append(LeadCost("", sum(c.leads for c in costs), sum((c.total_usd for c in costs), Decimal("0"))))
    return costs


# --- operators: export ----------------------------------------------------------------------------------------

EXPORT_FIELDS = ("phone", "name", "lead_type", "temperature", "frs", "pcs", "stage", "needs_agent", "bot_paused",
                 "opted_out", "last_message_at", "created_at", "cost_usd", "facts")


def leads_for_export(*, temperature: str | None = None) -> QuerySet:
    """Contacts for an export, hottest first, with their stage and model-call cost."""
    money = DecimalField(max_digits=14, decimal_places=8)
    calls = (LLMCall.objects.filter(contact=OuterRef("pk")).order_by().values("contact")
             .annotate(total=Sum("cost_usd")).values("total"))
    queryset = contacts_for_agents().annotate(cost_usd=Coalesce(Subquery(calls, output_field=money), Value(0), output_field=money))
    if temperature:
        queryset = queryset.filter(temperature=temperature)
    return queryset.order_by("temperature_rank", "-frs_score", "id")


def export_row(contact: Contact) -> dict:
    """One contact as plain JSON-ready values, keys in EXPORT_FIELDS order."""
    def iso(moment):
        return moment.isoformat() if moment else None

    return {
        "phone": contact.phone, "name": contact.name, "lead_type": contact.lead_type,
        "temperature": contact.temperature, "frs": contact.frs_score, "pcs": contact.pcs_score,
        "stage": contact.stage or "", "needs_agent": contact.needs_agent, "bot_paused": contact.bot_paused,
        "opted_out": contact.opted_out, "last_message_at": iso(contact.last_message_at),
        "created_at": iso(contact.created_at), "cost_usd": f"{contact.cost_usd:.6f}",
        "facts": contact.facts,
    }
