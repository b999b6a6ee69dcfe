"""Reading a prospect's answer to an offer of appointment times, and a later text that cancels or moves the
appointment: "the second one", "tues at 3", "any time after 5 works", "2", "el martes a las 10", "none of those
work", "need to cancel", "can we do thursday instead" (data/slot_choice.toml holds the words).

`read_slot_reply` says what the text asks for (a `TimeWish`, and whether it declines, agrees, cancels or moves);
`choose` finds the offered time it picks, and `fits` tells whether any time suits the wish, so the caller can look
for one in the agent's free times when none of those offered does. Times are local to the prospect. Pure Python.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from functools import lru_cache

from leads.reader.lexicon import patterns, table
from leads.reader.text import fold_accents, normalise

DATA = "slot_choice"
AMPM = r"(?P<ampm>a\.?\s?m\.?|p\.?\s?m\.?|am|pm|a|p)"
CLOCK = re.compile(r"(?<![\d/:#$.,])(?P<h>\d{1,2})(?::(?P<m>[0-5]\d)|\s?h(?P<hm>[0-5]\d)?)?\s*" + AMPM + r"?(?![\d/:%$a-z])")
# A bare number is a time after one of these ("at 3", "a las 10", "around 4"), or next to a day ("tues 3").
CLOCK_LEAD = re.compile(r"(?:\bat|@|\ba las|\ba la|\baround|\babout|\bcomo a las|\btipo|\bat like|\blike|\bcerca de las)\s*$")
US_DATE = re.compile(r"(?<![\d/])(?P<month>1[0-2]|0?[1-9])/(?P<day>3[01]|[12]\d|0?[1-9])(?:/\d{2,4})?(?![\d/])")
DAY_SUFFIX = r"(?:st|nd|rd|th)"
OPTION_NUMBER_ALONE = re.compile(r"^(?:the |la |el |option |opcion |number |numero |#\s?)?(?P<n>1[0-2]|[1-9])"
                                 r"(?: ?(?:one|pls|please|plz|works|is good|is fine|is best|por favor|porfa|esta bien))*[.!]*$")
NEGATED_DAY = re.compile(r"(?:\bnot|\bno|\bexcept|\bbut not|\bmenos|\bexcepto)\s+(?:on\s+|el\s+)?$")
LOOKBACK = 16


class Bound:
    AFTER = "after"
    BEFORE = "before"


@dataclass(frozen=True)
class TimeWish:
    """The time a text asks for; every field None (or empty) that the text does not name."""

    ordinal: int | None = None       # 1-based place among the offered times; -1 the last
    number: int | None = None        # a bare number ("2", "11 works"): an option's number when that many were
                                     # offered, else an hour
    weekdays: frozenset[int] = frozenset()   # 0 Monday
    not_weekdays: frozenset[int] = frozenset()
    day: date | None = None          # a date named or counted from the text's own date ("tomorrow", "dec 8")
    day_of_month: int | None = None  # "the 8th"
    minutes: tuple[int, ...] = ()    # the clock time's readings in minutes after midnight ("at 3": 3 am or 3 pm)
    after: int | None = None         # minutes after midnight: "any time after 5"
    before: int | None = None        # "before noon"
    part: tuple[int, int] | None = None  # [from, until) hours: "in the morning"

    @property
    def names_a_time(self) -> bool:
        """The text says which day or time it wants (not only a place in the list)."""
        return bool(self.weekdays or self.day or self.day_of_month or self.minutes
                    or self.after is not None or self.before is not None or self.part)

    @property
    def exact(self) -> bool:
        """A day and a clock time: one moment, which can be booked as it is when it is free."""
        return bool(self.minutes) and bool(self.weekdays or self.day or self.day_of_month)


@dataclass(frozen=True)
class SlotReply:
    wish: TimeWish = field(default_factory=TimeWish)
    decline: bool = False   # none of the offered times will do
    agree: bool = False     # "yes", "sounds good": a pick only when one time was offered
    cancel: bool = False
    move: bool = False
    off_topic: bool = False  # a question about something else ("what's the HOA?"): no answer about times

    @property
    def about_time(self) -> bool:
        return self.wish.names_a_time or self.wish.ordinal is not None or self.wish.number is not None


def read_slot_reply(text: str, today: date) -> SlotReply:
    """What `text` (sent on `today`, the prospect's local date) says about an appointment's time."""
    return _read(fold_accents(normalise(text)), today)


@lru_cache(maxsize=2048)
def _read(folded: str, today: date) -> SlotReply:
    rest = folded
    day, day_of_month, rest = _dates(rest, today)
    part, rest = _part_of_day(rest)
    relative, rest = _relative_day(rest, today)
    day = day or relative
    weekdays, not_weekdays = _weekdays(rest)
    number = _bare_number(rest)
    ordinal = None if number is not None else _ordinal(folded)
    minutes, after, before = (((), None, None) if number is not None
                              else _clock_times(rest, named_day=bool(weekdays or day or day_of_month)))
    wish = TimeWish(ordinal=ordinal, number=number, weekdays=frozenset(weekdays), not_weekdays=frozenset(not_weekdays),
                    day=day, day_of_month=day_of_month, minutes=minutes, after=after, before=before, part=part)
    cancel = bool(patterns(DATA, "cancel").search(folded))
    move = bool(patterns(DATA, "move").search(folded)) or (
        wish.names_a_time and bool(patterns(DATA, "move_with_time").search(folded)))
    decline = bool(patterns(DATA, "decline").search(folded))
    agree = bool(patterns(DATA, "agree").search(folded)) and not decline
    off_topic = bool(patterns(DATA, "not_an_answer").search(folded)) and not wish.names_a_time
    # "not tuesday" alone turns down the times offered on that day; it names no time of its own.
    decline = decline or bool(not_weekdays and not wish.names_a_time)
    return SlotReply(wish=wish, decline=decline, agree=agree, cancel=cancel and not (move and wish.names_a_time),
                     move=move, off_topic=off_topic)


def choose(reply: SlotReply, offered: list[datetime]) -> int | None:
    """The index of the offered time (local datetimes, in the order offered) the reply picks, or None."""
    if reply.off_topic or not offered:
        return None
    wish = reply.wish
    if wish.number is not None:
        if 1 <= wish.number <= len(offered):
            return wish.number - 1
        wish = _number_as_hour(wish)
    # A time named comes first: "the 3rd" is a date when a time is offered on the 3rd, else the third time.
    named = next((i for i, start in enumerate(offered) if fits(wish, start)), None) if wish.names_a_time else None
    if named is not None:
        return named
    if wish.ordinal is not None:
        index = wish.ordinal - 1 if wish.ordinal > 0 else len(offered) + wish.ordinal
        return index if 0 <= index < len(offered) else None
    if wish.names_a_time:
        return None
    if reply.agree and not reply.decline and len(offered) == 1:
        return 0
    return None


def fits(wish: TimeWish, start: datetime) -> bool:
    """Whether an appointment starting at `start` (the prospect's local time) is what the wish asks for."""
    if wish.number is not None:
        wish = _number_as_hour(wish)
    minute = start.hour * 60 + start.minute
    checks = (
        not wish.weekdays or start.weekday() in wish.weekdays,
        start.weekday() not in wish.not_weekdays,
        wish.day is None or start.date() == wish.day,
        wish.day_of_month is None or start.day == wish.day_of_month,
        not wish.minutes or minute in wish.minutes,
        wish.after is None or minute >= wish.after,
        wish.before is None or minute < wish.before,
        wish.part is None or wish.part[0] <= start.hour < wish.part[1],
    )
    return all(checks)


def _number_as_hour(wish: TimeWish) -> TimeWish:
    return replace(wish, number=None, minutes=_readings(wish.number, 0, None))


# --- the pieces of a text -----------------------------------------------------------------------------------------


def _dates(text: str, today: date) -> tuple[date | None, int | None, str]:
    """A date named ("dec 8", "december 8th", "8 de diciembre", "12/8") or a day of the month ("the 8th"); the
    text with it taken out, so its digits are not read as a time."""
    month_word = _alternatives(_month_words())
    forms = (
        re.compile(rf"\b(?P<month_word>{month_word})\.?\s+(?P<day>3[01]|[12]\d|0?[1-9]){DAY_SUFFIX}?\b"),
        re.compile(rf"\b(?P<day>3[01]|[12]\d|0?[1-9]){DAY_SUFFIX}?\s+(?:de\s+|of\s+)?(?P<month_word>{month_word})\b"),
        US_DATE,
    )
    for form in forms:
        match = form.search(text)
        if match:
            words = match.groupdict()
            month = int(words["month"]) if words.get("month") else _month_words()[words["month_word"]]
            found = _next_date(today, month, int(words["day"]))
            return found, None, _cut(text, match)
    match = re.search(rf"\b(?:the\s+|el\s+(?:dia\s+)?)?(?P<day>3[01]|[12]\d|0?[1-9]){DAY_SUFFIX}\b", text)
    if match:
        return None, int(match.group("day")), _cut(text, match)
    return None, None, text


def _next_date(today: date, month: int, day: int) -> date | None:
    for year in (today.year, today.year + 1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            return None
        if candidate >= today:
            return candidate
    return None


def _part_of_day(text: str) -> tuple[tuple[int, int] | None, str]:
    for name, part in table(DATA)["parts_of_day"].items():
        match = patterns(DATA, "parts_of_day", name).search(text)
        if match:
            return tuple(part["hours"]), _cut(text, match)
    return None, text


def _relative_day(text: str, today: date) -> tuple[date | None, str]:
    for offset in table(DATA)["relative_days"]:
        match = patterns(DATA, "relative_days", offset).search(text)
        if match:
            # "mañana no", "not tomorrow", "tomorrow I can't": the day is ruled out, not asked for.
            ruled_out = (NEGATED_DAY.search(text[max(0, match.start() - LOOKBACK):match.start()])
                         or re.match(r"\s*(?:no\b|(?:i |we )?(?:can'?t|cannot|won'?t)\b)", text[match.end():]))
            return (None if ruled_out else today + timedelta(days=int(offset))), _cut(text, match)
    return None, text


def _weekdays(text: str) -> tuple[set[int], set[int]]:
    wanted, unwanted = set(), set()
    for number in table(DATA)["weekdays"]:
        for match in patterns(DATA, "weekdays", number).finditer(text):
            negated = NEGATED_DAY.search(text[max(0, match.start() - LOOKBACK):match.start()])
            (unwanted if negated else wanted).add(int(number))
    return wanted - unwanted, unwanted


def _bare_number(text: str) -> int | None:
    match = OPTION_NUMBER_ALONE.match(text.strip())
    if match:
        return int(match.group("n"))
    option = re.search(rf"(?:{_alternatives(table(DATA)['option_number']['words'], escape=False)})\s*(?P<n>[1-9])\b"
                       r"(?!\s*(?::|am|pm|a\.m|p\.m))", text)
    return int(option.group("n")) if option else None


def _ordinal(text: str) -> int | None:
    for place in table(DATA)["ordinals"]:
        if patterns(DATA, "ordinals", place).search(text):
            return int(place)
    return None


def _clock_times(text: str, *, named_day: bool) -> tuple[tuple[int, ...], int | None, int | None]:
    """The clock time a text names and any bound on it ("after 5" is a bound, not a time)."""
    minutes: tuple[int, ...] = ()
    after = before = None
    for match, readings in _clock_matches(text, named_day=named_day):
        lead = text[max(0, match.start() - LOOKBACK):match.start()]
        bound = _bound(lead)
        if bound == Bound.AFTER:
            after = readings[0]
        elif bound == Bound.BEFORE:
            before = readings[0]
        elif not minutes:
            minutes = readings
    return minutes, after, before


def _clock_matches(text: str, *, named_day: bool):
    noon = patterns(DATA, "times", "noon")
    for match in noon.finditer(text):
        yield match, (12 * 60,)
    for match in CLOCK.finditer(text):
        hour, ampm = int(match.group("h")), (match.group("ampm") or "").replace(".", "").replace(" ", "")
        minute = int(match.group("m") or match.group("hm") or 0)
        lead = text[max(0, match.start() - LOOKBACK):match.start()]
        marked = bool(ampm) or match.group("m") is not None or match.group("hm") is not None
        if ampm in ("a", "p") and not re.match(r"\d{1,2}\s*[ap]\b", text[match.start():]):
            marked = match.group("m") is not None
            ampm = ""
        if not (marked or CLOCK_LEAD.search(lead) or _bound(lead) or named_day):
            continue
        if patterns(DATA, "counts").match(text, match.end() + (text[match.end():match.end() + 1] == " ")):
            continue
        if not 0 <= hour <= 23:
            continue
        readings = _readings(hour, minute, ampm[:1] or None)
        if readings:
            yield match, readings


def _readings(hour: int, minute: int, meridiem: str | None) -> tuple[int, ...]:
    """The minutes after midnight a clock time means, as a one-item tuple (empty when it is no time): "3" is 3 pm
    for an appointment (3 am is no time to meet), "10" is 10 am, "3 am" is what it says."""
    if meridiem == "p":
        hour = hour + 12 if hour < 12 else hour
        return (hour * 60 + minute,) if hour < 24 else ()
    if meridiem == "a":
        return ((0 if hour == 12 else hour) * 60 + minute,) if hour <= 12 else ()
    if hour >= 13 or hour == 0:
        return (hour * 60 + minute,)
    if hour == 12:
        return (12 * 60 + minute,)
    if hour <= 7:
        return ((hour + 12) * 60 + minute,)
    return (hour * 60 + minute,)


def _bound(lead: str) -> str:
    for kind in (Bound.AFTER, Bound.BEFORE):
        if re.search(rf"(?:{_alternatives(table(DATA)['bounds'][kind], escape=False)})\s*(?:like\s+|around\s+)?$", lead):
            return kind
    return ""


@lru_cache(maxsize=1)
def _month_words() -> dict[str, int]:
    return {word: int(number) for number, words in table(DATA)["months"].items() for word in words}


def _alternatives(words, *, escape: bool = True) -> str:
    ordered = sorted(words, key=len, reverse=True)
    return "|".join(re.escape(word) if escape else word for word in ordered)


def _cut(text: str, match: re.Match) -> str:
    return (text[:match.start()] + " " + text[match.end():]).strip()
