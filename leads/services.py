"""Writes to contacts, conversations and messages."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from leads.facts import clean_facts
from leads.models import Contact, Conversation, DeliveryStatus, Direction, Message
from leads.phones import normalize_phone


def contact_get_or_create(*, phone: str, name: str = "") -> tuple[Contact, bool]:
    """The one contact for this number in any format; safe when two requests race on a new number."""
    e164 = normalize_phone(phone)
    try:
        with transaction.atomic():
            return Contact.objects.get_or_create(phone=e164, defaults={"name": name})
    except IntegrityError:
        return Contact.objects.get(phone=e164), False


def conversation_current(*, contact: Contact) -> Conversation:
    conversation = contact.conversations.order_by("-last_activity_at").first()
    return conversation or Conversation.objects.create(contact=contact)


def message_record_inbound(*, contact: Contact, body: str, twilio_sid: str | None) -> tuple[Message, bool]:
    """Store an inbound text once per Twilio MessageSid; a retry returns the stored row and False."""
    if twilio_sid:
        existing = Message.objects.filter(twilio_sid=twilio_sid).first()
        if existing:
            return existing, False
    conversation = conversation_current(contact=contact)
    try:
        with transaction.atomic():
            message = Message.objects.create(
                conversation=conversation, contact=contact, direction=Direction.INBOUND, body=body,
                twilio_sid=twilio_sid or None, status=DeliveryStatus.RECEIVED,
            )
    except IntegrityError:
        return Message.objects.get(twilio_sid=twilio_sid), False
    message_touch_contact(message=message)
    return message, True


def message_touch_contact(*, message: Message) -> None:
    """Record the message as the conversation's and contact's latest activity (the in-process history of
    recent messages is trusted only while its newest message matches `Contact.last_message_at`)."""
    Conversation.objects.filter(pk=message.conversation_id).update(last_activity_at=message.created_at)
    Contact.objects.filter(pk=message.contact_id).update(last_message_at=message.created_at)


def contact_apply_turn(*, contact: Contact, name: str, lead_type: str, facts: dict, frs: int, pcs: int,
                       temperature: str, bot: str, asked_slot: str, handoff_reason: str) -> Contact:
    """Store what a turn learned. Saved through the model so a temperature change fires the cache
    invalidation signal. A handoff marks the contact for an agent and pauses the bot."""
    now = timezone.now()
    contact.name = contact.name or name
    contact.lead_type = lead_type
    contact.facts = clean_facts(facts)
    contact.frs_score, contact.pcs_score = frs, pcs
    contact.temperature = temperature
    if handoff_reason and not contact.needs_agent:
        contact.needs_agent, contact.handoff_reason, contact.handoff_at = True, handoff_reason[:120], now
        contact.bot_paused, contact.bot_paused_at = True, now
    contact.save()
    changes = {"active_bot": bot, "asked_slot": asked_slot}
    if asked_slot == "name":
        changes["name_asked"] = True
    Conversation.objects.filter(pk=conversation_current(contact=contact).pk).update(**changes)
    return contact


def contact_set_opt_out(*, contact: Contact, opted_out: bool) -> Contact:
    """Suppression list: an opted-out contact gets no texts until they opt back in."""
    if contact.opted_out != opted_out:
        contact.opted_out = opted_out
        contact.opted_out_at = timezone.now() if opted_out else None
        contact.save(update_fields=["opted_out", "opted_out_at", "updated_at"])
    return contact
