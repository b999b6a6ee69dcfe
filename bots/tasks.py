"""Celery tasks of the bots: thin, take IDs, safe to run twice. The work is in bots.conversation."""

import random

from celery import shared_task

from bots.conversation import ContactBusy, answer_in_order
from bots.handoffs import alert_agents
from bots.followups import send_due_follow_ups as queue_due_follow_ups
from sms.retry import TRANSIENT, backoff_seconds


@shared_task(bind=True, name="bots.process_inbound_message", acks_late=True, max_retries=20)
def process_inbound_message(self, message_id: int) -> list[int]:
    """Answer the contact's texts up to this one; each reply is queued for sending as its turn commits."""
    try:
        return answer_in_order(message_id)
    except ContactBusy as exc:
        # The contact's previous turn is still running; this one follows it.
        raise self.retry(exc=exc, countdown=0.5 + random.random(), max_retries=None)
    except TRANSIENT as exc:
        raise self.retry(exc=exc, countdown=backoff_seconds(self.request.retries))


@shared_task(name="bots.send_due_follow_ups", acks_late=True)
def send_due_follow_ups() -> list[int]:
    """Beat, every minute: queue the follow-ups that are due (safe on several workers at once: bots.followups)."""
    return queue_due_follow_ups()


@shared_task(name="bots.alert_agents", acks_late=True)
def alert_agents_of_contact(contact_id: int) -> bool:
    """Tell agents of a contact waiting for one (a web lead without consent, or hot from its message); once per
    handoff however often it runs."""
    return alert_agents(contact_id)
