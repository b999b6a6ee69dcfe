"""A contact's recent messages (bots.memory) from the in-process L1 until another worker adds one, against the real
cache and PostgreSQL."""

import pytest

from bots.memory import recent_messages, remember_message
from caching.policy import Tier
from caching.services import LLMCache
from tests.support.factories import ContactFactory, MessageFactory

pytestmark = pytest.mark.django_db


def test_recent_messages_come_from_l1_until_another_worker_adds_one():
    contact = ContactFactory()
    for i in range(3):
        message = MessageFactory(contact=contact, conversation__contact=contact, body=f"m{i}")
        from leads.services import message_touch_contact

        message_touch_contact(message=message)
    contact.refresh_from_db()
    cache = LLMCache()
    messages, tier = recent_messages(cache, contact, 2)
    assert tier == Tier.MISS and [m["body"] for m in messages] == ["m1", "m2"]
    messages, tier = recent_messages(cache, contact, 2)
    assert tier == Tier.L1 and [m["body"] for m in messages] == ["m1", "m2"]

    newer = MessageFactory(contact=contact, conversation=message.conversation, body="from another worker")
    message_touch_contact(message=newer)
    contact.refresh_from_db()
    messages, tier = recent_messages(cache, contact, 2)
    assert tier == Tier.MISS and [m["body"] for m in messages] == ["m2", "from another worker"]

    mine = MessageFactory(contact=contact, conversation=message.conversation, body="sent here")
    message_touch_contact(message=mine)
    remember_message(cache, mine)
    contact.refresh_from_db()
    messages, tier = recent_messages(cache, contact, 2)
    assert tier == Tier.L1 and [m["body"] for m in messages] == ["from another worker", "sent here"]
