"""Where: the areas a buyer or renter wants ("east nashville", "Oro Valley or the Catalina Foothills", "78704"),
and the street address of a home a seller has ("880 n pennsylvania st unit 12c"), kept as typed.

An area is a place-like phrase: after "in", "near", "around", "en", "por"..., or the whole answer to the areas
question, cut at "or", "and", commas. Wishes about surroundings ("near the park", "close to my work", "good
schools"), the home being sold ("our place in st pete"), where people come from ("from cali") and states are not
areas.
"""

from __future__ import annotations

import re
from functools import lru_cache

from leads.reader.lexicon import first_names, is_common, is_function_word, patterns, section, us_places
from leads.reader.names import introduced_name
from leads.reader.text import fold_accents, place_key

ZIP = re.compile(r"(?<![\d$,.])\d{5}(?!\d|,\d|k\b)")
MAX_AREA_WORDS = 4
STATES = frozenset("""alabama alaska arizona arkansas california cali colorado connecticut delaware florida georgia
hawaii idaho illinois indiana iowa kansas kentucky louisiana maine maryland massachusetts michigan minnesota
mississippi missouri montana nebraska nevada ohio oklahoma oregon pennsylvania tennessee texas utah vermont
virginia washington wisconsin wyoming puerto rico mexico canada germany""".split()) | {
    "carolina del norte", "carolina del sur", "nuevo mexico", "nueva york", "tejas", "north carolina", "south carolina",
    "new york state", "new mexico", "new jersey", "rhode island", "west virginia", "north dakota", "south dakota"}
FILLER_START = re.compile(r"^(?:(?:maybe|probably|prob|possibly|ideally|like|somewhere|anywhere|the|el|la|los|las|"
                          r"in|en|near|around|by|por|area of|tal vez|quizas|o sea|thinking|either|also|"
                          r"tambien|tmb|tb|nos gusta|me gusta|we like|i like|and|y|or|o|plus|lado de|zona de|rumbo de|open to|cerca de|cerca del|"
                          r"realistically|honestly|como|tipo|algo|so|"
                          r"alrededor de|(?:lado |zona |parte )?(?:norte|sur|este|oeste|poniente|oriente) de)\s+)+")
FILLER_END = re.compile(r"(?:\s+(?:area|areas|tbh|lol|honestly|ideally|too|maybe|prob|probably|i think|mostly|"
                        r"preferably|please|pls|or so|(?<!north )(?<!south )(?<!east )(?<!west )side|way|if possible|zona|por favor|somewhere|"
                        r"pues|specifically|in general|(?:would|could) work|works|(?:is|are|would be) ok(?:ay)?(?: too)?|is fine(?: too)?|"
                        r"(?:is|would be|is still) (?:the|a|our|my) dream|(?:is|would be) (?:our |my |the )?(?:first|top) choice|"
                        r"(?:would|could|will|is|are) (?:be )?(?:fine|great|ideal|good|nice|ok|okay|perfect)(?: too| also)?))+$")
OWN_HOME = re.compile(r"\b(?:my|our|her|his|their|mi|nuestra|su|sus)\s+(?:\w+\s+){0,2}(?:house|home|place|condo|"
                      r"townhouse|property|casa|condo|propiedad|depa)\s+(?:in|en)\s+$")
NOT_AN_AREA_BEFORE = re.compile(r"\b(?:from|desde|soy de|somos de|pcs\w*|stationed|retiring|retire|sell\w*|vender|vendo|live|lives|living|"
                                # where someone works ("hubby works at Intel in Chandler", "we both work in the Loop")
                                r"work|works|working|commute|commutes|saw (?:one|it|a \w+|the \w+|your \w+)|"
                                # what a message the prospect got was about ("got a msg about new listings in mt pleasant")
                                r"(?:msg|message|text|email|ad|mailer|flyer|postcard) about|"
                                r"vivo|vivimos|rent|renting|rento|currently|ahorita)\s+(?:\w+\s+){0,3}(?:in|en|to|a|on|at)?\s*$")


