"""One quantity: the number at a position with its suffix, unit, range and qualifiers, as one slot.

"under $500k" is $<=500000, "350-400k" $=350000-400000, "3br minimum" bed>=3, "2k a month" $/mo=2000,
"after 5" time>17:00, "6 months" dur=180d, "in 78704" zip=78704, "412 elm st" addr=412 elm street, and a number
without a unit takes the unit the bot's question asks for ("3" after "How many bedrooms?" is bed=3).
"""

from __future__ import annotations

from dataclasses import dataclass

from .areas import street_after
from .data import DataError, load
from .lexicon import QUANTITIES
from .slots import Measure, Slot, clock, duration_days, format_number, printed_value
from .tokens import BOUNDARY, CONCEPT, FILLER, NUMBER, QUALIFIER, SLOT, SYMBOL, UNIT, WORD, Token

_NUMBERS = load("numbers.toml")
RELATIVE_UNITS = _NUMBERS["relative_units"]
_COUNT_UNITS = _NUMBERS["count_units"]
_PER_MONTH_WORDS = _NUMBERS["per_month_words"]
_ZIP_PREPOSITIONS = _NUMBERS["zip_prepositions"]
_COUNTABLE = _NUMBERS["countable"]
_MONEY_CONCEPTS = _NUMBERS["money_concepts"]
_MONEY_WORDS = _NUMBERS["money_words"]
_DAYS_PER_UNIT = _NUMBERS["days_per_unit"]
_TIME_PREPOSITIONS = _NUMBERS["time_prepositions"]
_TIME_CONCEPTS = _NUMBERS["time_concepts"]
_YEAR_PREPOSITIONS = _NUMBERS["year_prepositions"]
_PART_OF_DAY = _NUMBERS["part_of_day"]
_PART_OF_DAY_LINKS = _NUMBERS["part_of_day_links"]
FIRST_YEAR, LAST_YEAR = 1900, 2099
_POSTFIX_QUALIFIERS = QUANTITIES["postfix_qualifiers"]
_THOUSAND_OR_MILLION = QUANTITIES["thousand_or_million"]["words"]
_THOUSAND_OR_MILLION_FROM = QUANTITIES["thousand_or_million"]["thousand_from"]
_RANGE_OPENERS = _NUMBERS["range_openers"]
_RANGE_JOINERS = _NUMBERS["range_joiners"]
_RANGE_TO = _NUMBERS["range_to"]
_COMPARISONS = {**QUANTITIES["comparisons"], None: "="}
_COUNT_MEASURES = {measure.value: measure for measure in (Measure.BEDROOMS, Measure.BATHROOMS, Measure.SQUARE_FEET,
                                                           Measure.ACRES, Measure.PERCENT)}
if not _COUNT_UNITS <= _COUNT_MEASURES.keys():
    raise DataError("leads/understanding/data/numbers.toml: count_units: "
                    f"{', '.join(sorted(_COUNT_UNITS - _COUNT_MEASURES.keys()))} is no count slot.Measure")
# What the second number of a range may be, as (kind of reading, unit): see _range_end.
_RANGE_ENDS = {Measure.MONEY: ("money", None), Measure.MONTHLY_MONEY: ("money", None),
               Measure.DURATION: ("duration", "day"), Measure.BEDROOMS: ("count", "bed"),
               Measure.BATHROOMS: ("count", "bath"), Measure.SQUARE_FEET: ("count", "sqft"),
               Measure.ACRES: ("count", "acre"), Measure.PERCENT: ("count", "pct")}


def slot_token(slot: Slot, raw: str) -> Token:
    return Token(SLOT, slot, raw)


def days(amount: float, unit: str) -> int:
    return duration_days(amount, unit, _DAYS_PER_UNIT)


@dataclass
class _Reading:
    """The number being read and what is known of it so far; `end` is the next token to look at."""

    toks: list[Token]
    end: int
    value: float
    raw: str
    dollar: bool                 # "$" right before it
    qualifier: str | None        # "max", "min", "approx" from the words before or after it
    before: Token | None         # the token before it: "at 5", "between 400 and 500k", "in 78704"
    plus: bool = False           # "3+"
    kind: str | None = None      # "money", "time", "count" or "duration", once known
    unit: str | None = None      # a count's unit ("bed"), a duration's ("month"), "monthly" for money
    scale: float = 1.0           # k and m
    minute: int = 0
    meridiem: str | None = None  # "am" or "pm"
    upper: float | None = None   # the other end of a range

    def at(self, k: int) -> Token | None:
        return self.toks[k] if k < len(self.toks) else None

    @property
    def before_raw(self) -> str:
        return self.before.raw if self.before is not None else ""


