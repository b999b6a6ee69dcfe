"""Celery tasks of the transport: thin, take IDs, safe to run twice. The work is in sms.outbound."""


from celery import shared_task

from sms.outbound import TransientSendError, send
from sms.retry import TRANSIENT, backoff_seconds


@shared_task(bind=True, name="sms.send_outbound_message", acks_late=True, max_retries=8)
def send_outbound_message(self, message_id: int, reschedule: bool | None = None) -> str:
    """Send the text, or, in the recipient's quiet hours, leave it deferred and run again when they end.

    `reschedule` says whether a deferred text's task is queued again for its `send_after`; by default yes on a
    worker and no when the task runs eagerly (task_always_eager or .apply()): an eager task ignores the ETA, so
    queueing it again would run it at once, find the same quiet hours and recurse. An eager caller (a test, a
    driver replaying conversations) decides when to run it again; the row stays `deferred` with its send_after."""
    try:
        outcome = send(message_id)
    except (TransientSendError, *TRANSIENT) as exc:
        raise self.retry(exc=exc, countdown=backoff_seconds(self.request.retries))
    if reschedule is None:
        reschedule = not self.request.is_eager
    if outcome.send_after is not None and reschedule:
        send_outbound_message.apply_async((message_id,), eta=outcome.send_after)
    return outcome.status
