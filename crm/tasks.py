"""Celery tasks of the CRM sync: thin, take IDs, safe to run twice. The work is in crm.delivery and crm.services."""

from celery import shared_task

from crm import delivery, services


@shared_task(name="crm.deliver_webhook", acks_late=True)
def deliver_webhook(delivery_id: int) -> str:
    """One attempt of the delivery if it is due; a failed one is tried again by the sweep at its next_attempt_at."""
    return delivery.attempt(delivery_id).status


@shared_task(name="crm.requeue_due_deliveries")
def requeue_due_deliveries() -> int:
    return services.deliveries_requeue_due()
