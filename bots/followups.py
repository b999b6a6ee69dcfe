"""Sending the follow-ups that are due (the beat task `bots.send_due_follow_ups` calls this every minute).

Each plan is taken in a transaction of its own with SELECT ... FOR UPDATE SKIP LOCKED, and its nudge is queued and
the plan moved to its next step in that same transaction: two workers (or two beats) never take one plan, and a
plan taken again later is no longer due. The nudge goes through the outbound service like any text (consent,
opt-out, paused bot, the state's hours and daily cap) and, being a bot text, is superseded by a newer reply.

A nudge repeats the question the prospect left unanswered, after an opening that changes with each nudge, in the
contact's language (bots/data/follow_ups.toml); after the nudges, a monthly nurture text by lead type.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from bots import stages
from leads.data_files import read_toml
from leads.followups import due_after, purpose_of
from leads.models import (
    Author,
    Contact,
    DeliveryStatus,
    Direction,
    FollowUp,
    FollowUpStatus,
    LeadType,
    Message,
    MessagePurpose,
)
from leads.selectors import contact_has_consent
from leads.services import conversation_current, follow_up_stop
from sms.segments import fit_segments, needs_unicode, to_gsm7
from sms.services import outbound_queue

FOLLOW_UPS = Path(__file__).resolve().parent / "data" / "follow_ups.toml"
MAX_SEGMENTS = 2
# Our texts still waiting to go out (without a Twilio SID: Twilio's own "queued" is out of our hands): the prospect
# has not seen the question yet, so it is not unanswered.
NOT_OUT_YET = (DeliveryStatus.QUEUED, DeliveryStatus.DEFERRED)


def send_due_follow_ups(*, now: datetime | None = None, limit: int = 200) -> list[int]:
    """Queue every follow-up due by `now` (at most `limit`); returns the ids of the texts queued."""
    now = now or timezone.now()
    queued = []
    for _ in range(limit):
        with transaction.atomic():
            plan = (FollowUp.objects.select_for_update(skip_locked=True, of=("self",)).select_related("contact")
                    .filter(status=FollowUpStatus.ACTIVE, due_at__lte=now).order_by("due_at", "id").first())
            if plan is None:
                break
            message = _follow_up(plan, now)
        if message is not None:
            queued.append(message.pk)
    return queued


def _follow_up(plan: FollowUp, now: datetime) -> Message | None:
    contact = Contact.objects.get(pk=plan.contact_id)  # fresh flags: an opt-out or a take-over may have just landed
    conversation = conversation_current(contact=contact)
    stop = _stop_reason(contact, conversation.closed_reason)
    if stop:
        follow_up_stop(contact=contact, reason=stop)
        return None
    if Message.objects.filter(contact=contact, direction=Direction.INBOUND, created_at__gt=plan.anchor_at).exists():
        # They answered since (their turn's reply, if any, starts the clock again).
        plan.due_at, plan.step = None, 0
        plan.save(update_fields=["due_at", "step", "updated_at"])
        return None
    waiting = (Message.objects.filter(contact=contact, direction=Direction.OUTBOUND, status__in=NOT_OUT_YET,
                                      twilio_sid__isnull=True).order_by("-id").first())
    if waiting is not None:
        # Our last text has not gone out yet (quiet hours): count from when it does.
        plan.anchor_at = max(waiting.send_after or now, now)
        plan.due_at = due_after(plan.anchor_at, plan.step)
        plan.save(update_fields=["anchor_at", "due_at", "updated_at"])
        return None
    message = outbound_queue(contact=contact, body=follow_up_text(contact, conversation.asked_slot, plan.step),
                             author=Author.BOT, purpose=purpose_of(plan.step), conversation=conversation)
    plan.step += 1
    plan.due_at = due_after(plan.anchor_at, plan.step)
    plan.last_sent = message
    if plan.due_at is None:
        plan.status, plan.stop_reason, plan.stopped_at = FollowUpStatus.STOPPED, "schedule finished", now
    plan.save(update_fields=["step", "due_at", "last_sent", "status", "stop_reason", "stopped_at", "updated_at"])
    return message


def _stop_reason(contact: Contact, closed_reason: str) -> str:
    if contact.opted_out:
        return "opted out"
    if contact.needs_agent or contact.bot_paused:
        return "an agent has the conversation"
    if closed_reason:
        return closed_reason
    if not contact_has_consent(contact):
        return "no consent to text on file"
    return ""


def follow_up_text(contact: Contact, asked_slot: str, step: int) -> str:
    words = _follow_ups().get(contact.language) or _follow_ups()["en"]
    first_name = contact.name.split(" ")[0] if contact.name else ""
    greeting = words["greeting_named"].format(name=first_name) if first_name else words["greeting"]
    if purpose_of(step) == MessagePurpose.NURTURE or not asked_slot:
        kind = contact.lead_type if contact.lead_type in (LeadType.BUYER, LeadType.SELLER) else "unknown"
        text = words["nurture"][kind].format(greeting=greeting)
    else:
        question = stages.question_for(asked_slot, contact.lead_type, contact.language)
        nudges = words["nudges"]
        text = nudges[min(step, len(nudges) - 1)].format(greeting=greeting, question=question)
    if not needs_unicode(contact.name):
        text = to_gsm7(text)
    return fit_segments(text, MAX_SEGMENTS)


def _follow_ups() -> dict:
    return read_toml(FOLLOW_UPS)