def _capitalised_in(original: str, phrase: str) -> bool:
    """Whether the prospect wrote the phrase's words after the article with capitals ("the Catalina Foothills")."""
    words = phrase.split()[1:3]
    return bool(words) and all(re.search(rf"\b{re.escape(word[:1].upper() + word[1:])}", original) for word in words)


def _title(phrase: str) -> str:
    spelled = section("lexicon", "places")["name_words"]
    words = phrase.split()
    words = [spelled.get(word, word) if index else word for index, word in enumerate(words)]
    return " ".join(word if any(c.isupper() for c in word) else "-".join(part[:1].upper() + part[1:]
                                                                       for part in word.split("-")) for word in words)


def _known_name(chunk: str) -> str | None:
    """The name an agent files a shortened area under ("jp" -> "Jamaica Plain", "st pete" -> "St. Pete")."""
    return section("lexicon", "places")["abbreviations"].get(" ".join(chunk.strip(" .,;!?").split()))


ARTICLED_NAME = re.compile(r"(?:la|el|los|las)\s+([\w'-]+)")


def _clean(chunk: str) -> str:
    chunk = re.sub(r"[^\w\s.,'&-]+", " ", chunk).strip(" .,-;:")  # emoji and marks are no part of a name
    chunk = FILLER_END.sub("", chunk).strip(" .,-;:")
    articled = ARTICLED_NAME.fullmatch(" ".join(chunk.split()))
    if articled and not is_common(articled.group(1)) and not _known_name(chunk):
        # The article of a one-word name is part of it ("La Vergne", "Las Vegas"), not a filler.
        return " ".join(chunk.split())
    rest = FILLER_START.sub("", chunk)
    article = re.search(r"\b(?:la|el|los|las)\s+$", chunk[:len(chunk) - len(rest)])
    if article and ARTICLED_NAME.fullmatch(f"{article.group(0)}{rest}".strip()) and not is_common(rest.strip()):
        rest = article.group(0) + rest  # "por el lado de las lomas": the article is the name's
    return " ".join(rest.strip(" .,-;:").split())


def _side_of_town(words: list[str]) -> bool:
    """ "South End", "East Side": a named part of town, though "end" and "side" are everyday words."""
    return len(words) == 2 and words[0] in ("north", "south", "east", "west") and words[1] in ("end", "side")


def _is_area(chunk: str) -> bool:
    if not chunk or ZIP.fullmatch(chunk):
        return bool(chunk)
    if len(chunk) < 2:
        return False  # "close to the L": a letter names no place
    words = chunk.split()
    if _side_of_town(words):
        return True
    if len(words) > MAX_AREA_WORDS or re.search(r"\d", chunk):
        return False
    if len(words) > 1 and words[-1] in section("lexicon", "places")["street_endings"]:
        return False
    if words[-1] in ("vibe", "vibes", "feel", "feeling", "style", "type", "kind"):
        return False  # "the hill country vibe": a kind of place, none named
    if patterns("lexicon", "places", "not_places").fullmatch(fold_accents(chunk)) or chunk in STATES:
        return False
    inner = {"of", "de", "del", "la", "el", "los", "las"}
    articled = words[0] in ("la", "el", "los", "las") and len(words) > 1 and not is_common(words[1])  # Las Vegas
    if (is_function_word(words[0]) and not articled) or any(is_function_word(w) and w not in inner for w in words[1:]):
        return False
    # Adverbs and Spanish verb forms ("ahí hacíamos las posadas") are no part of a place's name.
    if any(re.search(r"..ly$|..(?:iamos|abamos|aban|ando|iendo)$", fold_accents(word)) for word in words) or _time_or_money_word(chunk):
        return False
    if any(word.endswith("'s") and is_common(word[:-2]) for word in words):
        return False  # "score's 740": a word's possessive or contraction, not a name ("St. John's" stays)
    directions = set(section("lexicon", "places")["directions"])
    if len(words) > 2 and words[0] in directions and words[1] == "of":
        return False  # "north of houston": beside a city, outside it; no place named
    if len(words) > 1 and words[0] in directions and not is_common(words[1]):
        return True
    return not all(is_common(word) for word in words)


