"""What the memory call sees: a contact's recent messages (held in the cache's L1 window when this process has
them) and their older messages nearest in meaning to the new text."""

from __future__ import annotations

from caching.keys import Scope
from caching.policy import Tier
from caching.services import LLMCache
from leads import selectors
from leads.models import Contact, Message


def message_item(message: Message) -> dict:
    return {"id": message.pk, "direction": message.direction, "body": message.body,
            "stamp": message.created_at.isoformat()}


def recent_messages(cache: LLMCache, contact: Contact, limit: int) -> tuple[list[dict], Tier]:
    """The contact's newest `limit` messages, oldest first. Another worker may have added messages since this
    process filled its window; the contact row (read fresh for each turn) says which message is newest."""
    newest = contact.last_message_at.isoformat() if contact.last_message_at else None
    return cache.recent_items(
        Scope.for_contact(contact), limit, newest_stamp=newest,
        load=lambda count: [message_item(m) for m in selectors.recent_messages(contact=contact, limit=count)],
    )


def remember_message(cache: LLMCache, message: Message) -> None:
    cache.remember_item(Scope.for_contact(message.contact), message_item(message))
