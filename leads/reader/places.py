"""Where: the areas a buyer or renter wants ("east nashville", "Oro Valley or the Catalina Foothills", "78704"),
and the street address of a home a seller has ("880 n pennsylvania st unit 12c"), kept as typed.

An area is a place-like phrase: after "in", "near", "around", "en", "por"..., or the whole answer to the areas
question, cut at "or", "and", commas. Wishes about surroundings ("near the park", "close to my work", "good
schools"), the home being sold ("our place in st pete"), where people come from ("from cali") and states are not
areas.
"""

from __future__ import annotations

import re

from leads.reader.lexicon import common_words, patterns, section
from leads.reader.text import fold_accents

ZIP = re.compile(r"(?<![\d$,.])\d{5}(?![\d,k])")
MAX_AREA_WORDS = 4
STATES = frozenset("""alabama alaska arizona arkansas california cali colorado connecticut delaware florida georgia
hawaii idaho illinois indiana iowa kansas kentucky louisiana maine maryland massachusetts michigan minnesota
mississippi missouri montana nebraska nevada ohio oklahoma oregon pennsylvania tennessee texas utah vermont
virginia washington wisconsin wyoming puerto rico mexico canada germany""".split())
FILLER_START = re.compile(r"^(?:(?:maybe|probably|prob|possibly|ideally|like|somewhere|anywhere|the|el|la|los|las|"
                          r"in|en|near|around|round|by|por|area of|tal vez|quizas|o sea|thinking|either|also|"
                          r"tambien|nos gusta|me gusta|we like|i like|and|y|or|o)\s+)+")
FILLER_END = re.compile(r"(?:\s+(?:area|areas|tbh|lol|honestly|ideally|too|maybe|prob|probably|i think|mostly|"
                        r"preferably|please|pls|or so|side|way|if possible|zona|por favor))+$")
OWN_HOME = re.compile(r"\b(?:my|our|her|his|their|mi|nuestra|su|sus)\s+(?:\w+\s+){0,2}(?:house|home|place|condo|"
                      r"townhouse|property|casa|condo|propiedad|depa)\s+(?:in|en)\s+$")
NOT_AN_AREA_BEFORE = re.compile(r"\b(?:from|de|pcs\w*|stationed|retiring|retire|sell\w*|vender|vendo|live|living|"
                                r"vivo|vivimos|rent|renting|rento|currently|ahorita)\s+(?:\w+\s+){0,3}(?:in|en|to|a)?\s*$")


def _title(phrase: str) -> str:
    return " ".join(word if any(c.isupper() for c in word) else word[:1].upper() + word[1:] for word in phrase.split())


def _clean(chunk: str) -> str:
    chunk = re.sub(r"[!?\"()]+", " ", chunk).strip(" .,-;:")
    chunk = FILLER_END.sub("", FILLER_START.sub("", chunk)).strip(" .,-;:")
    return " ".join(chunk.split())


def _is_area(chunk: str) -> bool:
    if not chunk or ZIP.fullmatch(chunk):
        return bool(chunk)
    words = chunk.split()
    if len(words) > MAX_AREA_WORDS or re.search(r"\d", chunk):
        return False
    if patterns("lexicon", "places", "not_places").fullmatch(fold_accents(chunk)) or chunk in STATES:
        return False
    if re.match(r"(?:my|our|his|her|their|mi|mis|su|sus|a|an|un|una|some|any|good|nice|close|cerca)\b", chunk):
        return False
    directions = set(section("lexicon", "places")["directions"])
    if len(words) > 1 and words[0] in directions:
        return True
    if _time_or_money_word(chunk):
        return False
    return not all(word in common_words() for word in words)


def _time_or_money_word(chunk: str) -> bool:
    return bool(re.search(r"\b(?:months?|years?|weeks?|days?|asap|spring|summer|fall|winter|budget|cash|mil|meses|"
                          r"january|february|march|april|june|july|august|september|october|november|december|"
                          r"enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre|"
                          r"bed|beds|bedrooms?|baths?|condo|townhouse|house|home|apartment|duplex|land|recamaras|"
                          r"cuartos|casa|the city|schools?)\b", chunk))


def _split(answer: str) -> list[str]:
    return [part for part in re.split(r"\s*(?:,|;|/|\.\s|\bor\b|\band\b|\bo\b|\by\b|\bu\b|&|\bplus\b)\s*", answer)
            if part.strip()]


def areas(text: str, *, asked: bool) -> list[str]:
    """The areas in `text` (normalised), in order, capitalised as place names. `asked`: the text answers the
    areas question, so the whole answer is read as a list of places."""
    found: list[str] = []
    found += ZIP.findall(text)
    chunks: list[str] = []
    if asked:
        first_clause = re.split(r"(?<=[.!?])\s+", text)[0]
        chunks = _split(first_clause)
    before = patterns("lexicon", "places", "before")
    for match in before.finditer(text):
        prefix = text[:match.start()]
        if OWN_HOME.search(prefix + match.group(0) + " ") or NOT_AN_AREA_BEFORE.search(prefix + match.group(0)):
            continue
        rest = text[match.end():]
        phrase = re.split(r"[,.;!?]|\b(?:but|because|for|with|under|within|from|pero|porque|para|pa|con|cerca|"
                          r"since|so|if|who|which|that|where|when|next|this|by|around|near|in|en)\b", rest, maxsplit=1)[0]
        chunks += _split(phrase)
    for chunk in chunks:
        cleaned = _clean(chunk)
        if _is_area(cleaned) and cleaned not in found and not ZIP.fullmatch(cleaned):
            found.append(cleaned)
    return [_title(area) if not ZIP.fullmatch(area) else area for area in found][:10]


STREET_NUMBER = r"(?<![\w$])\d{1,6}(?:-\d{1,4})?[a-z]?"


def _address_span(text: str) -> str | None:
    suffixes = "|".join(sorted(section("lexicon", "places")["street_suffixes"], key=len, reverse=True))
    match = re.search(
        rf"{STREET_NUMBER}\s+(?:(?:n|s|e|w|ne|nw|se|sw|north|south|east|west)\.?\s+)?(?:[\w.'-]+\s+){{0,4}}?"
        rf"(?:{suffixes})\.?(?![\w])(?:\s+(?:n|s|e|w|ne|nw|se|sw)\b)?"
        r"(?:,?\s+(?:apt|apartment|unit|ste|suite|lot|#|no\.?|space|spc)\s*[\w-]+)?",
        text, re.IGNORECASE,
    )
    return match.group(0) if match else None


def address(original: str, *, asked: bool) -> str:
    """The street address in `original` (as typed, not lowercased). Answering the address question, everything
    from the house number on counts ("14522 glen oaks ct carmel", "9418 Autumn Crest, san antonio 78250");
    elsewhere only a number, a street and a street type ("2817 N Sawyer Ave")."""
    text = " ".join(original.split())
    if asked:
        match = re.search(STREET_NUMBER + r"\s+[A-Za-zÀ-ÿ0-9]", text)
        if match:
            rest = re.split(r"(?<=[a-z0-9])[.!?](?:\s|$)|\s+(?:but|pero|and we|y|thanks|gracias|lol)\s+", text[match.start():],
                            maxsplit=1)[0]
            return rest.strip(" .,;!")[:200]
    span = _address_span(text)
    return span.strip(" .,;")[:200] if span else ""