def read_number(toks: list[Token], i: int, out: list[Token], asked_unit: str | None, money_context: bool) -> int:
    """Parse the number at toks[i] with its suffix, unit, range and qualifiers; append one slot to out and
    return the index after what it used."""
    dollar = bool(out) and out[-1].kind is SYMBOL and out[-1].value == "$"
    if dollar:
        out.pop()
    qualifier = _leading_qualifier(out)
    reading = _Reading(toks, i + 1, toks[i].value, toks[i].raw, dollar, qualifier, out[-1] if out else None)
    _read_suffix(reading)
    _read_per_month(reading)
    _read_range(reading, asked_unit, money_context)
    _read_trailing_qualifier(reading)
    _read_unit_after_qualifier(reading)
    _read_part_of_day(reading)
    amount = reading.value * reading.scale
    if reading.kind is None:
        place, amount = _read_bare_number(reading, out, asked_unit, money_context, amount)
        if place is not None:
            out.append(slot_token(place, reading.raw))
            return reading.end
    return _append_slot(reading, amount, out)


def _leading_qualifier(out: list[Token]) -> str | None:
    """A max/min qualifier before the number ("under $500k", "no more than 3", "max budget 500k"), taken out."""
    for k in range(len(out) - 1, max(len(out) - 4, -1), -1):
        tok = out[k]
        if tok.kind is QUALIFIER:
            del out[k]
            return tok.value
        if tok.kind is SYMBOL and tok.value == "$":
            continue
        if tok.kind is FILLER and tok.raw not in _TIME_PREPOSITIONS:
            continue
        return None
    return None


def _thousand_in_spanish(unit: Token, value: float) -> bool:
    """"500 mil" is 500,000 (Spanish "mil"), "2 mil" two million (SMS English): no budget is hundreds of millions."""
    return unit.raw in _THOUSAND_OR_MILLION and value >= _THOUSAND_OR_MILLION_FROM


def _read_suffix(r: _Reading) -> None:
    """"3+", "450k", "$1.2m", "5:30", "5pm", "3br", "6 months"."""
    nxt = r.at(r.end)
    if nxt is not None and nxt.kind is SYMBOL and nxt.value == "+":
        r.plus = True
        r.end += 1
        nxt = r.at(r.end)
    if nxt is not None and nxt.kind is UNIT and nxt.value in ("k", "m"):
        r.scale = 1000.0 if nxt.value == "k" or _thousand_in_spanish(nxt, r.value) else 1_000_000.0
        r.kind = "money"
        r.end += 1
    elif r.dollar:
        r.kind = "money"
    nxt = r.at(r.end)
    minutes = r.at(r.end + 1)
    if r.kind is None and nxt is not None and nxt.kind is SYMBOL and nxt.value == ":" and minutes is not None \
            and minutes.kind is NUMBER:
        r.kind, r.minute = "time", int(minutes.value)
        r.end += 2
        nxt = r.at(r.end)
    if nxt is None or nxt.kind is not UNIT:
        return
    unit = nxt.value
    if unit in ("am", "pm") and r.kind in (None, "time") and r.value <= 12:
        r.kind, r.meridiem = "time", unit
    elif unit == "oclock" and r.kind in (None, "time"):
        r.kind = "time"
    elif unit in _COUNT_UNITS and r.kind is None:
        r.kind, r.unit = "count", unit
    elif unit in RELATIVE_UNITS and r.kind is None:
        r.kind, r.unit = "duration", unit
    else:
        return
    r.end += 1


