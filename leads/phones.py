"""Phone numbers: one canonical E.164 form per number, and the time zone its prefix implies."""

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from phonenumbers import timezone as phone_timezones

# phonenumbers answers this when a prefix spans no single known zone.
UNKNOWN_TIME_ZONE = "Etc/Unknown"
FALLBACK_TIME_ZONE = "America/New_York"


def parse_phone(raw: str) -> phonenumbers.PhoneNumber:
    try:
        number = phonenumbers.parse(str(raw or "").strip(), settings.DEFAULT_PHONE_REGION)
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(f"{raw!r} is not a phone number ({exc})", code="invalid_phone") from exc
    if not phonenumbers.is_possible_number(number):
        raise ValidationError(f"{raw!r} is not a possible phone number", code="invalid_phone")
    return number


def normalize_phone(raw: str) -> str:
    """'(415) 555-0100', '+1 415.555.0100' and '14155550100' all become '+14155550100'."""
    return phonenumbers.format_number(parse_phone(raw), phonenumbers.PhoneNumberFormat.E164)


def time_zone_for_phone(e164: str) -> str:
    """The recipient's likely time zone; the first of several for numbers whose prefix spans zones."""
    zones = [zone for zone in phone_timezones.time_zones_for_number(parse_phone(e164)) if zone != UNKNOWN_TIME_ZONE]
    return zones[0] if zones else FALLBACK_TIME_ZONE