def _time_or_money_word(chunk: str) -> bool:
    # A season before a place word names the place ("Winter Park", "Spring Valley").
    chunk = re.sub(r"\b(?:spring|summer|fall|winter)(?=\s+(?:park|hill|hills|valley|lake|lakes|garden|gardens|haven|"
                   r"creek|springs|field|grove|branch|ridge|wood|woods|isle|island)\b)", "place", chunk)
    return bool(re.search(r"\b(?:months?|years?|weeks?|days?|asap|spring|summer|fall|winter|budget|cash|mil|meses|"
                          r"january|february|march|april|june|july|august|september|october|november|december|"
                          r"enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre|"
                          r"bed|beds|bedrooms?|baths?|condo|condos|townhouse|townhomes?|apartment|duplex(?:es)?|triplex(?:es)?|(?<!indian )(?<!sugar )land|recamaras|"
                          r"cuartos|casa|the city|schools?|buy|buying|sell|selling|rent|renting|monday|tuesday|wednesday|thursday|friday|saturday|sunday|weekend|tonight|tomorrow|efectivo|contado|banco|prestamo|credito|numero|fourplex|triplex|flat|multifamily|multi|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec|mortgage|loan|lender|bank|realtor|agent|listing|listings)\b",
                          chunk))


# Spanish "u" is "or" only before a word with an o sound ("Ocotlán u Oaxaca"); elsewhere it is part of a name ("West U").
SPANISH_U = r"\bu\b(?=\s+h?o(?!r\b))"
# What follows "if", "when", "because" is a condition or a reason, no place ("maybe somerville if something pops up").
CONDITION = re.compile(r"\b(?:if|when|once|because|since|unless|si|cuando|porque)\b")


def _split(answer: str) -> list[str]:
    return [part for part in re.split(rf"\s*(?:,|;|/|(?<!\bst)(?<!\bmt)(?<!\bft)\.\s|\bor\b|\band\b|\bo\b|\by\b|{SPANISH_U}|&|"
                                      r"\bplus\b|\bbut\b|\bpero\b)\s*", answer)
            if part.strip()]


# "in the gulch or midtown": an article before a word no everyday text uses, in a list of places, names a place.
NAMED_WITH_ARTICLE = re.compile(r"\s*the\s+(?!(?:" + "|".join(("city", "area", "country", "suburbs", "burbs", "building",
                                                                "neighborhood", "neighbourhood", "county", "state", "market"))
                                + r")\b)[a-z]+\s+(?:or|and)\s+")
THE_NAMED_AREA = re.compile(r"\s*the\s+([a-z][\w' -]*?)\s+area\b")


def _after_prepositions(text: str, original: str) -> list[str]:
    """Place phrases after "in", "near", "moving to", "en", "por"...: "a house in east nashville"."""
    chunks = []
    for match in patterns("lexicon", "places", "before").finditer(text):
        prefix = text[:match.start()]
        if OWN_HOME.search(prefix + match.group(0) + " ") or NOT_AN_AREA_BEFORE.search(prefix + match.group(0)):
            continue
        phrase = re.split(r"[,;!?]|(?<!\bst)(?<!\bmt)(?<!\bft)\.|\b(?:but|because|for|with|under|within|from|pero|porque|para|pa|con|cerca|"
                          r"since|so|if|who|which|that|where|when|next|this|by|around|near|in|en)\b",
                          text[match.end():], maxsplit=1)[0]
        named_area = THE_NAMED_AREA.match(phrase)
        # "we really like the murfreesboro area" names it; "a home in the nashville area" describes a region.
        if named_area and not is_common(named_area.group(1)) and match.group(0).split()[-1] not in ("in", "en", "around"):
            phrase = named_area.group(1)  # "we really like the murfreesboro area"
        elif re.match(r"\s*(?:the|el|la|los|las)\s", phrase) and not _capitalised_in(original, phrase) and not (
                _known_name(phrase)) and not NAMED_WITH_ARTICLE.match(phrase):
            continue  # "in the building", "near the park": a place described, not named
        chunks += _split(phrase)
        # A list goes on past its first comma while each piece is plainly a place ("duplexes in Memphis, Cordova,
        # Bartlett"); the first piece that is not one ends it.
        rest = text[match.end() + len(phrase):]
        for piece in _split(rest.lstrip(" ,")) if rest.startswith(",") else []:
            if not _plainly_a_place(_clean(piece)):
                break
            chunks.append(piece)
    return chunks


