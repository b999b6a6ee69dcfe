"""Conversations through the real turn: what a prospect texts, recorded as the webhook records it."""

from bots.services import run_turn
from leads.services import contact_get_or_create, message_record_inbound


def converse(phone, texts, provider, cache):
    """Each text recorded as the prospect's (no MessageSid) and its turn run; the contact as the turns left it, and
    the turn results."""
    contact, _ = contact_get_or_create(phone=phone)
    results = []
    for text in texts:
        message, _ = message_record_inbound(contact=contact, body=text, twilio_sid=None)
        results.append(run_turn(message.pk, provider=provider, cache=cache))
    contact.refresh_from_db()
    return contact, results
