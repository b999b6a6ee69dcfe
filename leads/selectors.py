"""Reads of contacts and messages."""

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db.models import Case, Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import TruncDate
from django.utils import timezone
from pgvector.django import CosineDistance

from leads.followups import purpose_of
from leads.models import (
    SOLICITATIONS,
    Consent,
    Contact,
    Conversation,
    Direction,
    FollowUp,
    FollowUpStatus,
    Keyword,
    Message,
    MessagePurpose,
    ScoreEvent,
    Temperature,
)
from leads.phones import FALLBACK_TIME_ZONE, normalize_phone
from leads.quiet_hours import contact_time_zones, next_allowed_time

VELOCITY_WINDOW_MINUTES = 10


def contact_by_phone(phone: str) -> Contact | None:
    return Contact.objects.filter(phone=normalize_phone(phone)).first()


def recent_messages(*, contact: Contact, limit: int = 10) -> list[Message]:
    """The contact's last `limit` messages, oldest first, without their embeddings (up to a hundred vectors to
    send and parse on every turn that fills the memory window, which reads none of them)."""
    newest = list(Message.objects.filter(contact=contact).defer("embedding").order_by("-created_at", "-id")[:limit])
    return newest[::-1]


def preceding_question(inbound: Message) -> str:
    """The bot's last message before this inbound one: it gives short replies ("yes", "3") their meaning."""
    previous = (
        Message.objects.filter(contact_id=inbound.contact_id, direction=Direction.OUTBOUND, id__lt=inbound.id)
        .order_by("-id").values_list("body", flat=True).first()
    )
    return previous or ""


def previous_inbound_texts(inbound: Message, *, within: timedelta, limit: int = 2) -> tuple[str, ...]:
    """The prospect's last `limit` texts before this one that came less than `within` earlier, oldest first: a text
    completed by the next ones is read with them."""
    earlier = (
        Message.objects.filter(contact_id=inbound.contact_id, direction=Direction.INBOUND, id__lt=inbound.id,
                               created_at__gte=inbound.created_at - within)
        .order_by("-id").values_list("body", flat=True)[:limit]
    )
    return tuple(reversed(earlier))


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
        Message.objects.filter(contact=contact, embedding__isnull=False).exclude(id__in=exclude_ids).defer("embedding")
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
# The texts that give or revoke consent: the list shows each contact's latest.
CONSENT_KEYWORDS = (Keyword.OPT_OUT, Keyword.OPT_IN)


def contacts_for_agents(queryset: QuerySet | None = None) -> QuerySet:
    """Contacts with what the agents' list shows and sorts by: priority, temperature rank, the current stage
    (the active bot of the latest conversation), the latest opt-out or opt-in text (`consent_keyword`,
    `consent_text`, `consent_at`; None without one) and who took the conversation over."""
    queryset = Contact.objects.all() if queryset is None else queryset
    current = Conversation.objects.filter(contact=OuterRef("pk")).order_by("-last_activity_at")
    consent = (Message.objects.filter(contact=OuterRef("pk"), keyword__in=CONSENT_KEYWORDS)
               .order_by("-created_at", "-id"))
    return queryset.select_related("taken_over_by").annotate(
        priority=PRIORITY, temperature_rank=TEMPERATURE_RANK, stage=Subquery(current.values("active_bot")[:1]),
        consent_keyword=Subquery(consent.values("keyword")[:1]), consent_text=Subquery(consent.values("body")[:1]),
        consent_at=Subquery(consent.values("created_at")[:1]))


@dataclass(frozen=True)
class ConsentEvent:
    opted_out: bool             # True: the contact opted out; False: opted back in
    at: datetime | None
    text: str = ""              # the prospect's text that did it ("" when an agent or the carrier did)


def contact_consent_event(contact: Contact) -> ConsentEvent | None:
    """The contact's standing opt-out, or the opt-in that ended one, from a contact of `contacts_for_agents`;
    None for a contact who never did either."""
    keyword, text = getattr(contact, "consent_keyword", None), getattr(contact, "consent_text", None) or ""
    if contact.opted_out:
        return ConsentEvent(True, contact.opted_out_at, text if keyword == Keyword.OPT_OUT else "")
    if keyword == Keyword.OPT_IN:
        return ConsentEvent(False, contact.consent_at, text)
    return None


def contact_has_consent(contact: Contact) -> bool:
    """Whether texts that are not replies may go to the contact: a standing consent and no opt-out."""
    return not contact.opted_out and Consent.objects.filter(contact=contact, revoked_at__isnull=True).exists()


def contact_consents(contact: Contact) -> list[Consent]:
    """Every consent record of the contact, standing and revoked, oldest first."""
    return list(Consent.objects.filter(contact=contact).select_related("recorded_by").order_by("obtained_at", "id"))


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

    time_zone: str                  # the zone shown for the contact (their pages' zone)
    local_time: datetime
    opted_out: bool
    next_allowed: datetime | None   # None: a text goes out now
    other_time_zones: tuple[str, ...] = ()   # zones the number may also be in; the window holds in all of them


