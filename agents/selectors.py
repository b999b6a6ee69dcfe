"""Reads for the agents' screens and exports that join leads with the model-call ledger."""

import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Count, DecimalField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from bots.models import LLMCall
from leads.models import Author, Contact, DeliveryStatus, Direction, Keyword, Message, Temperature
from leads.selectors import ContactHandling, contact_handling, contact_transcript, contacts_for_agents
from sms.outbound import Refusal, refusal
from team.models import AssignmentHow, LeadAssignment


def contact_cost_usd(contact: Contact) -> Decimal:
    """What the lead has cost in model calls so far (the ledger prices every call; fallback answers are free)."""
    total = LLMCall.objects.filter(contact=contact).aggregate(total=Sum("cost_usd"))["total"]
    return total or Decimal("0")


# --- a contact's transcript, as an agent reads it ----------------------------------------------------------------

@dataclass(frozen=True)
class TranscriptEntry:
    message: Message
    event: str = ""              # "opt_out", "opt_in", "help", "unanswered": marked apart from ordinary texts
    event_label: str = ""        # what the inbound text did, in words
    fate: str = ""               # what happened, or will really happen, to an outbound text
    fate_kind: str = ""          # "done", "pending", "deferred", "not-sent", "failed" (how it is shown)
    fate_at: datetime | None = None  # when a deferred text goes out


PENDING = (DeliveryStatus.QUEUED, DeliveryStatus.DEFERRED)
NOT_SENT = {
    Refusal.OPTED_OUT: "Not sent: the contact had opted out",
    Refusal.BOT_PAUSED: "Not sent: the bot was paused (an agent had the conversation, or the lead was waiting for one)",
    Refusal.NO_CONSENT: "Not sent: no consent to text on file (a text that is not a reply needs one)",
}
FAILED = (DeliveryStatus.FAILED, DeliveryStatus.UNDELIVERED, DeliveryStatus.CANCELED)


def transcript_entries(contact: Contact) -> list[TranscriptEntry]:
    """The contact's messages, oldest first, each with what it did: opt-outs, opt-ins and help requests marked,
    prospect texts the bot deliberately left unanswered marked, and for each outbound text what happened to it,
    or what will really happen to one still waiting (suppressed if the contact opted out or, for a bot text, if
    the bot is paused now; otherwise sent after quiet hours), by the outbound service's own rule."""
    messages = contact_transcript(contact)
    by_id = {message.pk: message for message in messages}
    answered = {message.reply_to_id for message in messages if message.reply_to_id}
    handling = contact_handling(contact)
    entries = []
    opted_out = False  # as of each message: the opt-out and opt-in texts before it say
    for message in messages:
        if message.direction == Direction.INBOUND:
            entry = _inbound_entry(message, replied=message.pk in answered, opted_out=opted_out)
            opted_out = {"opt_out": True, "opt_in": False}.get(entry.event, opted_out)
            entries.append(entry)
        else:
            replied_to = by_id.get(message.reply_to_id)
            entries.append(_outbound_entry(message, contact, handling, replied_to.keyword if replied_to else ""))
    return entries


def _inbound_entry(message: Message, *, replied: bool, opted_out: bool) -> TranscriptEntry:
    if message.keyword == Keyword.OPT_OUT:
        confirmed_by = "we confirmed it" if replied else "Twilio confirmed it"
        return TranscriptEntry(message, "opt_out", f"Opted out: no texts from here on ({confirmed_by})")
    if message.keyword == Keyword.OPT_IN:
        return TranscriptEntry(message, "opt_in", "Opted back in: texts allowed again")
    if message.keyword == Keyword.HELP:
        return TranscriptEntry(message, "help", "Asked for help: the help text answered")
    if message.handled_at and not replied:
        why = "the contact had opted out" if opted_out else "the bot was paused or the conversation closed"
        return TranscriptEntry(message, "unanswered", f"No bot reply: {why}")
    return TranscriptEntry(message)


def _outbound_entry(message: Message, contact: Contact, handling: ContactHandling, answered: str) -> TranscriptEntry:
    status = message.status
    if status in PENDING:
        refused = refusal(message, contact, answered=answered)
        if refused == Refusal.OPTED_OUT:
            return TranscriptEntry(message, fate="Will not be sent: the contact has opted out", fate_kind="not-sent")
        if refused == Refusal.BOT_PAUSED:
            return TranscriptEntry(message, fate=f"Will not be sent: {handling.who_has_it}", fate_kind="not-sent")
        if refused == Refusal.NO_CONSENT:
            return TranscriptEntry(message, fate="Will not be sent: no consent to text on file", fate_kind="not-sent")
        if status == DeliveryStatus.DEFERRED:
            return TranscriptEntry(message, fate="Held back by quiet hours: goes out", fate_kind="deferred",
                                   fate_at=message.send_after)
        return TranscriptEntry(message, fate="Queued: going out now", fate_kind="pending")
    if status == DeliveryStatus.SUPPRESSED:
        return TranscriptEntry(message, fate=NOT_SENT.get(message.error_code, "Not sent (opted out or bot paused)"),
                               fate_kind="not-sent")
    if status == DeliveryStatus.SUPERSEDED:
        return TranscriptEntry(message, fate="Not sent: a newer reply replaced it", fate_kind="not-sent")
    if status in FAILED:
        error = f" (error {message.error_code})" if message.error_code else ""
        return TranscriptEntry(message, fate=f"{message.get_status_display()}{error}", fate_kind="failed")
    return TranscriptEntry(message, fate=message.get_status_display(), fate_kind="done")


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


