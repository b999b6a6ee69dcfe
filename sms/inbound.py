"""Receiving an SMS: store it once per MessageSid, act on keywords, announce a text to answer after commit."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from leads.models import Author, ConsentMethod, Keyword, Message
from leads.services import (
    consent_record,
    consent_record_texted_first,
    contact_get_or_create,
    contact_set_opt_out,
    follow_up_answered,
    message_mark_handled,
    message_record_inbound,
)
from sms.keywords import classify_keyword
from leads.reader.language import detect
from sms.services import opt_out_confirmed, outbound_queue
from sms.signals import inbound_text_stored


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
        match = classify_keyword(body, opted_out=contact.opted_out, opt_out_type=opt_out_type,
                                 sender=from_number)
        keyword = match.keyword
        if keyword and keyword != Keyword.OPT_OUT:
            message_mark_handled(message=message, keyword=keyword)
        if keyword == Keyword.OPT_OUT:
            # Twilio confirms its own keywords to the handset; an opt-out in other words gets our confirmation.
            opt_out_confirmed(contact=contact, inbound=message, language=detect(body) or contact.language,
                              confirm=not match.confirmed_by_twilio)
        elif keyword == Keyword.OPT_IN:
            contact_set_opt_out(contact=contact, opted_out=False)
            consent_record(contact=contact, method=ConsentMethod.OPTED_IN, wording=body[:1000], source="SMS",
                           obtained_at=message.created_at)
        elif keyword == Keyword.HELP:
            outbound_queue(contact=contact, body=settings.SMS_HELP_TEXT, author=Author.SYSTEM, reply_to=message)
        else:
            consent_record_texted_first(contact=contact, message=message)
            follow_up_answered(contact=contact)
            transaction.on_commit(lambda: inbound_text_stored.send(sender=Message, message_id=message.pk))
    message.keyword = keyword
    return Received(message, True, keyword)
