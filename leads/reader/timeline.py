"""When the prospect wants to move, in days from the text's own date: "2-3 months" (the upper bound), "spring",
"like april or may", "by end of january", "after the holidays", "asap", "en 2 o 3 meses", "no antes del 2028".

Past events are not timelines ("we bought in 2015", "new roof 2 yrs ago", "lived here 10 yrs"), and outside an
answer to the timeline question a date counts only where the prospect says what they plan ("want to buy next
spring"), so "leases up in july" in a description of the home is not their move.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta
from functools import lru_cache

from leads.reader.lexicon import patterns, section
from leads.reader.text import fold_accents, normalise
from leads.understanding.lexicon import CALENDAR

ASAP_DAYS = 14
MAX_DAYS = 3650
UNIT_DAYS = {"day": 1, "week": 7, "month": 30, "year": 365}
# Where a date belongs to the prospect's plan when it is not the answer to the timeline question.
PLAN = re.compile(
    r"\b(?:buy|buying|sell|selling|list|listing|move|moving|relocat\w*|pcs\w*|closing|close|purchase|to lease|to rent|"
    r"a place|be in|report|ready|need to|want to|wanna|planning|plan|thinking|hoping|looking|comprar|vender|mudar\w*|"
    r"rentar|cambiarnos|queremos|quiero|pensando|planeamos|timeline|ideally|ideal|sometime|hopefully|aiming|"
    r"starts|start date|empieza|idealmente|retire|retiring|jubil\w*|compramos|compraremos|comprariamos|vendemos|"
    r"venderemos|nos mudamos|maybe|probably|prob|no rush|within)\b"
)
# A text this short that names a time is the prospect's timeline, whatever was asked ("like 90 days", "in the next
# month or two" after the budget question): there is nothing else it could be about.
SHORT_ANSWER_WORDS = 6
URGENT_ANSWER_WORDS = 5
PAST_GUARD = re.compile(r"(?<!\bnot )(?<!\bnot even )\b(?:for|been|lived|hace|tiene|tienen|past|only|since|desde|over)\s+(?:about |almost |like |como |casi )?$")
MODIFIER = r"(?P<mod>early|mid|middle of|late|end of|the end of|beginning of|start of|principios de|mediados de|finales de|fin de)?\s*"
NEXT = r"(?P<which>this|next|este|esta|el proximo|la proxima|el|la|para el|para la|en el|en la)?\s*"


def _unit(word: str) -> str | None:
    for unit, regex in ((u, patterns("lexicon", "units", u)) for u in UNIT_DAYS):
        if regex.fullmatch(word):
            return unit
    return None


def _number(word: str) -> float | None:
    if re.fullmatch(r"\d+(?:\.\d+)?", word):
        return float(word)
    return section("lexicon", "number_words").get(word)


NUMBER_WORD = r"\d+(?:\.\d+)?|" + "|".join(sorted(section("lexicon", "number_words"), key=len, reverse=True))
UNIT_WORD = (r"days?|dias?|weeks?|wks?|semanas?|months?|mos?|mths?|monthes|meses|mes|years?|yrs?|yr|años?|anos?")
DURATION = re.compile(
    rf"(?<![a-z0-9])(?:(?:a|an|un|una)\s+)?(?:couple\s+(?:of\s+)?|few\s+)?(?P<n>{NUMBER_WORD})?\s*(?:-|to|or|o|a|u)?\s*"
    rf"(?P<m>{NUMBER_WORD})?\s*(?P<unit>{UNIT_WORD})(?:\s+(?:or|o)\s+(?P<alt>{NUMBER_WORD}))?(?![a-z0-9])"
)


def _month_names() -> dict[str, int]:
    names = {}
    for number, words in section("lexicon", "months").items():
        for word in words:
            names[word] = int(number)
    return names


MONTHS = _month_names()
MONTH_WORD = "|".join(sorted(MONTHS, key=len, reverse=True))
# "may", "mar", "jan" are also words or names: a month only after a time word or beside another month.
AMBIGUOUS_MONTHS = {"may", "mar", "jan", "sep", "jun", "dec"}
MONTH_SPAN = re.compile(
    MODIFIER.replace("(?P<mod>", "(?P<mod>") + rf"(?P<first>{MONTH_WORD})(?:\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?)?"
    rf"(?:\s*(?:/|-|or|o|u|to|a|and|y|,)?\s*(?P<last>{MONTH_WORD}))?"
    rf"(?:\s+(?P<next_year>next year|del año que viene|del ano que viene|del proximo año|del proximo ano|de \d{{4}}|\d{{4}}))?"
    r"(?![a-z0-9])"
)
TIME_PREPOSITION = re.compile(r"(?:in|by|of|before|after|until|till|around|since|early|mid|late|en|para|antes de|despues de|"
                              r"por|like|maybe|prob|probably|hopefully|ideally|end of|start of)\s*$")
# Days the understanding lexicon reads (weekdays, "today", "tomorrow"), and dates in digits ("3/31", "5/1/27").
DAY_OF_WEEK = re.compile(r"(?<![a-z])(?:" + "|".join(sorted((re.escape(word) for words in CALENDAR["days"].values()
                                                             for word in words), key=len, reverse=True)) + r")(?![a-z])")
NUMERIC_DATE = re.compile(r"(?<![\d/])(?:0?[1-9]|1[0-2])/(?:0?[1-9]|[12]\d|3[01])(?:/\d{2,4})?(?![\d/])")
YEAR_NUMBER = re.compile(r"(?P<deadline>no antes del?|not before|by|before|antes del?|in|en|el|for)?\s*(?P<year>20[2-4]\d)(?![0-9])")


def _end_of_month(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _pick(start: date, end: date, today: date, mod: str, deadline: bool, after: bool) -> int:
    """Days until the moment a period names: its middle (or what is left of it), its start for a deadline, its
    end for "end of", a fortnight past its end for "after"."""
    start = max(start, today)
    ends = mod in ("late", "end of", "the end of", "finales de", "fin de")
    if after:
        target = end + timedelta(days=15)
    elif deadline and not ends:
        target = start
    elif mod in ("early", "beginning of", "start of", "principios de"):
        target = start + (end - start) / 6
    elif ends:
        target = end - (end - start) / 6
    else:
        target = start + (end - start) / 2
    return max(0, (target - today).days)


def _deadline_before(text: str, start: int) -> bool:
    before = text[max(0, start - 32):start]
    return bool(re.search(r"\b(?:by|before|no later than|antes de|antes del|until|till)\b(?!.*\b(?:after|despues)\b)",
                          before))


def _after_before(text: str, start: int) -> bool:
    return bool(re.search(r"\b(?:after|despues de|despues del|once)\s+(?:the\s+|las\s+|los\s+|el\s+|la\s+)?$",
                          text[max(0, start - 20):start]))


def _season(text: str, today: date) -> list[tuple[int, int]]:
    found = []
    for name, season in section("lexicon", "seasons").items():
        words = patterns("lexicon", "seasons", name)
        for match in words.finditer(text):
            prefix = text[max(0, match.start() - 28):match.start()]
            mod = re.search(r"(early|mid|late|the end of|end of|beginning of|principios de|finales de|fin de)\s+"
                            r"(?:this\s+|next\s+|the\s+|el\s+|la\s+)?$", prefix)
            first, last = season["months"]
            year = today.year
            start = date(year, first, 1)
            end = _end_of_month(year + (1 if last < first else 0), last)
            if re.search(r"\b(?:next|el proximo|la proxima)\s+$", prefix) and start <= today:
                start, end = start.replace(year=year + 1), end.replace(year=end.year + 1)
            if end < today:
                start, end = start.replace(year=year + 1), end.replace(year=end.year + 1)
            days = _pick(start, end, today, mod.group(1) if mod else "", _deadline_before(text, match.start()),
                         _after_before(text, match.start()))
            found.append((match.start(), days))
    return found


def _months(text: str, today: date) -> list[tuple[int, int]]:
    found = []
    for match in MONTH_SPAN.finditer(text):
        first_word, last_word = match.group("first"), match.group("last")
        prefix = text[max(0, match.start() - 16):match.start()]
        # "may" is a month after a correction of a date ("march... actually may", "actually no, may").
        corrected = re.search(rf"(?:{patterns('lexicon', 'time', 'corrections').pattern})[\s,]*(?:no[\s,]+)?$", prefix)
        if first_word in AMBIGUOUS_MONTHS and not (last_word or match.group("mod") or TIME_PREPOSITION.search(prefix)
                                                   or match.group("day") or corrected):
            continue
        first, last = MONTHS[first_word], MONTHS[last_word] if last_word else MONTHS[first_word]
        year = today.year
        later = match.group("next_year") or ""
        explicit_year = re.search(r"\d{4}", later)
        if explicit_year:
            year = int(explicit_year.group(0))
        elif later:
            year += 1
        elif (first, int(match.group("day") or 28)) < (today.month, today.day) and first < today.month or (
                first == today.month and match.group("day") and int(match.group("day")) < today.day):
            year += 1
        start = date(year, first, min(int(match.group("day")), calendar.monthrange(year, first)[1])) \
            if match.group("day") else date(year, first, 1)
        end = start if match.group("day") else _end_of_month(year + (1 if last < first else 0), last)
        days = _pick(start, end, today, match.group("mod") or "", _deadline_before(text, match.start()),
                     _after_before(text, match.start()))
        found.append((match.start(), days))
    return found


def _durations(text: str) -> list[tuple[int, int]]:
    found = []
    for match in DURATION.finditer(text):
        unit = _unit(match.group("unit"))
        if unit is None:
            continue
        numbers = [_number(group) for group in (match.group("n"), match.group("m"), match.group("alt")) if group]
        numbers = [n for n in numbers if n is not None]
        phrase = match.group(0)
        if not numbers:
            numbers = [3.0] if "few" in phrase else [2.0] if "couple" in phrase else [1.0] if re.match(
                r"(?:a|an|un|una)\s", phrase) else []
        if not numbers:
            continue
        if PAST_GUARD.search(text[max(0, match.start() - 24):match.start()]) or re.match(
                r"\s*(?:ago|old|atras|de antiguedad)\b", text[match.end():]):
            continue
        found.append((match.start(), int(max(numbers) * UNIT_DAYS[unit])))
    return found


# Two readings joined by "or", "to", "-" are a range ("en un año o año y medio", "6 months to a year"): its upper
# bound, as for "2-3 months".
RANGE_JOIN = re.compile(r"\s*(?:or|o|u|to|a|-|or maybe|o tal vez|or so|maybe)\s*$")
# "half" after "and"/"y" belongs to the time before it ("a year and a half", "año y medio"): no clause break there.
CLAUSE_BREAK = re.compile(r"(?<=[.;!?,])\s+|\s+(?:and|y|so)\s+(?!(?:a )?half\b|medio\b)")
# A past verb right before a date makes it an event ("que falleció en enero", "we bought in march").
PAST_JUST_BEFORE = 24


def _upper_bound_of_ranges(text: str, candidates: list[tuple[int, int]]) -> list[tuple[int, int]]:
    ordered = sorted(candidates)
    merged: list[tuple[int, int]] = []
    for position, days in ordered:
        if merged:
            last_position, last_days = merged[-1]
            between = text[last_position:position]
            joined = RANGE_JOIN.search(between) or re.match(r"(?:or|o|u|to|-)\s", text[position:])
            if last_position < position and joined and len(between.split()) <= 5:
                merged[-1] = (last_position, max(last_days, days))
                continue
        merged.append((position, days))
    return merged


def _past_event_at(text: str, position: int) -> bool:
    before = text[max(0, position - PAST_JUST_BEFORE):position]
    verbs = list(patterns("lexicon", "time", "past_verbs").finditer(before))
    # "compramos el próximo año": a verb that is also present tense, before a date to come, is the plan.
    return bool(verbs) and len(before[verbs[-1].end():].split()) <= 2 and not FUTURE.search(
        text[max(0, position - PAST_JUST_BEFORE) + verbs[-1].start():position + 16])


def _fixed_spans(text: str) -> list[tuple[int, int]]:
    """Spans that are as long on any day: "asap", "soon", "next month" (45 days), "in a few weeks"."""
    found = []
    for match in patterns("lexicon", "time", "asap").finditer(text):
        found.append((match.start(), ASAP_DAYS))
    for phrase, days in section("lexicon", "time")["soon"]:
        for match in re.finditer(rf"\b{phrase}\b", text):
            found.append((match.start(), days))
    return found


def _calendar_years(text: str, today: date) -> list[tuple[int, int]]:
    """ "next year", "this year", "early 2028": read against the text's year."""
    found = []
    for match in patterns("lexicon", "time", "next_year").finditer(text):
        early = re.search(r"(?:early|principios del?)\s+$", text[max(0, match.start() - 12):match.start()])
        target = date(today.year + 1, 2, 15) if early else None
        found.append((match.start(), (target - today).days if target else 365))
    for match in patterns("lexicon", "time", "this_year").finditer(text):
        found.append((match.start(), 365 if "within" in match.group(0) else max(30, (date(today.year, 12, 31) - today).days // 2)))
    for match in YEAR_NUMBER.finditer(text):
        year = int(match.group("year"))
        if year <= today.year:
            continue
        start = date(year, 1, 1)
        part = re.search(r"(early|late|end of|beginning of|principios de|finales de)\s*$", text[max(0, match.start() - 16):match.start()])
        if match.group("deadline") in ("no antes del", "no antes de", "not before"):
            days = (start - today).days
        elif part:
            days = ((date(year, 2, 15) if part.group(1) in ("early", "beginning of", "principios de") else date(year, 11, 15))
                    - today).days
        else:
            days = (date(year, 7, 1) - today).days
        found.append((match.start(), days))
    return found


def _calendar_points(text: str, today: date, *, next_year_said: bool = False) -> list[tuple[int, int]]:
    """The readings counted from the text's date: a month or a day of one, a season, a holiday, the end of the
    year, a quarter, a year. A month and "next year" in one clause are that month of next year ("after the kids
    finish school next year, so june")."""
    months = _months(text, today)
    years = _calendar_years(text, today)
    next_year = list(patterns("lexicon", "time", "next_year").finditer(text))
    if months and (next_year or next_year_said):
        bumped = []
        for position, days in months:
            moved = days + 365 if days < 365 - today.timetuple().tm_yday + 1 else days
            bumped.append((position, moved))
        starts = {match.start() for match in next_year}
        return bumped + _season(text, today) + [(position, days) for position, days in years if position not in starts]
    return months + _season(text, today) + years


@lru_cache(maxsize=4096)  # asked of a turn's text for each of its look-ups' keys (intent and facts, twice each)
def names_calendar_point(text: str, *, today: date) -> bool:
    """Whether what the text says about time could count from its date (a month or a day of one, a season, a
    holiday, the end of the year, a year; a weekday, "tomorrow", "3/31"), as opposed to spans that are as long on
    any day ("in 3 months", "asap") or no time at all. Wherever the point stands and whatever was asked: "leases
    up in july" is not read as a timeline here, but a reader that took it for one (Claude, told the date) would
    count from the date; so would it for "by friday", which this reader leaves alone. `today` only decides how a
    point reads, not whether it is one."""
    folded = fold_accents(normalise(text))
    return bool(_calendar_points(folded, today) or DAY_OF_WEEK.search(folded) or NUMERIC_DATE.search(folded))


FUTURE = re.compile(r"\b(?:will|want|wanna|would|going to|gonna|plan|planning|hope|hoping|need|next|by|before|"
                    r"quiero|queremos|vamos|voy|para|proximo|proxima|que viene|siguiente)\b")


def _is_past(piece: str) -> bool:
    future = FUTURE.search(piece)
    return bool((patterns("lexicon", "time", "past").search(piece) or patterns("lexicon", "time", "past_verbs").search(piece))
                and not future)


def timeline_days(text: str, *, today: date, asked: bool, pending: bool = False) -> int | None:
    """Days until the prospect's move, or None. `asked`: the text answers the timeline question (then any
    future date counts, and a bare number is read in months: "3 months" ... "wait no, more like 6"). `pending`:
    the question was asked earlier and not answered yet, so a date given on its own ("en 2 o 3 meses") answers it."""
    text = patterns("lexicon", "time", "ruled_out").sub(lambda match: " " * len(match.group(0)), fold_accents(text))
    candidates: list[tuple[int, int]] = []
    offset = 0
    short = len(re.findall(r"[a-z0-9]+", text)) <= SHORT_ANSWER_WORDS or _only_time(text, today)
    next_year_said = bool(patterns("lexicon", "time", "next_year").search(text))
    if next_year_said and _months(text, today):
        # The month is when; "next year" only says which year ("after school next year, so june").
        text = patterns("lexicon", "time", "next_year").sub(lambda match: " " * len(match.group(0)), text)
    for piece in CLAUSE_BREAK.split(text):
        at = text.find(piece, offset)
        offset = at + len(piece)
        if not piece or _is_past(piece):
            continue
        # The plan may sit in the sentence's next clause ("tenants are out end of sept and we want to list right after").
        if not (asked or pending or PLAN.search(piece) or short or _only_time(piece, today)
                or _planned_sentence(_sentence_around(text, at))):
            # "asap" says when whatever the sentence is about; dates need the prospect's plan beside them.
            candidates += [(at + match.start(), ASAP_DAYS) for match in patterns("lexicon", "time", "asap").finditer(piece)]
            continue
        piece_found = _durations(piece) + _fixed_spans(piece) + _calendar_points(piece, today, next_year_said=next_year_said)
        candidates += [(at + position, days) for position, days in piece_found
                       if not _negated(piece, position) and not _past_event_at(piece, position)]
    if not candidates and asked and "?" not in text and len(re.findall(r"[a-z0-9']+", text)) <= URGENT_ANSWER_WORDS:
        # Only as the short answer it is: "now" in "don't stop now, this is helpful" says nothing about a move.
        candidates += [(match.start(), ASAP_DAYS) for match in patterns("lexicon", "time", "asked_asap").finditer(text)
                       if not re.search(r"\b(?:not|no|nor)\s+(?:right\s+)?$", text[max(0, match.start() - 10):match.start()])]
    if not candidates and asked:
        # A bare number answering the timeline question is in months: "6", "wait no, more like 6", "3-6".
        first = re.split(r"(?<=[.!?])\s+", text.strip())[0]
        bare_range = re.fullmatch(r"(?:like |maybe |prob |about |around )?(\d{1,2})\s*(?:-|to)\s*(\d{1,2})\s*(?:ish)?[.!]?", first)
        if bare_range and int(bare_range.group(1)) < int(bare_range.group(2)) <= 36:
            candidates.append((0, int(bare_range.group(2)) * 30))
        bare = re.search(r"(?:^|\b(?:more like|like|maybe|prob|probably|about|around|unos|como)\s+)(\d{1,2})\s*(?:ish)?[.!]?$",
                         first)
        if bare and len(first.split()) <= 6 and 0 < int(bare.group(1)) <= 36:
            candidates.append((0, int(bare.group(1)) * 30))
    if not candidates:
        return None
    candidates = _upper_bound_of_ranges(text, candidates)
    corrections = list(patterns("lexicon", "time", "corrections").finditer(text))
    if corrections:
        later = [candidate for candidate in candidates if candidate[0] >= corrections[-1].end()]
        candidates = later or candidates
    spans = [(position, days) for position, days in candidates if days != ASAP_DAYS]
    if len(spans) < len(candidates) and any(position in _duration_starts(text) and days <= 90 for position, days in spans):
        # "lo antes posible, en 2 meses maximo": the stated span says more than "asap".
        candidates = spans
    days = min(candidates)[1]
    return days if 0 <= days <= MAX_DAYS else None


def _planned_sentence(sentence: str) -> bool:
    return bool(PLAN.search(sentence)) and not _is_past(sentence)


def _sentence_around(text: str, position: int) -> str:
    """The sentence of `text` that holds `position`."""
    start = max(text.rfind(mark, 0, position) for mark in ".!?") + 1
    ends = [i for i in (text.find(mark, position) for mark in ".!?") if i != -1]
    return text[start:min(ends) if ends else len(text)]


def _duration_starts(text: str) -> set[int]:
    return {position for position, _ in _durations(text)}


def _only_time(text: str, today: date) -> bool:
    """Whether a text is a time phrase and little else ("en un año o año y medio"): at most two words outside it."""
    words = re.findall(r"[a-z0-9]+", text)
    if len(words) > 2 * SHORT_ANSWER_WORDS:
        return False
    covered = text
    for phrase, _ in section("lexicon", "time")["soon"]:
        covered = re.sub(rf"\b{phrase}\b", " ", covered)
    for regex in (DURATION, MONTH_SPAN):
        covered = regex.sub(" ", covered)
    left = re.findall(r"[a-z0-9]+", covered)
    return len(left) < len(words) and len(left) <= 2


def _negated(piece: str, position: int) -> bool:
    """ "april not march": the month after "not" is the one ruled out."""
    return bool(re.search(r"\b(?:not|no)\s+$", piece[max(0, position - 5):position]))
