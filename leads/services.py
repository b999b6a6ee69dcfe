"""Writes to contacts, conversations and messages."""

from django.db import IntegrityError, transaction
from django.utils import timezone

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
    Conversation.objects.filter(pk=conversation.pk).update(last_activity_at=timezone.now())
    return message, True
