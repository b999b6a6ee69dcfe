"""When PostgreSQL is down, an inbound SMS is kept in a Redis list instead of being lost; a periodic task moves
spooled messages into the database once it is back (in arrival order, each at most once per MessageSid).

The periodic task lives here, beside the spool, rather than in sms/tasks.py: the inbound path queues outbound
texts through sms.tasks, so sms.tasks importing the inbound path would make a cycle (settings list this module in
CELERY_IMPORTS so workers register the task)."""

from __future__ import annotations

import json
import logging

from celery import shared_task
from django.db import DatabaseError, InterfaceError, OperationalError
from django_redis import get_redis_connection

from sms.inbound import receive_sms

logger = logging.getLogger(__name__)

SPOOL_KEY = "sms-inbound-spool"
# A spooled text the database refuses for another reason than being away is set aside here, not dropped.
FAILED_KEY = "sms-inbound-spool:failed"


def spool_inbound(payload: dict, reason: str = "") -> None:
    """Keep the webhook's fields; raises a Redis error if Redis is down too (the caller answers 503)."""
    get_redis_connection("default").rpush(SPOOL_KEY, json.dumps(payload))
    logger.warning("database refused inbound SMS %s (%s): spooled in Redis", payload.get("message_sid"), reason)


def spooled_count() -> int:
    return get_redis_connection("default").llen(SPOOL_KEY)


def drain_spool(limit: int = 500) -> int:
    """Store up to `limit` spooled messages; stops (keeping the rest) at the first database error."""
    client = get_redis_connection("default")
    stored = 0
    for _ in range(limit):
        raw = client.lpop(SPOOL_KEY)
        if raw is None:
            break
        payload = json.loads(raw)
        try:
            receive_sms(**payload)
        except (OperationalError, InterfaceError):
            client.lpush(SPOOL_KEY, raw)  # still away: back at the head, order is kept
            break
        except DatabaseError as exc:
            logger.error("spooled SMS %s refused by the database (%s); kept in %s", payload.get("message_sid"), exc,
                         FAILED_KEY)
            client.rpush(FAILED_KEY, raw)
            continue
        stored += 1
    return stored


@shared_task(name="sms.drain_inbound_spool")
def drain_inbound_spool() -> int:
    """Move texts spooled in Redis during a database outage into the database. Safe to run twice."""
    return drain_spool()
