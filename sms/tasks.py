"""Celery tasks of the transport: thin, take IDs, safe to run twice. The work is in sms.outbound."""


from celery import shared_task

from sms.outbound import TransientSendError, send
from sms.retry import TRANSIENT, backoff_seconds


@shared_task(bind=True, name="sms.send_outbound_message", acks_late=True, max_retries=8)
def send_outbound_message(self, message_id: int) -> str:
    try:
        outcome = send(message_id)
    except (TransientSendError, *TRANSIENT) as exc:
        raise self.retry(exc=exc, countdown=backoff_seconds(self.request.retries))
    if outcome.send_after is not None:
        send_outbound_message.apply_async((message_id,), eta=outcome.send_after)
    return outcome.status