def _standalone(text: str, original: str, *, role_stated: bool) -> list[str]:
    """Places written on their own: "buy. condo. somerville", "eugene area", "South Fulton, East Point" (a list
    sent after a handoff, when no question was pending)."""
    chunks = []
    directions = section("lexicon", "places")["directions"]
    for piece in re.split(rf"(?<!\bst)(?<!\bmt)(?<!\bft)\.|[,;!?/]|\s(?:or|and|o|y|&)\s|\s{SPANISH_U}\s", text):
        words = _clean(piece).split()
        if not 1 <= len(words) <= 3 or introduced_name(piece):
            continue
        if words[-1] in ("area", "areas", "zona") and len(words) > 1:
            chunks.append(" ".join(words[:-1]))
        elif len(words) > 1:
            if (words[0] in directions or not all(is_common(word) for word in words)) and not any(
                    is_function_word(word) for word in words):
                chunks.append(" ".join(words))
        elif not is_common(words[0]) and words[0] not in first_names() and (
                role_stated or re.search(rf"\b{re.escape(words[0][:1].upper() + words[0][1:])}\b", original)):
            chunks.append(words[0])
    return chunks


HOME_TYPE_PIECE = re.compile(r"(?:(?<=^)|(?<=[,;/]))\s*(?:a\s+)?(?:single ?-?family\s+)?(?:house|home|condo|townhouse|"
                             r"townhome|duplex|casa|apartment|apartamento)s?\s*(?=$|[,;/.!])")
NUMBER_FACT = re.compile(r"(?:\$\s?)?\d[\d,.]*\s?(?:k|m|mil)?(?:\s?(?:-|to|a)\s?\$?\s?\d[\d,.]*\s?(?:k|m|mil)?)?"
                         r"(?:\s?\+?\s?(?:beds?|br|bd|bedrooms?|baths?|ba|recamaras?|cuartos?))?(?![\w])")


@lru_cache(maxsize=1)
def _amount_qualifiers() -> frozenset[str]:
    money = section("lexicon", "money")
    return frozenset(phrase for key in ("upper", "lower", "context") for phrase in money[key])


def _qualifier(piece: str) -> bool:
    """A word or two around an amount that say how much, not where: "under", "maybe", "max", "or so"."""
    words = piece.split()
    qualifiers = _amount_qualifiers()
    return (not FILLER_START.sub("", piece + " ").strip() or piece in qualifiers
            or all(is_function_word(word) or word in qualifiers for word in words))


def _only_places(text: str) -> list[str]:
    """A text that is nothing but a list of place names ("arvada or wheat ridge", "mt lebanon or upper st clair"):
    every piece of it, when two or more pieces and none holds an everyday word."""
    # Amounts and room counts beside the places ("$600-700k, roscoe village or lincoln square", "henderson
    # 300-350k 3 bed") are read as their own facts; the places are what is left.
    # A type of home beside them ("south austin or buda, 3br house") is a fact of its own too.
    places_only = HOME_TYPE_PIECE.sub(" ", NUMBER_FACT.sub(" ", CONDITION.split(text, maxsplit=1)[0]))
    beside_other_facts = places_only != text
    pieces = [_clean(piece) for piece in re.split(rf"(?<!\bst)(?<!\bmt)(?<!\bft)\.|[,;/&]|\s(?:or|and|o|y)\s|\s{SPANISH_U}\s",
                                                  places_only.strip(" .!"))]
    pieces = [piece for piece in pieces if piece]
    if beside_other_facts:
        # What qualified the amount ("under", "maybe", "max") is no place; a lone place comes before the numbers,
        # since a word after a number is its unit or qualifier ("220 max", "2-3 mos").
        pieces = [piece for piece in pieces if not _qualifier(piece)]
        first_number = NUMBER_FACT.search(text)
        if len(pieces) == 1 and not (first_number and text.find(pieces[0]) < first_number.start()):
            return []
    if len(pieces) < (1 if beside_other_facts else 2) or not all(_plainly_a_place(piece) for piece in pieces):
        return []
    return pieces


