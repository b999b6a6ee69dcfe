"""Celery tasks of booking: thin, take IDs, safe to run twice. The work is in booking.services and booking.invites."""

from celery import shared_task

from booking.invites import send_invites
from booking.services import reminders_queue_due


@shared_task(name="booking.send_appointment_invites", acks_late=True, max_retries=5, autoretry_for=(OSError,),
             retry_backoff=True)
def send_appointment_invites(appointment_id: int) -> bool:
    """E-mail the appointment's invite (or cancellation) to the agent and the prospect, once per change."""
    return send_invites(appointment_id)


@shared_task(name="booking.send_due_reminders", acks_late=True)
def send_due_reminders() -> list[int]:
    """Beat, every minute: queue the reminder texts that are due (safe on several workers at once)."""
    return reminders_queue_due()
