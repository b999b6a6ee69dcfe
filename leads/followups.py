"""The follow-up schedule: offsets from our unanswered text (FOLLOW_UP_DELAYS_MINUTES: nudges, default 10 minutes,
1, 3 and 7 days), then FOLLOW_UP_NURTURE_MONTHS nurture texts FOLLOW_UP_NURTURE_INTERVAL_DAYS apart after the last
nudge. Counting every offset from one moment keeps the schedule the same however late a beat runs."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings

from leads.models import MessagePurpose


def offsets() -> list[timedelta]:
    nudges = [timedelta(minutes=minutes) for minutes in settings.FOLLOW_UP_DELAYS_MINUTES]
    interval = timedelta(days=settings.FOLLOW_UP_NURTURE_INTERVAL_DAYS)
    return nudges + [nudges[-1] + interval * month for month in range(1, settings.FOLLOW_UP_NURTURE_MONTHS + 1)]


def due_after(anchor: datetime, step: int) -> datetime | None:
    """When follow-up number `step` (0 = the first) is due, or None once the schedule is over."""
    schedule = offsets()
    return anchor + schedule[step] if step < len(schedule) else None


def purpose_of(step: int) -> str:
    return MessagePurpose.NUDGE if step < len(settings.FOLLOW_UP_DELAYS_MINUTES) else MessagePurpose.NURTURE
