"""Slot values: an amount, a count, a duration, a clock time, a date or a place, as one frozen value.

A slot prints as one fingerprint term ("$<=500000", "bed>=3", "dur=60d", "time>17:00", "zip=78704"). Numbers
print with at most six significant digits when they are not whole ("$=1.23457e+06"). Whatever reads a slot's
numbers back (the second half of a range, the facts) reads them as printed, through printed_value: two
messages that share a fingerprint must share their facts, since the cache serves one's answer for the other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class Measure(Enum):
    """What a slot measures; the value is the label it prints with."""

    MONEY = "$"
    MONTHLY_MONEY = "$/mo"
    BEDROOMS = "bed"
    BATHROOMS = "bath"
    SQUARE_FEET = "sqft"
    ACRES = "acre"
    PERCENT = "pct"
    DURATION = "dur"        # in days
    COUNT = "n"             # a plain number, with what it counts when the text says ("2 car garage": car)
    TIME = "time"           # a clock time, hh:mm
    DAY = "day"             # "tue", "today", "next_tue"
    DATE = "date"           # "jun-15"
    MONTH = "month"         # "jun", "next_jun"
    SEASON = "season"       # "summer", "next_summer"
    RELATIVE = "rel"        # "next_year", "this_weekend"
    ZIP = "zip"
    ADDRESS = "addr"        # "412 elm street"


# Looked up once: on Python 3.11 `Measure.X` goes through an EnumType hook (and `.value` through a property),
# and every number of a message becomes a slot.
_TIME = Measure.TIME
_DURATION = Measure.DURATION


@dataclass(frozen=True, slots=True)
class Slot:
    measure: Measure
    comparison: str = "="            # "=", "<=" or ">="; a clock time may also be "<" (by 5) or ">" (after 5)
    low: float | None = None         # the number (days for a duration), or the lower end of a range
    high: float | None = None        # the upper end of a range ("350-400k")
    name: str | None = None          # a named value: "tue", "jun-15", "next_year", "78704", "17:00" ...
    counted: str | None = None       # for a COUNT: the word or concept it counts
    term: str = field(init=False, repr=False, compare=False)  # the slot as the fingerprint prints it

    def __post_init__(self):
        object.__setattr__(self, "term", self._print())

    def _print(self) -> str:
        measure, comparison = self.measure, self.comparison
        if measure is _TIME:
            return f"time{comparison}{self.name}"
        if self.name is not None:
            return f"{measure._value_}={self.name}"
        if measure is _DURATION:
            days = f"{self.low}-{self.high}" if self.high is not None else f"{self.low}"
            return f"dur{comparison}{days}d"
        number = format_number(self.low)
        if self.high is not None:
            number += "-" + format_number(self.high)
        if self.counted is not None:
            number += ":" + self.counted
        return f"{measure._value_}{comparison}{number}"

    def printed_numbers(self) -> tuple[float, float | None] | None:
        """low and high as the fingerprint prints them, or None when either prints as no plain decimal
        ("1.23457e+06", "inf"): such a slot states no fact."""
        low = printed_value(self.low)
        high = printed_value(self.high) if self.high is not None else None
        if low is None or (self.high is not None and high is None):
            return None
        return low, high


def format_number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def printed_value(value: float) -> float | None:
    """The number as a slot prints it, read back; None when it does not print as plain digits."""
    printed = format_number(value)
    return float(printed) if printed.replace(".", "", 1).isdigit() else None


def duration_days(amount: float, unit: str, days_per_unit: dict[str, int]) -> int:
    if unit in ("month", "year"):
        months = amount * 12 if unit == "year" else amount
        # whole years count as 365 days so that "12 months" = "a year" and "2 months" = "60 days"
        return int(round(months / 12 * 365)) if float(months / 12).is_integer() else int(round(months * 30))
    return int(round(amount * days_per_unit[unit]))


def clock(hour: float, minute: int, meridiem: str | None) -> str:
    h = int(hour)
    if meridiem == "pm" and h < 12:
        h += 12
    elif meridiem == "am" and h == 12:
        h = 0
    elif meridiem is None and 1 <= h <= 7:
        h += 12  # an hour without am/pm between 1 and 7 is an afternoon appointment
    return f"{h:02d}:{minute:02d}"