# --- agents: speed to first contact, leads each ------------------------------------------------------------------

@dataclass(frozen=True)
class FirstContactTimes:
    agent_id: int | None           # who has the lead (routing's agent, else whoever took the conversation over)
    contacted: int                 # handoffs of the period an agent has texted since
    median_minutes: float | None   # from the handoff to the first agent text, over those
    not_contacted: int             # handoffs of the period without an agent text yet


def first_agent_contact_times(days: int) -> dict[int | None, FirstContactTimes]:
    """Per agent, over handoffs in the last `days` days: the median time from the handoff to the first text an
    agent wrote (Author.AGENT, when it was written: quiet hours may send it later), and how many have none yet.
    A lead nobody has is counted under None."""
    since = timezone.now() - timedelta(days=days)
    first_text = (Message.objects.filter(contact=OuterRef("pk"), direction=Direction.OUTBOUND, author=Author.AGENT,
                                         created_at__gte=OuterRef("handoff_at")).order_by("created_at")
                  .values("created_at")[:1])
    rows = (Contact.objects.filter(handoff_at__gte=since).order_by()
            .annotate(first_agent_text_at=Subquery(first_text), holder=Coalesce("assignment__agent", "taken_over_by"))
            .values_list("holder", "handoff_at", "first_agent_text_at"))
    waits: dict[int | None, list[float]] = defaultdict(list)
    not_contacted: dict[int | None, int] = defaultdict(int)
    for holder, handed_off_at, first_text_at in rows:
        if first_text_at is None:
            not_contacted[holder] += 1
        else:
            waits[holder].append((first_text_at - handed_off_at).total_seconds() / 60)
    return {holder: FirstContactTimes(holder, len(waits[holder]),
                                      statistics.median(waits[holder]) if waits[holder] else None,
                                      not_contacted[holder])
            for holder in set(waits) | set(not_contacted)}


@dataclass(frozen=True)
class LeadsOfAgent:
    agent_id: int
    leads: int        # leads that became theirs in the period, any way
    claimed: int      # of those, claimed from an offer


def leads_per_agent(days: int) -> dict[int, LeadsOfAgent]:
    """Leads each agent got in the last `days` days, by who has them now (a lead reassigned counts once, for
    its new agent)."""
    since = timezone.now() - timedelta(days=days)
    rows = (LeadAssignment.objects.filter(agent__isnull=False, assigned_at__gte=since).order_by().values("agent")
            .annotate(leads=Count("id"), claimed=Count("id", filter=Q(how=AssignmentHow.CLAIMED))))
    return {row["agent"]: LeadsOfAgent(row["agent"], row["leads"], row["claimed"]) for row in rows}


def users_by_id(ids) -> dict:
    return get_user_model().objects.in_bulk([user_id for user_id in ids if user_id is not None])


# --- operators: export ----------------------------------------------------------------------------------------

EXPORT_FIELDS = ("phone", "name", "lead_type", "temperature", "frs", "pcs", "stage", "needs_agent", "bot_paused",
                 "opted_out", "last_message_at", "created_at", "cost_usd", "facts", "consent")


def leads_for_export(*, temperature: str | None = None) -> QuerySet:
    """Contacts for an export, hottest first, with their stage and model-call cost."""
    money = DecimalField(max_digits=14, decimal_places=8)
    calls = (LLMCall.objects.filter(contact=OuterRef("pk")).order_by().values("contact")
             .annotate(total=Sum("cost_usd")).values("total"))
    queryset = contacts_for_agents().annotate(cost_usd=Coalesce(Subquery(calls, output_field=money), Value(0), output_field=money))
    if temperature:
        queryset = queryset.filter(temperature=temperature)
    return queryset.prefetch_related("consents").order_by("temperature_rank", "-frs_score", "id")


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
        "consent": [{"method": consent.method, "obtained_at": iso(consent.obtained_at), "wording": consent.wording,
                     "source": consent.source, "note": consent.note, "revoked_at": iso(consent.revoked_at),
                     "revoked_because": consent.revoked_because} for consent in contact.consents.all()],
    }