PLACE_NAME_WORDS = frozenset(("st", "mt", "ft", "north", "south", "east", "west", "upper", "lower", "old", "new", "la", "el",
                              "los", "las"))


def _plainly_a_place(piece: str) -> bool:
    """A place by its words alone, with no everyday word in it (for places said where no area was asked)."""
    words = piece.split()
    if _side_of_town(words):
        return True
    if not _is_area(piece):
        return False
    if place_key(piece) in us_places() and (len(words) > 1 or not is_common(piece)):
        return True  # a town whose name is made of everyday words ("Sugar Land", "Round Rock", "Little Elm")
    return not any(is_common(word) for word in words if word not in PLACE_NAME_WORDS)


def _listed_clauses(text: str) -> list[str]:
    """A clause that is a list of two or more places beside other facts ("under 600 per property, oak cliff or
    pleasant grove"): each of them. One word alone could be a lender or a street ("pre approved w chase")."""
    chunks = []
    for clause in re.split(r"[,;]|(?<!\bst)(?<!\bmt)(?<!\bft)\.\s", text):
        pieces = [_clean(piece) for piece in re.split(rf"\s(?:or|and|o|y|&)\s|/|\s{SPANISH_U}\s", clause.strip(" .!"))]
        pieces = [piece for piece in pieces if piece]
        if len(pieces) >= 2 and all(_plainly_a_place(piece) for piece in pieces):
            chunks += pieces
    return chunks


LISTED_BEFORE_AREA = re.compile(r"(?:^|(?<=[.;!?:,]))\s*([^.;!?:,]+(?:,\s*[^.;!?:,]+)*?)\s+(?:area|areas|zona|zonas)\b")


def _listed_before_area(text: str) -> list[str]:
    """A clause that is a list of places and the word "area" ("350-400k. katy or cypress area, need 4 bedrooms"):
    every piece of the list, when all are places. After "in the" the phrase describes ("in the nashville area")."""
    chunks = []
    for match in LISTED_BEFORE_AREA.finditer(NUMBER_FACT.sub(",", text)):
        pieces = [_clean(piece) for piece in _split(match.group(1))]
        if pieces and all(piece == _clean(raw) and _is_area(piece) and not FILLER_START.match(raw.strip() + " ")
                          for piece, raw in zip(pieces, _split(match.group(1)))):
            chunks += pieces
    return chunks


CORRECTED_PLACE = re.compile(r"\b(?:actually|wait|sorry|i meant|make (?:it|that)|mejor|perdon)[,\s]+(?:(?:no|actually|i mean)[,\s]+)?"
                             r"(?P<new>[a-z][\w' .-]*?)\s*,?\s+(?:not|instead of|rather than|en vez de|no)\s+(?P<old>[a-z][\w' .-]*?)"
                             r"(?=$|[,.;!?])")


def corrected_place(text: str) -> tuple[str, str] | None:
    """ "wait actually millcreek not sugar house": the place said instead, and the one ruled out (no wish)."""
    match = CORRECTED_PLACE.search(text)
    if not match:
        return None
    new, old = _clean(match.group("new")), _clean(match.group("old"))
    return (new, old) if _is_area(new) and _is_area(old) else None


# A place ruled out is no wish ("gilbert, chandler, maybe mesa but not west mesa", "anywhere except downtown"); "not
# too far from X" and "not sure" rule nothing out.
RULED_OUT = re.compile(r"(?:^|(?<=[\s,]))(?:but\s+|pero\s+)?(?:not|except|excluding|anything but|anywhere but|nothing in|no)\s+"
                       r"(?!too\b|far\b|sure\b|picky\b|really\b|much\b|a\b|an\b|preference\b|idea\b|more\b|that\b|"
                       r"particular\b|se\b|tengo\b|me\b|importa\b)[^,;.!?]*")


SPANISH_DIRECTIONS = {"norte": "north", "sur": "south", "este": "east", "oriente": "east", "oeste": "west",
                      "poniente": "west"}
