"""Amounts of money in an SMS: "$450k", "450ish", "400-450", "entre 300 y 350 mil", "1.15M", "220 max".

A number is money when it is written as money ($, k, mil, million) or stands where money is talked about (a
budget or price question, "up to", "around", "hasta"), and is not a count, a year, a street number or a zip.
Bare numbers read in the question's unit: after a price question "850" is $850,000 and "1.2" is $1.2 million.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from leads.reader.lexicon import patterns, section
from leads.reader.places import address_span

NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
SUFFIX = r"k|m|mm|mil|millones|millon|million|millions|mill|grand|thousand"
# Not inside a word or a date: "q1", "3/31", "5/1" are not amounts.
AMOUNT = re.compile(rf"(?<![a-z0-9/])(?P<dollar>\$\s?)?(?P<number>{NUMBER})\s?(?P<suffix>{SUFFIX})?(?:ish)?(?![a-z0-9]|/\d)")
RANGE = re.compile(
    rf"(?:(?P<lead>entre|de|from|between)\s+)?(?P<dollar>\$\s?)?(?P<low>{NUMBER})\s?(?P<low_suffix>{SUFFIX})?\s*"
    rf"(?:-|–|to|a|y|and|or|o)\s*\$?\s?(?P<high>{NUMBER})\s?(?P<high_suffix>{SUFFIX})?(?![a-z0-9])"
)
# What follows a number that is not money: counts, durations, sizes, percentages, ordinals, streets.
NOT_MONEY_AFTER = re.compile(
    # A range's first number takes the range's unit ("30-45 days").
    r"(?:\s?(?:-|to|a)\s?\d+)?(?:\s?%|\s?(?:\+\s?)?(?:bed|beds|bd|bds|br|bdrm|bdrms|bedrms?|bedrooms?|bath|baths|ba|bathrooms?|recamaras?|cuartos?|"
    r"habitaciones?|baños?|banos?|dormitorios?|days?|dias?|weeks?|wks?|semanas?|months?|mos?|mths?|meses|mes|years?|"
    r"yrs?|años?|anos?|%|percent|sq|sqft|square|acres?|units?|unidades|kids?|niños?|hijos|families|familias|flat|"
    r"floors?|car|cars|stories|story|way|st|nd|rd|th|min|mins|minutes|hours?|hrs?|pm|am|o'?clock|people|dogs?|"
    r"perros?|times|x)\b)"
)
MONTHLY = re.compile(r"^\s?(?:/\s?mo|/\s?month|a month|per month|monthly|al mes|por mes|mensual)")
YEAR = re.compile(r"^(?:19[5-9]\d|20[0-4]\d)$")
# A day of the month after its month ("May 1", "june 15th") is a date.
AFTER_MONTH = re.compile(r"\b(?:" + "|".join(word for words in section("lexicon", "months").values() for word in words)
                         + r")\.?\s*$")
CORRECTION = re.compile(
    r"\b(?:actually|i meant|meant|make (?:that|it)|sorry|wait|well|or rather|rather|but|no wait|bueno|mejor|pero|"
    r"digamos|perdon|quise decir|en realidad)\b"
)


@dataclass(frozen=True)
class Amount:
    low: int
    high: int | None    # set for a range
    bound: str          # "max", "min" or "" (a plain amount: the most the prospect spends or expects)
    start: int
    end: int
    written_as_money: bool  # $, k, mil... (not only placed where money is talked about)
    band: bool = False      # a price band ("the 300s", "mid 400s"): a rough range, not a figure the prospect gave


_NOT_PRICE_BEFORE = re.compile(r"\b(?:" + "|".join(section("lexicon", "money")["not_price_before"]) + r")\s*\$?\s*$")
_NOT_PRICE_AFTER = re.compile(r"\s*(?:" + "|".join(section("lexicon", "money")["not_price_after"]) + r")\b")
_BAND_PARTS = section("lexicon", "money")["band_parts"]
_BAND_PART = "|".join(sorted(_BAND_PARTS, key=len, reverse=True))
# "the 300s", "mid 400s", "low-to-mid 500s", "upper 400s to low 500s", "$300s", "los 300s". Three digits only:
# "the 1990s" and "her 30s" are not prices.
BAND = re.compile(
    rf"(?<![a-z0-9$])(?:(?P<part>{_BAND_PART})(?:[\s-]*(?:to|or|-)[\s-]*(?P<part_to>{_BAND_PART}))?[\s-]+)?"
    rf"(?P<the>(?:the|los|las)\s+)?(?P<dollar>\$)?(?P<hundreds>[1-9]00)'?s\b"
    rf"(?:\s*(?:-|to|or)\s*(?P<part_high>{_BAND_PART})?[\s-]*\$?(?P<hundreds_high>[1-9]00)'?s\b)?"
)


def _bands(text: str, *, money_context: bool) -> list[Amount]:
    """The price bands in `text`: said with a part word, "the", "$", or where money is talked about."""
    found = []
    for match in BAND.finditer(text):
        if not (match.group("part") or match.group("the") or match.group("dollar") or money_context):
            continue
        start = int(match.group("hundreds")) * 1_000
        low_part = _BAND_PARTS.get(match.group("part") or "", [0, 100])
        if match.group("hundreds_high"):
            end = int(match.group("hundreds_high")) * 1_000
            high_part = _BAND_PARTS.get(match.group("part_high") or "", [0, 100])
        else:
            end = start
            high_part = _BAND_PARTS.get(match.group("part_to") or match.group("part") or "", [0, 100])
        low, high = start + low_part[0] * 1_000, end + high_part[1] * 1_000
        if low < high:
            found.append(Amount(low, high, "", match.start(), match.end(), True, band=True))
    return found


def _value(number: str, suffix: str | None, *, money_context: bool, asked: bool = False) -> float | None:
    value = float(number.replace(",", ""))
    suffix = (suffix or "").lower()
    if suffix == "mil" and value < 10 and value != int(value):
        return value * 1_000_000  # "2.5 mil": no home costs $2,500
    if suffix in ("k", "mil", "grand", "thousand"):
        return value * 1_000
    if suffix in ("m", "mm", "million", "millions", "millon", "millones", "mill"):
        return value * 1_000_000
    if not money_context:
        return value if value >= 10_000 else None
    if value < 10:       # "1.2" after a price question: millions (only there: "6" elsewhere is not money)
        return value * 1_000_000 if value >= 1 and asked else None
    if value < 10_000:   # "850", "450ish": thousands, as people text prices
        return value * 1_000
    return value


def _bound(text: str, start: int, end: int) -> str:
    """ "max" or "min" by the nearest bound word before or after the amount ("at least 300 but under 400": 300 is
    the least, 400 the most); no other figure between the word and the amount."""
    before, after = text[max(0, start - 20):start], text[end:end + 22]
    nearest = []
    for bound, key, reach in (("max", "upper", 14), ("min", "lower", 12)):
        pattern = patterns("lexicon", "money", key)
        nearest += [(len(before) - m.end(), 0, bound) for m in pattern.finditer(before)
                    if not re.search(r"\d", before[m.end():])]
        nearest += [(m.start(), 1, bound) for m in pattern.finditer(after[:reach]) if not re.search(r"\d", after[:m.start()])]
    return min(nearest)[2] if nearest else ""  # a tie goes to the word before ("over 300 under 400")


def _excluded(text: str, start: int, end: int, number: str, suffix: str | None, dollar: str | None) -> bool:
    following = text[end:end + 14]
    if NOT_MONEY_AFTER.match(following) or MONTHLY.match(following):
        return True
    if _NOT_PRICE_AFTER.match(text, end) or _NOT_PRICE_BEFORE.search(text[max(0, start - 40):start]):
        return True
    if not (dollar or suffix) and AFTER_MONTH.search(text[max(0, start - 12):start]):
        return True
    if not (dollar or suffix) and YEAR.match(number):
        return True
    if not (dollar or suffix) and re.match(r"^\d{5}$", number):      # a zip code
        return True
    return False


# A phone number ("+13055550187", "(555) 013-2288", "305.555.0187") is never an amount, whatever surrounds it.
PHONE_NUMBER = re.compile(r"(?<![\d$.,])(?:\+?1[\s.-]?)?\(?\d{3}\)?[\s.-]?\d{3}[\s.-]?\d{4}(?![\d,])")
HALF_A_MILLION = re.compile(r"\b(?:medio millon|half a mil(?:lion)?|half a million)\b")
# "4 and a quarter", "3 and a half" (hundreds of thousands, as people say prices); "2 and a half million" stays.
AND_A_FRACTION = re.compile(r"\b([2-9])\s+and\s+a\s+(half|quarter)\b(?!\s*(?:m\b|mil|million))")
FRACTIONS = {"half": 50, "quarter": 25}
HALF_MORE = re.compile(r"\b(\d)\s+and\s+a\s+half\s+(?:million|mil|m)\b")


def amounts(text: str, *, money_context: bool) -> list[Amount]:
    """Every amount of money in `text` (normalised), in order. `money_context`: the text answers a budget or price
    question, so bare numbers are amounts too."""
    text = HALF_A_MILLION.sub("500k", text)
    text = HALF_MORE.sub(lambda m: f"{m.group(1)}.5 million".ljust(len(m.group(0))), text)
    text = AND_A_FRACTION.sub(lambda m: f"{int(m.group(1)) * 100 + FRACTIONS[m.group(2)]}k".ljust(len(m.group(0))), text)
    text = PHONE_NUMBER.sub(lambda match: " " * len(match.group(0)), text)  # same length: offsets stay true
    context = money_context or bool(patterns("lexicon", "money", "context").search(text))
    # House numbers are not money ("2210 Kipling St", "3300 Galt Ocean Dr Apt 1207").
    street = address_span(text)
    street_at = text.find(street) if street else -1
    found: list[Amount] = []
    bands = _bands(text, money_context=context)
    taken: list[tuple[int, int]] = [(band.start, band.end) for band in bands]
    for match in RANGE.finditer(text):
        if any(start <= match.start() < end for start, end in taken):
            continue
        if match.group("lead") is None and re.search(r"\b(?:or|o)\b", match.group(0)) and not (
                match.group("low_suffix") or match.group("high_suffix") or match.group("dollar")):
            continue  # "150 or so", "3 or 4": not a range of money unless written as money
        if _excluded(text, match.start(), match.end(), match.group("high"), match.group("high_suffix"),
                     match.group("dollar")):
            continue
        written = bool(match.group("dollar") or match.group("low_suffix") or match.group("high_suffix"))
        # "looking 325 to 375", "450-500": two hundreds side by side are a price range, as people text them.
        hundreds = all(re.fullmatch(r"[1-9]\d\d", match.group(key)) for key in ("low", "high")) and not re.search(
            r"\b(?:room|rooms|unit|units|apt|suite|ste|lot|lots|ages?|hwy|route|exit|#|no)\.?\s*$", text[:match.start()])
        suffix = match.group("high_suffix") or match.group("low_suffix")
        low = _value(match.group("low"), match.group("low_suffix") or suffix, money_context=context or written or hundreds)
        high = _value(match.group("high"), suffix, money_context=context or written or hundreds)
        if low is not None and high is not None and low >= high and not match.group("low_suffix"):
            # "between 900 and 1.2 million": the range crosses a million, so its low end is in thousands.
            low = _value(match.group("low"), None, money_context=True)
        if low is None or high is None or low >= high:
            continue
        found.append(Amount(int(low), int(high), "", match.start(), match.end(), written))
        taken.append((match.start(), match.end()))
    for match in AMOUNT.finditer(text):
        if any(start <= match.start() < end for start, end in taken):
            continue
        if street_at >= 0 and street_at <= match.start() < street_at + len(street):
            continue
        number, suffix, dollar = match.group("number"), match.group("suffix"), match.group("dollar")
        if _excluded(text, match.start(), match.end(), number, suffix, dollar):
            continue
        written = bool(dollar or suffix)
        value = _value(number, suffix, money_context=context or written, asked=money_context)
        if value is None or value < 1_000:
            continue
        found.append(Amount(int(value), None, _bound(text, match.start(), match.end()), match.start(), match.end(),
                            written))
    return sorted(found + bands, key=lambda amount: amount.start)


def figures_over_bands(found: list[Amount]) -> list[Amount]:
    """A figure beside a band is what the prospect means ("mid 300s, no more than 375"); call it once the amounts
    that are not the prospect's own (a past sale) are left out, so "neighbors got 610, hoping mid 600s" keeps the band."""
    figures = [amount for amount in found if not amount.band]
    return figures or found


def intended(found: list[Amount], text: str) -> list[Amount]:
    """The amounts the prospect means: after a correction or contrast ("actually make that 500k", "approved up to
    425 but want to stay around 375", "bueno digamos hasta 650") the later ones replace the earlier ones."""
    corrections = [match for match in CORRECTION.finditer(text)]
    if len(found) > 1 and corrections:
        last = corrections[-1]
        later = [amount for amount in found if amount.start >= last.end()]
        earlier = [amount for amount in found if amount.start < last.start()]
        # "max 450 but would love to stay around 400": a stated limit stands beside a wish; an approval does not
        # ("approved up to 425 but want to stay around 375").
        if last.group(0) in ("but", "pero") and earlier and earlier[-1].bound == "max" and not re.search(
                r"\b(?:approved|aprobad\w*|qualified)\b", text[max(0, earlier[-1].start - 25):earlier[-1].start]):
            return earlier
        if last.group(0) in ("but", "pero") and earlier and later and {earlier[-1].bound, later[0].bound} == {"min", "max"}:
            return earlier + later  # "at least 300 but under 400": both ends of one range
        if later:
            return later
    return found
