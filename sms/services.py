"""Writes of the SMS transport: the one way an outbound text is queued."""

from __future__ import annotations

from django.db import transaction

from leads.models import Author, Contact, Conversation, DeliveryStatus, Direction, Keyword, Message, MessagePurpose
from leads.reader.optout import confirmation
from leads.services import contact_set_opt_out, conversation_current, message_mark_handled, message_touch_contact
from sms.outbound import supersede_older_replies
from sms.segments import segment_count


def outbound_queue(*, contact: Contact, body: str, author: str, reply_to: Message | None = None,
                   conversation: Conversation | None = None, purpose: str = MessagePurpose.REPLY) -> Message:
    """Record an outbound text and hand it to the outbound service once the surrounding transaction commits, so
    every text (the bot's, a handoff, HELP, an agent's) meets the same rules: opt-out, paused bot, quiet hours.
    `purpose`: a text that is not a reply (a first text, a nudge) also needs consent on file and keeps to the
    recipient's state's hours and daily cap.

    A reply names the inbound message it answers (`reply_to`), which is then handled; the reply row is unique per
    inbound message, so a second reply raises IntegrityError and nothing is sent twice. A bot reply (the bot's or a
    handoff) supersedes the contact's older bot replies still deferred by quiet hours (sms.outbound)."""
    message = Message.objects.create(
        conversation=conversation or (reply_to.conversation if reply_to else conversation_current(contact=contact)),
        contact=contact, direction=Direction.OUTBOUND, body=body, status=DeliveryStatus.QUEUED,
        segments=segment_count(body), reply_to=reply_to, author=author, purpose=purpose,
    )
    message_touch_contact(message=message)
    supersede_older_replies(message)  # a bot reply: older bot replies still held back by quiet hours are stale
    if reply_to is not None:
        message_mark_handled(message=reply_to, at=message.created_at)
    # The task module is imported when a text is queued: it brings in Celery and redis, and the admin imports this
    # module at every startup (`manage.py help` included) without queuing anything.
    from sms.tasks import send_outbound_message

    transaction.on_commit(lambda: send_outbound_message.delay(message.pk))
    return message


def opt_out_confirmed(*, contact: Contact, inbound: Message, language: str, confirm: bool = True) -> Message | None:
    """Consent revoked: the contact goes on the suppression list and, unless the carrier's keyword handling
    already answered (Twilio confirms its own STOP keywords), gets one confirmation, the last text we send."""
    message_mark_handled(message=inbound, keyword=Keyword.OPT_OUT)
    contact_set_opt_out(contact=contact, opted_out=True, because=f"opted out by text: {inbound.body[:150]}")
    if not confirm:
        return None
    return outbound_queue(contact=contact, body=confirmation(language), author=Author.SYSTEM, reply_to=inbound)
