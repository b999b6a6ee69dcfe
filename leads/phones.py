"""Phone numbers: one canonical E.164 form per number, and the time zones its prefix implies."""

from collections import Counter, defaultdict
from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from phonenumbers import timezone as phone_timezones
from phonenumbers.tzdata import TIMEZONE_DATA

# phonenumbers answers this when a prefix spans no single known zone.
UNKNOWN_TIME_ZONE = "Etc/Unknown"
FALLBACK_TIME_ZONE = "America/New_York"
NANP_COUNTRY_CODE = 1
NANP_AREA_CODE_DIGITS = 3


# What is wrong with a number, in words: phonenumbers' own messages ("(1) The string supplied did not seem to be a
# phone number.") name its internals. Keyed by its parse error types and its possible-number verdicts.
_PARSE_PROBLEMS = {
    phonenumbers.NumberParseException.INVALID_COUNTRY_CODE: "it does not start with a known country code",
    phonenumbers.NumberParseException.NOT_A_NUMBER: "it does not read as a phone number",
    phonenumbers.NumberParseException.TOO_SHORT_AFTER_IDD: "it has too few digits",
    phonenumbers.NumberParseException.TOO_SHORT_NSN: "it has too few digits",
    phonenumbers.NumberParseException.TOO_LONG: "it has too many digits",
}
_LENGTH_PROBLEMS = {
    phonenumbers.ValidationResult.INVALID_COUNTRY_CODE: "it does not start with a known country code",
    phonenumbers.ValidationResult.TOO_SHORT: "it has too few digits",
    phonenumbers.ValidationResult.TOO_LONG: "it has too many digits",
    phonenumbers.ValidationResult.INVALID_LENGTH: "it has the wrong number of digits for its country",
    phonenumbers.ValidationResult.IS_POSSIBLE_LOCAL_ONLY: "it has no area code",
}
PHONE_EXAMPLE = "+1 415 555 0100"


def parse_phone(raw: str) -> phonenumbers.PhoneNumber:
    try:
        number = phonenumbers.parse(str(raw or "").strip(), settings.DEFAULT_PHONE_REGION)
    except phonenumbers.NumberParseException as exc:
        raise _invalid(raw, _PARSE_PROBLEMS.get(exc.error_type, "it does not read as a phone number")) from exc
    verdict = phonenumbers.is_possible_number_with_reason(number)
    if verdict != phonenumbers.ValidationResult.IS_POSSIBLE:
        raise _invalid(raw, _LENGTH_PROBLEMS.get(verdict, "it is not a possible phone number"))
    return number


def _invalid(raw: str, problem: str) -> ValidationError:
    return ValidationError(f"{raw!r} is not a phone number: {problem} (write it with the country and area code, "
                           f"e.g. {PHONE_EXAMPLE})", code="invalid_phone")


def normalize_phone(raw: str) -> str:
    """'(415) 555-0100', '+1 415.555.0100' and '14155550100' all become '+14155550100'."""
    return phonenumbers.format_number(parse_phone(raw), phonenumbers.PhoneNumberFormat.E164)


def time_zones_for_phone(e164: str) -> tuple[str, ...]:
    """Every zone the recipient may be in, for quiet hours (sorted; never empty).

    phonenumbers knows many North American exchanges one by one (850-2xx is Pensacola, Central time) and answers
    the area code's catch-all for the rest (850-555 -> New York only). A mobile number keeps its exchange when its
    owner moves within the area, so for a +1 number every zone of its area code counts, not only its exchange's:
    850 is Central and Eastern whatever the exchange. Elsewhere mobile numbers are not geographic (phonenumbers
    already answers the whole country's zones) and landlines do not move, so the number's own answer is used."""
    number = parse_phone(e164)
    zones = set(_known_zones(phone_timezones.time_zones_for_number(number)))
    area = _nanp_area_prefix(number)
    if area:
        zones |= _area_zones(area)
    return tuple(sorted(zones)) or (FALLBACK_TIME_ZONE,)


def time_zone_for_phone(e164: str) -> str:
    """The one zone shown to agents (Contact.time_zone): where the recipient most likely is.

    When phonenumbers names a single zone for the number's exchange, that zone (the exchange's rate centre). When
    it names several (an area code's catch-all: 907 -> Adak and Anchorage, 208-2xx -> Boise and Los Angeles), the
    one whose clock most of the area code's individually known exchanges keep, a proxy for where most of its lines
    and people are: Anchorage for 907 (Adak is a town of a few hundred), Boise for 208. Without such data (toll-free
    numbers, a new overlay) the fallback zone if listed, else the first. Quiet hours use time_zones_for_phone."""
    number = parse_phone(e164)
    candidates = _known_zones(phone_timezones.time_zones_for_number(number))
    if not candidates:
        return FALLBACK_TIME_ZONE
    if len(candidates) == 1:
        return candidates[0]
    area = _nanp_area_prefix(number)
    weights = _area_clock_weights(area) if area else Counter()
    if weights:
        # max() keeps the first of equal weights, so a tie goes to phonenumbers' order.
        return max(candidates, key=lambda zone: weights.get(_clock(zone), 0))
    return FALLBACK_TIME_ZONE if FALLBACK_TIME_ZONE in candidates else candidates[0]


def _known_zones(zones) -> list[str]:
    return [zone for zone in zones if zone != UNKNOWN_TIME_ZONE and _loadable(zone)]


@lru_cache(maxsize=None)
def _loadable(zone: str) -> bool:
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _nanp_area_prefix(number: phonenumbers.PhoneNumber) -> str:
    """'1850' for +1 850 ..., '' for numbers outside the North American Numbering Plan."""
    if number.country_code != NANP_COUNTRY_CODE:
        return ""
    national = phonenumbers.national_significant_number(number)
    return f"{NANP_COUNTRY_CODE}{national[:NANP_AREA_CODE_DIGITS]}" if len(national) >= NANP_AREA_CODE_DIGITS else ""


@lru_cache(maxsize=None)
def _area_index() -> tuple[dict[str, frozenset[str]], dict[str, Counter]]:
    """Per NANP area prefix: every zone phonenumbers maps any of its prefixes to, and how many exchanges it maps
    to one zone alone, by clock (the area's catch-all entry is not counted: it is what is not known)."""
    zones, weights = defaultdict(set), defaultdict(Counter)
    area_length = len(str(NANP_COUNTRY_CODE)) + NANP_AREA_CODE_DIGITS
    exchange_length = area_length + 3
    for prefix, prefix_zones in TIMEZONE_DATA.items():
        if not prefix.startswith(str(NANP_COUNTRY_CODE)) or len(prefix) < area_length:
            continue
        area = prefix[:area_length]
        known = _known_zones(prefix_zones)
        zones[area].update(known)
        if len(prefix) > area_length and len(known) == 1:
            weights[area][_clock(known[0])] += 10 ** max(exchange_length - len(prefix), 0)
    return {area: frozenset(found) for area, found in zones.items()}, dict(weights)


def _area_zones(area: str) -> frozenset[str]:
    return _area_index()[0].get(area, frozenset())


def _area_clock_weights(area: str) -> Counter:
    return _area_index()[1].get(area, Counter())


@lru_cache(maxsize=None)
def _clock(zone: str) -> tuple:
    """Zones that keep the same time (Boise and Denver) compare equal: UTC offsets in January and July."""
    tz = ZoneInfo(zone)
    return tuple(datetime(2025, month, 15, 12, tzinfo=tz).utcoffset() for month in (1, 7))
