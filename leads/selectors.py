"""Reads of contacts and messages."""

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db.models import Case, Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import TruncDate
from django.utils import timezone
from pgvector.django import CosineDistance

from leads.models import Contact, Conversation, Direction, Message, ScoreEvent, Temperature
from leads.phones import FALLBACK_TIME_ZONE, normalize_phone
from leads.quiet_hours import contact_time_zones, next_allowed_time

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


def local_date(contact: Contact, message: Message) -> date:
    """The message's date where the prospect is ("next month" and "spring" count from it)."""
    return message.created_at.astimezone(ZoneInfo(contact.time_zone or FALLBACK_TIME_ZONE)).date()


def messages_per_minute(inbound: Message) -> float:
    """How fast the prospect is texting: their messages in the few minutes up to this one (by the messages' own
    times, so a turn that runs late, or a replayed day, measures the same speed)."""
    since = inbound.created_at - timedelta(minutes=VELOCITY_WINDOW_MINUTES)
    recent = Message.objects.filter(contact_id=inbound.contact_id, direction=Direction.INBOUND,
                                    created_at__gt=since, created_at__lte=inbound.created_at).count()
    return recent / VELOCITY_WINDOW_MINUTES


def similar_older_messages(contact: Contact, embedding, *, exclude_ids: list[int], limit: int) -> list[Message]:
    """The contact's own older messages nearest in meaning to `embedding` (never another contact's)."""
    return list(
        Message.objects.filter(contact=contact, embedding__isnull=False).exclude(id__in=exclude_ids)
        .annotate(distance=CosineDistance("embedding", embedding)).order_by("distance")[:limit]
    )


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


@dataclass(frozen=True)
class TextingWindow:
    """When a text to the contact would go out, as the outbound service decides it."""

    local_time: datetime
    opted_out: bool
    next_allowed: datetime | None   # None: a text goes out now
    other_time_zones: tuple[str, ...] = ()   # zones the number may also be in; the window holds in all of them


def contact_texting_window(contact: Contact, *, now: datetime | None = None) -> TextingWindow:
    now = now or timezone.now()
    zone = ZoneInfo(contact.time_zone or FALLBACK_TIME_ZONE)
    others = tuple(name for name in contact_time_zones(contact) if name != str(zone))
    return TextingWindow(local_time=now.astimezone(zone), opted_out=contact.opted_out,
                         next_allowed=next_allowed_time(contact, now), other_time_zones=others)


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
