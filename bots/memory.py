"""What the memory call sees: a contact's recent messages (held in the cache's L1 window when this process has
them) and their older messages nearest in meaning to the new text; and, for a conversation that fits in that
window, the memory without the call."""

from __future__ import annotations

from caching.keys import Scope
from caching.policy import Tier
from caching.services import LLMCache
from leads import selectors
from leads.models import Contact, Direction, Message


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


# At most what the memory call may answer (bots.providers.MemoryAnswer.summary).
WHOLE_CONVERSATION_CHARS = 600


def whole_conversation(messages: list[dict], *, current_id: int) -> dict:
    """A short conversation's memory, as the memory call answers it: every earlier message, oldest first, the
    newest kept when they are too long together. The new text itself is the reply's own input, not memory."""
    lines: list[str] = []
    used: list[int] = []
    for message in reversed([m for m in messages if m["id"] != current_id]):
        line = f"{'prospect' if message['direction'] == Direction.INBOUND else 'we'}: {message['body']}"
        if len(" | ".join([line, *lines])) > WHOLE_CONVERSATION_CHARS:
            break
        lines.insert(0, line)
        used.insert(0, message["id"])
    return {"summary": " | ".join(lines), "message_ids": used}
