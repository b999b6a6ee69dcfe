"""Celery tasks: thin, take IDs, safe to run twice. The work is in bots.conversation and bots.outbound."""

import random

import redis
from celery import shared_task
from django.db import InterfaceError, OperationalError

from bots.conversation import ContactBusy, answer_in_order
from bots.outbound import TransientSendError, send

# Worth retrying: the database or Redis is away, a connection broke. A programming or data error is not.
TRANSIENT = (OperationalError, InterfaceError, redis.RedisError, OSError)


@shared_task(bind=True, name="bots.process_inbound_message", acks_late=True, max_retries=20)
def process_inbound_message(self, message_id: int) -> list[int]:
    try:
        replies = answer_in_order(message_id)
    except ContactBusy as exc:
        # The contact's previous turn is still running; this one follows it.
        raise self.retry(exc=exc, countdown=0.5 + random.random(), max_retries=None)
    except TRANSIENT as exc:
        raise self.retry(exc=exc, countdown=_backoff(self.request.retries))
    for reply_id in replies:
        send_outbound_message.delay(reply_id)
    return replies


@shared_task(bind=True, name="bots.send_outbound_message", acks_late=True, max_retries=8)
def send_outbound_message(self, message_id: int) -> str:
    try:
        outcome = send(message_id)
    except (TransientSendError, *TRANSIENT) as exc:
        raise self.retry(exc=exc, countdown=_backoff(self.request.retries))
    if outcome.send_after is not None:
        send_outbound_message.apply_async((message_id,), eta=outcome.send_after)
    return outcome.status


def _backoff(retries: int) -> float:
    """Exponential backoff with full jitter: 1, 2, 4 ... 300 s, each drawn between half and all of it."""
    ceiling = min(300.0, 2.0 ** retries)
    return ceiling / 2 + random.random() * ceiling / 2


@shared_task(name="bots.drain_inbound_spool")
def drain_inbound_spool() -> int:
    """Move texts spooled in Redis during a database outage into the database. Safe to run twice."""
    from bots.spool import drain_spool

    return drain_spool()