def contact_texting_window(contact: Contact, *, now: datetime | None = None) -> TextingWindow:
    now = now or timezone.now()
    zone = ZoneInfo(contact.time_zone or FALLBACK_TIME_ZONE)
    others = tuple(name for name in contact_time_zones(contact) if name != str(zone))
    return TextingWindow(time_zone=str(zone), local_time=now.astimezone(zone), opted_out=contact.opted_out,
                         next_allowed=next_allowed_time(contact, now), other_time_zones=others)


class Handling:
    """Who has a contact's conversation, as agents need to know it."""

    OPTED_OUT = "opted_out"     # no texts at all, whoever had it
    WAITING = "waiting"         # handed off by the bot, no agent has taken it yet: the bot is silent meanwhile
    TAKEN_OVER = "taken_over"   # an agent has it: the bot is silent
    BOT = "bot"                 # the bot answers


@dataclass(frozen=True)
class ContactHandling:
    state: str                  # a Handling value
    since: datetime | None      # when it came to this state (None when not recorded)
    reason: str = ""            # why the lead waits for an agent (the handoff's reason)
    agent_name: str = ""        # who took it over ("" when not recorded)

    @property
    def summary(self) -> str:
        """E.g. 'Waiting for an agent: asked for a person', 'Taken over by Dana Cruz', 'The bot is answering'."""
        if self.state == Handling.OPTED_OUT:
            return "Opted out: no texts"
        if self.state == Handling.WAITING:
            return f"Waiting for an agent: {self.reason}" if self.reason else "Waiting for an agent"
        if self.state == Handling.TAKEN_OVER:
            return f"Taken over by {self.agent_name}" if self.agent_name else "Taken over by an agent"
        return "The bot is answering"

    @property
    def who_has_it(self) -> str:
        """Why a bot text will not go out while the bot is paused, in the words of the transcript."""
        if self.state == Handling.WAITING:
            return "the bot is paused while the lead waits for an agent"
        return f"{self.agent_name or 'an agent'} has the conversation"

    @property
    def can_take_over(self) -> bool:
        return self.state in (Handling.WAITING, Handling.BOT)

    @property
    def can_hand_back(self) -> bool:
        # Only what an agent has can be handed back: a waiting lead is taken over first (a needless handoff is
        # taken over and handed back), so the page never offers both at once.
        return self.state == Handling.TAKEN_OVER


def contact_handling(contact: Contact) -> ContactHandling:
    if contact.opted_out:
        return ContactHandling(Handling.OPTED_OUT, contact.opted_out_at)
    if contact.needs_agent:
        return ContactHandling(Handling.WAITING, contact.handoff_at, reason=contact.handoff_reason)
    if contact.bot_paused:
        agent = contact.taken_over_by
        return ContactHandling(Handling.TAKEN_OVER, contact.bot_paused_at,
                               agent_name=(agent.get_full_name() or agent.get_username()) if agent else "")
    return ContactHandling(Handling.BOT, None)


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


def contacts_waiting_for_agent(limit: int = 50) -> list[Contact]:
    """Every contact handed to an agent that no agent has taken over yet (a Hot lead, a request for a person, a
    question only an agent may answer), longest waiting first; opted-out contacts are not waiting for anyone."""
    return list(Contact.objects.filter(needs_agent=True, opted_out=False)
                .order_by(F("handoff_at").asc(nulls_first=True), "id")[:limit])


# --- follow-ups -----------------------------------------------------------------------------------------------

FOLLOW_UP_REPLY_WINDOW = timedelta(days=1)


def contact_follow_up(contact: Contact) -> FollowUp | None:
    return FollowUp.objects.filter(contact=contact).first()


def follow_up_kind(plan: FollowUp) -> str:
    """What the next follow-up is, in words: 'nudge' or 'nurture text'."""
    return "nudge" if purpose_of(plan.step) == MessagePurpose.NUDGE else "nurture text"


def follow_ups_due_by(queryset: QuerySet, moment: datetime) -> QuerySet:
    """Contacts with an active follow-up due by `moment` (overdue ones included)."""
    return queryset.filter(follow_up__status=FollowUpStatus.ACTIVE, follow_up__due_at__lte=moment)


@dataclass(frozen=True)
class FollowUpReplies:
    sent: int       # follow-ups that went out in the window
    replied: int    # of them, those the prospect answered within FOLLOW_UP_REPLY_WINDOW

    @property
    def rate(self) -> float:
        return self.replied / self.sent if self.sent else 0.0


def follow_up_reply_rate(days: int, *, now: datetime | None = None) -> FollowUpReplies:
    """Of the nudges and nurture texts sent in the last `days` days, how many the prospect answered within a day."""
    now = now or timezone.now()
    answered = Message.objects.filter(contact_id=OuterRef("contact_id"), direction=Direction.INBOUND,
                                      created_at__gt=OuterRef("sent_at"),
                                      created_at__lte=OuterRef("sent_at") + FOLLOW_UP_REPLY_WINDOW)
    sent = Message.objects.filter(direction=Direction.OUTBOUND, purpose__in=SOLICITATIONS,
                                  sent_at__gt=now - timedelta(days=days), sent_at__lte=now).exclude(
        purpose=MessagePurpose.FIRST_TEXT)
    counts = sent.aggregate(sent=Count("id"), replied=Count("id", filter=Exists(answered)))
    return FollowUpReplies(counts["sent"], counts["replied"])