def _read_per_month(r: _Reading) -> None:
    """Monthly amounts: "1800/mo", "2k a month", "$1,800 per month", "1800 monthly"."""
    nxt, after = r.at(r.end), r.at(r.end + 1)
    if nxt is not None and after is not None and after.kind is UNIT and after.value == "month" and (
            (nxt.kind is SYMBOL and nxt.value == "/") or nxt.raw in _PER_MONTH_WORDS):
        if r.kind in (None, "money"):
            r.kind, r.unit = "money", "monthly"
            r.end += 2
    elif r.kind in (None, "money") and nxt is not None and nxt.raw == "monthly":
        r.kind, r.unit = "money", "monthly"
        r.end += 1


def _read_range(r: _Reading, asked_unit: str | None, money_context: bool) -> None:
    """Ranges: "350-400k", "between 400 and 500k", "$400k-$500k", "3 to 4 bedrooms". The second number is read
    on its own; its kind and scale carry over to the first ("350" in "350-400k" is 350,000)."""
    nxt = r.at(r.end)
    if nxt is None or not (nxt.kind is SYMBOL and nxt.value == "-"
                           or nxt.raw in _RANGE_JOINERS and r.before_raw in _RANGE_OPENERS
                           or nxt.raw in _RANGE_TO and r.kind in (None, "money", "count")):
        return
    k = r.end + 1
    if r.at(k) is not None and r.at(k).kind is SYMBOL and r.at(k).value == "$":
        k += 1
    if r.at(k) is None or r.at(k).kind is not NUMBER:
        return
    second: list[Token] = []
    end = read_number(r.toks, k, second, asked_unit, money_context)
    bound = _range_end(second[-1]) if second else None
    if bound is None:
        return
    second_kind, second_unit, second_value = bound
    first_value = r.value * r.scale
    if r.kind is None and second_kind == "money" and first_value < second_value:
        factor = 1000.0 if second_value >= 1000 and r.value < 1000 else 1.0
        if second_value >= 1_000_000 and r.value < 100:
            factor = 1_000_000.0
        first_value = r.value * factor
        r.kind = "money"
    if r.kind is None and second_kind in ("count", "duration"):
        r.kind, r.unit = second_kind, second_unit
    if r.kind == second_kind:
        r.upper = second_value
        r.value, r.scale = first_value, 1.0
        r.end = end


def _range_end(tok: Token) -> tuple[str, str | None, float] | None:
    """The second number of a range as (kind, unit, value): a single amount, count or duration (in days), read
    as its slot prints (see slots.py); None for anything else."""
    if tok.kind is not SLOT:
        return None
    slot = tok.value
    reading = _RANGE_ENDS.get(slot.measure)
    if reading is None or slot.high is not None or slot.counted is not None:
        return None
    value = printed_value(slot.low)
    return None if value is None else (*reading, value)


def _read_unit_after_qualifier(r: _Reading) -> None:
    """"5 or more bedrooms", "2 or less baths": the unit after a trailing qualifier is the number's."""
    nxt = r.at(r.end)
    if r.kind is None and r.qualifier is not None and nxt is not None and nxt.kind is UNIT and nxt.value in _COUNT_UNITS:
        r.kind, r.unit = "count", nxt.value
        r.end += 1


def _read_part_of_day(r: _Reading) -> None:
    """"2 in the afternoon", "3 de la tarde": a clock time with its half of the day (the part of the day is
    used up: it says nothing more than the time)."""
    if r.kind not in (None, "time") or r.meridiem is not None or not 1 <= r.value <= 12:
        return
    k = r.end
    while k < len(r.toks) and k - r.end < 3 and r.toks[k].raw in _PART_OF_DAY_LINKS:
        k += 1
    tok = r.at(k)
    if tok is not None and tok.kind is CONCEPT and tok.value in _PART_OF_DAY:
        r.kind, r.meridiem, r.end = "time", _PART_OF_DAY[tok.value], k + 1


def _read_trailing_qualifier(r: _Reading) -> None:
    """"550k max", "3br minimum", "5 or more"; "3+" is a minimum whatever follows."""
    nxt = r.at(r.end)
    if nxt is not None and nxt.kind is QUALIFIER and nxt.raw in _POSTFIX_QUALIFIERS and r.qualifier is None:
        r.qualifier = nxt.value
        r.end += 1
    if r.plus:
        r.qualifier = "min"


