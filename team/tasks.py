"""Celery tasks of the team: thin, safe to run twice and on several workers. The work is in team.services."""

from celery import shared_task

from team.services import fall_back_unclaimed_leads as move_unclaimed_offers


@shared_task(name="team.fall_back_unclaimed_leads", acks_late=True)
def fall_back_unclaimed_leads() -> list[int]:
    """Beat, every minute: first-to-claim offers past their timeout go to the next group, the pond or the owner."""
    return move_unclaimed_offers()
