"""When a text may reach a prospect: between SMS_SEND_FROM_HOUR and SMS_SEND_UNTIL_HOUR in their local time, or the
hours a caller passes (`hours`: a text that is not a reply keeps its state's hours, leads.texting_policy).

A number may be in several zones (907 spans Alaska's zones and Adak's, 850 Central and Eastern): a moment is
allowed only if it is allowed in every one of them, and the next allowed moment is the earliest moment allowed in
all of them. The answer is given in the zone shown to agents (Contact.time_zone)."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from datetime import datetime, time, timedelta
from datetime import timezone as dt_timezone
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from leads.phones import FALLBACK_TIME_ZONE, time_zones_for_phone

logger = logging.getLogger(__name__)

# How far ahead a moment allowed in every zone is looked for; windows repeat daily, so a week is plenty.
SEARCH_DAYS = 8


def contact_time_zones(contact) -> tuple[str, ...]:
    """Every zone the contact may be in: the number's zones and the zone shown for the contact."""
    zones = set(time_zones_for_phone(contact.phone)) if contact.phone else set()
    zones.add(contact.time_zone or FALLBACK_TIME_ZONE)
    return tuple(sorted(zones))


def next_allowed_time(contact, now: datetime | None = None, *, hours: tuple[int, int] | None = None) -> datetime | None:
    """None if a text may go out now, else the next allowed moment (in the contact's shown zone). `hours`: the
    local [from, until) hours allowed, SMS_SEND_FROM_HOUR-SMS_SEND_UNTIL_HOUR by default."""
    now = now or timezone.now()
    hours = hours or operator_hours()
    shown = ZoneInfo(contact.time_zone or FALLBACK_TIME_ZONE)
    zones = [ZoneInfo(name) for name in contact_time_zones(contact)]
    if allowed_in_all(zones, now, hours):
        return None
    later = _earliest_allowed(zones, now, hours)
    if later is None:
        # The zones never share an allowed moment: sending hours shorter than the zones' spread (10-11 am in both
        # Central and Eastern) or no sending hours at all. The shown zone alone decides then. (Even a toll-free
        # number, every zone from Guam to Pago Pago, shares 5-7:30 pm New York time in winter.)
        logger.warning("no moment allowed in all of %s for contact %s; using %s alone",
                       [str(zone) for zone in zones], getattr(contact, "pk", None), shown)
        if allowed_in_all([shown], now, hours):
            return None
        later = _earliest_allowed([shown], now, hours) or _openings([shown], now, hours)[0]
    return later.astimezone(shown)


def operator_hours() -> tuple[int, int]:
    """The local [from, until) hours the operator allows any text in (SMS_SEND_FROM_HOUR, SMS_SEND_UNTIL_HOUR)."""
    return settings.SMS_SEND_FROM_HOUR, settings.SMS_SEND_UNTIL_HOUR


def allowed_in_all(zones: Iterable[ZoneInfo], moment: datetime, hours: tuple[int, int] | None = None) -> bool:
    hours = hours or operator_hours()
    return all(hours[0] <= moment.astimezone(zone).hour < hours[1] for zone in zones)


def _earliest_allowed(zones: list[ZoneInfo], now: datetime, hours: tuple[int, int]) -> datetime | None:
    # The moments allowed in all zones form intervals, each starting when the last of the zones opens; so the
    # first opening (any zone's local SMS_SEND_FROM_HOUR) after now that is allowed in every zone is the answer.
    for opening in _openings(zones, now, hours):
        if allowed_in_all(zones, opening, hours):
            return opening
    return None


def _openings(zones: list[ZoneInfo], now: datetime, hours: tuple[int, int]) -> list[datetime]:
    return sorted({moment for zone in zones for moment in _zone_openings(zone, now, hours[0]) if moment > now})


def _zone_openings(zone: ZoneInfo, now: datetime, from_hour: int) -> Iterator[datetime]:
    today = now.astimezone(zone).date()
    for days in range(-1, SEARCH_DAYS):
        # fold=0 is the first of a repeated local time; for a time skipped by a DST change it is the moment the
        # clock jumps, the first moment of that day at or past the opening hour.
        local = datetime.combine(today + timedelta(days=days), time(from_hour), tzinfo=zone)
        yield local.astimezone(dt_timezone.utc)