def _read_bare_number(r: _Reading, out: list[Token], asked_unit: str | None, money_context: bool,
                      amount: float) -> tuple[Slot | None, float]:
    """What a number without a unit means: an address or a zip code (returned as a slot), or a clock time, money,
    or the unit the question asks for (set on r, with the amount)."""
    value, before = r.value, r.before
    whole = float(value).is_integer()
    money_context = money_context or _money_nearby(out, r.at(r.end))
    street = street_after(r.toks, r.end)
    if street is not None and value >= 1 and whole:
        name, r.end = street
        return Slot(Measure.ADDRESS, name=f"{format_number(value)} {name}"), amount
    time_preposition = r.before_raw in _TIME_PREPOSITIONS or (
        before is not None and before.kind is CONCEPT and before.value in _TIME_CONCEPTS)
    if time_preposition and 1 <= value <= 12:
        r.kind = "time"
    elif 10000 <= value <= 99999 and whole and len(r.raw) == 5 and (
            r.before_raw in _ZIP_PREPOSITIONS or not money_context):
        return Slot(Measure.ZIP, name=r.raw), amount
    elif value >= 100_000 and whole:
        r.kind = "money"  # six digits and more without a unit: a price ("450,000")
    elif FIRST_YEAR <= value <= LAST_YEAR and whole and len(r.raw) == 4 and r.before_raw in _YEAR_PREPOSITIONS:
        pass  # "bought it in 2015": a year, whatever money word is near
    elif money_context and not (before is not None and before.kind is CONCEPT and before.value == "CREDIT"):
        if 50 <= value < 10000:
            r.kind, amount = "money", value * 1000  # "450" after a money word is 450k
        elif value >= 10000:
            r.kind = "money"
        elif not whole and value < 20:
            r.kind, amount = "money", value * 1_000_000  # "1.2" is 1.2m
    if r.kind is None and asked_unit in ("bed", "bath") and value <= 20:
        r.kind, r.unit = "count", asked_unit
    elif r.kind is None and asked_unit in RELATIVE_UNITS and value <= 120:
        r.kind, r.unit = "duration", asked_unit
    return None, amount


def _money_nearby(out: list[Token], following: Token | None) -> bool:
    """A money word in the same clause just before a bare number ("pre approved for 450", "budget is around
    450") or right after it ("450 budget"): then the number is an amount."""
    for tok in reversed(out[-6:]):
        if tok.kind is BOUNDARY:
            return False
        if tok.kind is CONCEPT and tok.value in _MONEY_CONCEPTS or any(w in _MONEY_WORDS for w in tok.raw.split()):
            return True
    return following is not None and any(w in _MONEY_WORDS for w in following.raw.split())


def _append_slot(r: _Reading, amount: float, out: list[Token]) -> int:
    comparison = _COMPARISONS[r.qualifier]
    if r.kind == "time":
        # "at 5", "after 5", "by 5", "prior to 5": the preposition becomes the comparison
        before = r.before
        if before is not None and before.kind is CONCEPT and before.value in _TIME_CONCEPTS:
            comparison = _TIME_CONCEPTS[before.value]
            out.pop()
        elif r.before_raw in _TIME_PREPOSITIONS:
            comparison = _TIME_PREPOSITIONS[r.before_raw]
            out.pop()
        slot = Slot(Measure.TIME, comparison, name=clock(r.value, r.minute, r.meridiem))
    elif r.kind == "money":
        slot = Slot(Measure.MONTHLY_MONEY if r.unit == "monthly" else Measure.MONEY, comparison, amount, r.upper)
    elif r.kind == "count":
        slot = Slot(_COUNT_MEASURES[r.unit], comparison, r.value, r.upper)
    elif r.kind == "duration":
        upper = days(r.upper, r.unit) if r.upper is not None else None
        slot = Slot(Measure.DURATION, comparison, days(r.value, r.unit), upper)
    else:
        # a plain number, bound to the word after it when there is one ("2 car garage", "5 people")
        nxt = r.at(r.end)
        if nxt is not None and (nxt.kind is WORD or nxt.kind is CONCEPT and nxt.value in _COUNTABLE):
            out.append(slot_token(Slot(Measure.COUNT, comparison, r.value, counted=nxt.value), r.raw))
            return r.end + 1
        slot = Slot(Measure.COUNT, comparison, r.value)
    out.append(slot_token(slot, r.raw))
    return r.end
