"""When a text may reach a prospect: between SMS_SEND_FROM_HOUR and SMS_SEND_UNTIL_HOUR in their local time."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from leads.phones import FALLBACK_TIME_ZONE


def next_allowed_time(contact, now: datetime | None = None) -> datetime | None:
    """None if a text may go out now, else the next allowed moment in the recipient's local time."""
    zone = ZoneInfo(contact.time_zone or FALLBACK_TIME_ZONE)
    local = (now or timezone.now()).astimezone(zone)
    if settings.SMS_SEND_FROM_HOUR <= local.hour < settings.SMS_SEND_UNTIL_HOUR:
        return None
    day = local.date() if local.hour < settings.SMS_SEND_FROM_HOUR else local.date() + timedelta(days=1)
    return datetime.combine(day, time(settings.SMS_SEND_FROM_HOUR), tzinfo=zone)
