"""Answering a contact's messages in order, one turn at a time; a turn that hands off tells agents (bots.handoffs)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import redis
from django_redis import get_redis_connection

from bots.handoffs import alert_agents
from bots.services import run_turn
from leads.models import Direction, Message

logger = logging.getLogger(__name__)

# A short lease on the contact, renewed while the turn runs: a worker killed mid-turn (no chance to release)
# frees its contact within one lease, so the redelivered turn is answered in seconds, not after the slowest turn.
TURN_LEASE_SECONDS = 15
RENEW_EVERY_SECONDS = TURN_LEASE_SECONDS / 3


class ContactBusy(Exception):
    """Another worker is answering this contact right now; try again shortly."""


@contextmanager
def contact_turn_lease(contact_id: int) -> Iterator[None]:
    """Hold the contact's turn lock for the block, renewing its lease from a thread (the turn itself waits on
    Claude and the database), and release it however the block ends. Raises ContactBusy when another worker
    holds it."""
    # thread_local=False: the renewing thread must see the token the acquiring thread stored.
    lock = get_redis_connection("default").lock(f"turn-lock:contact:{contact_id}", timeout=TURN_LEASE_SECONDS,
                                                 blocking=False, thread_local=False)
    if not lock.acquire(blocking=False):
        raise ContactBusy(contact_id)
    done = threading.Event()

    def renew() -> None:
        while not done.wait(RENEW_EVERY_SECONDS):
            try:
                lock.reacquire()
            except redis.RedisError:  # lost (Redis restarted, or the lease ran out): the turn finishes anyway
                logger.warning("turn lease of contact %s lost", contact_id)
                return

    renewer = threading.Thread(target=renew, name=f"turn-lease-{contact_id}", daemon=True)
    renewer.start()
    try:
        yield
    finally:
        done.set()
        renewer.join()
        try:
            lock.release()
        except redis.RedisError:  # expired: the lease already freed it
            pass


def answer_in_order(message_id: int) -> list[int]:
    """Answer every unhandled inbound message of the message's contact up to this one, oldest first, holding the
    contact's turn lease so two workers never run turns of one contact at once. Returns the replies stored (each
    is handed to the outbound service as its turn commits)."""
    message = Message.objects.only("contact_id").get(pk=message_id)
    with contact_turn_lease(message.contact_id):
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