SPANISH_SIDE = re.compile(r"\b(?:(?:el|la)\s+)?(?:(?:lado|zona|parte)\s+(norte|sur|este|oriente|oeste|poniente)|"
                          r"(north|south|east|west)\s+side)\s+de\s+")
DIRECTION_WORDS = {"ne": "northeast", "nw": "northwest", "se": "southeast", "sw": "southwest"}
# "SE denver", "NW austin": only where a place-like word follows and no Spanish "se" verb could ("se vende").
DIRECTION_ABBREVIATION = re.compile(r"(?:^|(?<=[\s,]))(ne|nw|se|sw)\s+(?=[a-z]{3,}(?:\s|,|$))(?!(?:vende|busca|renta|necesita|puede|"
                                    r"compra|mudan?|quiere|llama)\b)")


def areas(text: str, *, asked: str, original: str = "", role_stated: bool = False) -> list[str]:
    """The areas in `text` (normalised), in order, capitalised as place names. `asked`: the fact the bot asked
    for; an answer to the areas question is read as a list of places, and places written on their own count only
    where no other question was pending."""
    # "el lado este de X", "el west side de X": East X, West X.
    text = SPANISH_SIDE.sub(lambda m: f"{SPANISH_DIRECTIONS.get(m.group(1) or '', m.group(2))} ", text)
    text = DIRECTION_ABBREVIATION.sub(lambda m: f"{DIRECTION_WORDS[m.group(1)]} ", text)  # "SE denver"
    corrected = corrected_place(text)  # read before the ruled-out place is cut ("boise not meridian")
    text = RULED_OUT.sub(" ", text)
    found: list[str] = ZIP.findall(text)
    sentences = re.split(r"(?<!\bst\.)(?<!\bmt\.)(?<!\bft\.)(?<=[.!?])\s+", text)
    if asked == "areas":
        # Each sentence of the answer is a list of places ("Capitol Hill or Queen Anne... honestly Ballard too");
        # places after "in" count too ("a townhome in ballantyne"). What follows "if" or "when" is a condition, no
        # place ("maybe somerville if something pops up"), but a fallback after it is one ("if we cant swing it
        # then Spring Hill").
        chunks = []
        for sentence in sentences:
            listed, *condition = CONDITION.split(sentence, maxsplit=1)
            fallback = re.split(r"\bthen\b", condition[0], maxsplit=1)[1:] if condition else []
            chunks += _split(listed) + [piece for rest in fallback for piece in _split(rest)]
        chunks += _after_prepositions(text, original)
    else:
        chunks = _after_prepositions(text, original)
        if asked in ("", "lead_type"):
            chunks += _standalone(text, original, role_stated=role_stated)
        if asked != "name":
            # Each sentence on its own: "under 800 hopefully. ballard, greenwood, maybe shoreline".
            for sentence in sentences if len(sentences) > 1 else [text]:
                chunks += _only_places(sentence)
            chunks += _listed_before_area(text) + _listed_clauses(text)
    if corrected:
        chunks = [corrected[0]]
    for chunk in chunks:
        known = _known_name(chunk) or _known_name(_clean(chunk))
        cleaned = known or _clean(chunk)
        if (known or _is_area(cleaned)) and cleaned not in found and not ZIP.fullmatch(cleaned):
            found.append(cleaned)
    if found and asked != "name":
        # A list goes on in the text's next clauses, one place each ("st pete, like old northeast. maybe gulfport",
        # "meridian or eagle. star is ok too", "Smyrna si encontramos algo").
        for clause in re.split(r"(?<!\bst)(?<!\bmt)(?<!\bft)[.;!?]|,", text):
            pieces = [_clean(piece) for piece in _split(CONDITION.split(clause, maxsplit=1)[0])]
            if len(pieces) != 1 or not pieces[0] or ZIP.fullmatch(pieces[0]):
                continue
            piece = _known_name(pieces[0]) or pieces[0]
            if _plainly_a_place(pieces[0]) and place_key(piece) not in {place_key(area) for area in found}:
                found.append(piece)
    # "round rock" read twice, once after the word "round": keep the whole name only.
    found = [area for area in found if not any(other != area and other.endswith(" " + area) for other in found)]
    return [_title(area) if not ZIP.fullmatch(area) else area for area in found][:10]


