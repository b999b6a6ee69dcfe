"""Answering a contact's messages in order, one turn at a time; a turn that hands off tells agents (bots.handoffs)."""

from __future__ import annotations

import logging

import redis
from django_redis import get_redis_connection

from bots.handoffs import alert_agents
from bots.services import run_turn
from leads.models import Direction, Message

logger = logging.getLogger(__name__)

# Longer than the slowest turn: four Claude calls, each with its timeout and the SDK's retries.
TURN_LOCK_SECONDS = 300


class ContactBusy(Exception):
    """Another worker is answering this contact right now; try again shortly."""


def answer_in_order(message_id: int) -> list[int]:
    """Answer every unhandled inbound message of the message's contact up to this one, oldest first, holding a
    per-contact lock so two workers never run turns of one contact at once. Returns the replies stored (each is
    handed to the outbound service as its turn commits)."""
    message = Message.objects.only("contact_id").get(pk=message_id)
    lock = get_redis_connection("default").lock(f"turn-lock:contact:{message.contact_id}", timeout=TURN_LOCK_SECONDS,
                                                 blocking=False)
    if not lock.acquire(blocking=False):
        raise ContactBusy(message.contact_id)
    try:
        pending = Message.objects.filter(contact_id=message.contact_id, direction=Direction.INBOUND,
                                         handled_at__isnull=True, id__lte=message_id).order_by("id")
        replies = []
        for inbound_id in pending.values_list("id", flat=True):
            result = run_turn(inbound_id)
            if result.reply is not None and not result.skipped:
                replies.append(result.reply.pk)
            if result.handoff_reason:
                alert_agents(message.contact_id)
        return replies
    finally:
        try:
            lock.release()
        except redis.RedisError:  # expired: the lock's timeout already freed it
            pass
