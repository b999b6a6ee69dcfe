"""Receiving an SMS: store it once per MessageSid, act on keywords, queue the bot's turn after commit."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from bots import tasks
from bots.keywords import classify_keyword
from bots.segments import segment_count
from leads.models import Author, DeliveryStatus, Direction, Keyword, Message
from leads.services import contact_get_or_create, contact_set_opt_out, message_record_inbound, message_touch_contact


@dataclass(frozen=True)
class Received:
    message: Message
    created: bool      # False: Twilio retried a MessageSid we already have; nothing more was done
    keyword: str


def receive_sms(*, from_number: str, body: str, message_sid: str, opt_out_type: str = "") -> Received:
    with transaction.atomic():
        contact, _ = contact_get_or_create(phone=from_number)
        message, created = message_record_inbound(contact=contact, body=body, twilio_sid=message_sid)
        if not created:
            return Received(message, False, message.keyword)
        keyword = classify_keyword(body, opted_out=contact.opted_out, opt_out_type=opt_out_type)
        if keyword:
            Message.objects.filter(pk=message.pk).update(keyword=keyword, handled_at=timezone.now())
        if keyword == Keyword.OPT_OUT:
            # Twilio itself confirms the opt-out to the handset; we only stop texting.
            contact_set_opt_out(contact=contact, opted_out=True)
        elif keyword == Keyword.OPT_IN:
            contact_set_opt_out(contact=contact, opted_out=False)
        elif keyword == Keyword.HELP:
            help_reply = Message.objects.create(
                conversation=message.conversation, contact=contact, direction=Direction.OUTBOUND,
                body=settings.SMS_HELP_TEXT, status=DeliveryStatus.QUEUED, segments=segment_count(settings.SMS_HELP_TEXT),
                reply_to=message, author=Author.SYSTEM,
            )
            message_touch_contact(message=help_reply)
            transaction.on_commit(lambda: tasks.send_outbound_message.delay(help_reply.pk))
        else:
            transaction.on_commit(lambda: tasks.process_inbound_message.delay(message.pk))
    message.keyword = keyword
    return Received(message, True, keyword)