STREET_NUMBER = r"(?<![\w$])\d{1,6}(?:-\d{1,4})?[a-z]?"


# Words that end a phrase before a street could start ("3 bed in the city"); inside a street's name only the
# English ones do ("Lagrima de Oro Rd" is a street).
NOT_STREET_START = "in|on|at|the|my|our|for|to|and|or|of|a|with|en|de|la|el|mi"
NOT_STREET_WORD = "in|on|at|the|my|our|for|to|and|or|of|a|with"


def address_span(text: str) -> str | None:
    """The street line in `text`: a house number, a street's name (one to five words), a street type, and a
    direction and a unit after it when given ("4851 Gulf Shore Blvd N #402")."""
    suffixes = "|".join(sorted(section("lexicon", "places")["street_suffixes"], key=len, reverse=True))
    match = re.search(
        rf"{STREET_NUMBER}\s+(?:(?:n|s|e|w|ne|nw|se|sw|north|south|east|west)\.?\s+)?(?!(?:{NOT_STREET_START})\b)[\w.'-]+\s+"
        rf"(?:(?!(?:{NOT_STREET_WORD})\b)[\w.'-]+\s+){{0,4}}"
        rf"(?:{suffixes})\.?(?![\w])(?:\s+(?:n|s|e|w|ne|nw|se|sw)\b)?"
        r"(?:,?\s+(?:apt|apartment|unit|ste|suite|lot|#|no\.?|space|spc)\s*[\w-]+|\s+#\s?[\w-]+)?",
        text, re.IGNORECASE,
    )
    prefixes = "|".join(sorted(section("lexicon", "places")["street_prefixes"], key=len, reverse=True))
    # The type first ("4410 Avenue F", "8800 County Road 12"): what follows is a letter, a number or a name, never an
    # everyday word ("1200 avenue and then" is no street). The longer reading wins ("12 Calle Luna Dr").
    typed_first = re.search(rf"{STREET_NUMBER}\s+(?:{prefixes})\.?\s+(?!(?:{NOT_STREET_WORD})\b)[\w'-]+"
                            rf"(?:\s+(?!(?:{NOT_STREET_WORD})\b)[A-Z0-9][\w'-]*)?", text, re.IGNORECASE)
    if typed_first and is_common(typed_first.group(0).split()[-1].lower()):
        typed_first = None
    spans = [m.group(0) for m in (match, typed_first) if m]
    return max(spans, key=len) if spans else None


NUMBER_AFTER_STREET = re.compile(r"\b(?:calle|avenida|avda|av|carrera|camino|paseo|privada|cerrada)\.?\s+[\wÀ-ÿ.' ]{1,30}?"
                                 r"\s*(?:#|no\.?|n[uú]m(?:ero)?\.?)\s?\d{1,6}[a-z]?\b", re.IGNORECASE)


def address(original: str, *, asked: bool) -> str:
    """The street address in `original` (as typed, not lowercased), without the city, state and zip that may
    follow it ("1452 E Harvard Ave, Salt Lake City, UT 84105" -> "1452 E Harvard Ave"). Answering the address
    question, a street without a street type counts too, up to a comma or the end of the sentence ("7720 E Via
    Del Sol, Scottsdale"); elsewhere only a number, a street and a street type ("2817 N Sawyer Ave")."""
    text = " ".join(original.split())
    span = address_span(text)
    if span:
        return span.strip(" .,;")[:200]
    if asked:
        # The street before the number, as written in Spanish ("calle 8 #2450, miami", "Avenida Juárez núm. 120").
        number_after = NUMBER_AFTER_STREET.search(text)
        if number_after:
            return number_after.group(0).strip(" .,;")[:200]
        match = re.search(STREET_NUMBER + r"\s+[A-Za-zÀ-ÿ0-9]", text)
        if match:
            rest = re.split(r"(?<=[A-Za-z0-9])[.!?](?:\s|$)|,|\s+(?:but|pero|and we|y|thanks|gracias|lol|sorry)\s+", text[match.start():],
                            maxsplit=1)[0]
            return rest.strip(" .,;!")[:200]
    return ""
