"""Qualification facts one text states, read with the question it answers: financing, budget or price, timeline,
areas, property type, bedrooms and bathrooms, a seller's address, condition and motivation."""

from __future__ import annotations

import re
from datetime import date

from leads.reader import money, places, timeline
from leads.reader.lexicon import patterns, section
from leads.reader.names import introduced_name
from leads.reader.text import fold_accents

FINANCING_ORDER = ("cash", "va_loan", "fha_loan", "pre_approved", "pre_qualified", "conventional")
NEGATION_BEFORE = re.compile(r"(?:\bnot|\bno|\bdon'?t|\bdoesn'?t|\bdidn'?t|\bhaven'?t|\bhasn'?t|\bisn'?t|\baren'?t|\bwon'?t|\bcan'?t|\bnever|\bwithout|\bsin|\bni|\bnunca|\btodavia no|\baun no)\s+(?:\w+\s+){0,3}$")
QUESTION_START = re.compile(r"^(?:is|are|do|does|should|how|what|when|can|could|would|will|why|which|se necesita|es mejor|"
                            r"como|cuanto|cuando|que)\b")
YES = re.compile(r"^(?:yes|yeah|yep|yup|ya|si|sí|correct|we are|i am|sure|yes we are|yes i am|affirmative)\b")
NO = re.compile(r"^(?:no|nope|nah|not yet|not really|negative|todavia no|aun no|no todavia|not at all|haven'?t(?: yet)?|"
                r"have not(?: yet)?|nothing yet|nada (?:aun|todavia))\b")
PROPERTY_TYPES = ("condo", "townhouse", "multi_family", "land", "mobile_home", "single_family")
LAND_TO_BUILD = re.compile(r"\b(?:land|lot|terreno|lote)\s+(?:\w+\s+)?(?:to|para|pa)\s+(?:put|build|poner|construir)\b")
TYPE_NEGATION = re.compile(r"(?:\bnot|\bno|\bdon'?t want|\bno (?:me )?gustan?|\bno quiero|\bnada de|\bni)\s+(?:\w+\s+){0,3}$")
COUNT = r"\d{1,2}|one|two|three|four|five|six|uno|una|dos|tres|cuatro|cinco|seis"
COUNTS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "uno": 1, "una": 1, "dos": 2, "tres": 3,
          "cuatro": 4, "cinco": 5, "seis": 6}
BEDS_BATHS_SHORT = re.compile(r"(?<![\d/.$])([1-6])\s?/\s?([1-4](?:\.5)?)(?![\d/])")  # "3/2": 3 beds, 2 baths
BEDROOMS = re.compile(rf"(?<![\d.])({COUNT})\s*(\+)?\s*(?:(?:-|or|o|to|a)\s*(\d{1,2})\s*)?(?:bed|beds|bd|bds|br|bdr|bdrm|bdrms|"
                      r"bedrm|bedrms|bedroom|bedrooms|bedroooms|recamara|recamaras|cuarto|cuartos|habitacion|habitaciones|"
                      r"dormitorio|dormitorios)\b")
BATHROOMS = re.compile(r"(?<![\d.])(\d(?:\.5)?)\s*(?:(?:-|or|o|to)\s*(\d(?:\.5)?)\s*)?(?:bath|baths|ba|bathroom|bathrooms|"
                       r"baño|baños|bano|banos)\b")
LISTING_REFERENCE = re.compile(r"\b(?:the|that|this)\s+(?:\d\s*(?:bed|br|bd)\s+)?(?:one|place|house|listing)\b")


def financing(text: str, *, asked: bool) -> str | None:
    """The financing a text states ("pre aprvd w uwm" -> pre_approved; "prequalified, not full preapproval yet" ->
    pre_qualified; "idk havnt looked into loans yet" -> not_started); a question about it states nothing."""
    statements = [piece for piece in re.split(r"(?<=[.!?;])\s+|,\s*", text)
                  if not (piece.rstrip().endswith("?") and QUESTION_START.match(piece.strip()))]
    negated = False
    found = []
    for piece in statements:
        for kind in FINANCING_ORDER:
            for match in patterns("lexicon", "financing", kind).finditer(piece):
                if kind == "cash" and re.match(r"\s*flow", piece[match.end():]):
                    continue
                if NEGATION_BEFORE.search(piece[:match.start()]) or (
                        kind in ("pre_approved", "pre_qualified") and _planned(piece, match.start())):
                    negated = negated or kind in ("pre_approved", "pre_qualified")
                    continue
                found.append(kind)
    if found:
        # "VA loan, already preapproved", "Conventional loan, pre approved": the approval says more than the loan.
        loans = {"va_loan", "fha_loan", "conventional"}
        if found[0] in loans and "pre_approved" in found:
            return "pre_approved"
        return found[0]
    if negated or any(patterns("lexicon", "financing", "not_started").search(piece) for piece in statements):
        return "not_started"
    if asked:
        answer = text.strip()
        if YES.match(answer):
            return "pre_approved"
        if NO.match(answer):
            return "not_started"
    return None


def _planned(piece: str, start: int) -> bool:
    """Whether a pre-approval is only planned ("we'll be getting preapproved next week")."""
    before = piece[max(0, start - 45):start]
    return any(re.search(rf"(?:{alternative})\s*$", before) for alternative in section("lexicon", "financing")["not_yet_before"])


OWN = re.compile(r"\b(?:my|our|his|her|their|mi|nuestra|nuestro|su)\s+(?!(?:first|next|new|dream|future|primera|primer|nueva|nuevo|proxima)\b)(?:\w+\s+){0,2}$")


def property_type(text: str, *, asked: bool, own_home: bool = False, buying: bool = False) -> str | None:
    """The type of home: the one wanted, or for a seller (`own_home`) the one owned ("our house in san jose" is
    neither a buyer's wish nor, for a buyer, a type at all). A home word that is a piece of its own ("casa, 4
    recamaras") answers the type question even when it was not asked (the prospect follows the script after a
    handoff)."""
    if LAND_TO_BUILD.search(text):
        return "land"
    cleared = patterns("lexicon", "property_types", "not_a_type").sub(" ", text)
    found = set()
    if buying and not own_home:
        for match in patterns("lexicon", "property_types", "buyer_condo").finditer(cleared):
            if not (TYPE_NEGATION.search(cleared[:match.start()]) or OWN.search(cleared[:match.start()])):
                found.add("condo")
    for kind in PROPERTY_TYPES:
        for match in patterns("lexicon", "property_types", kind).finditer(cleared):
            if TYPE_NEGATION.search(cleared[:match.start()]):
                continue
            if not own_home and OWN.search(cleared[:match.start()]):
                continue
            found.add(kind)
    generic = patterns("lexicon", "property_types", "generic")
    answered = asked or any(generic.fullmatch(piece.strip()) for piece in re.split(r"[,.;!]", cleared))
    if answered and generic.search(cleared) and not (found - {"single_family"}):
        found.add("single_family")
    return found.pop() if len(found) == 1 else None


def rooms(text: str, *, asked_bedrooms: bool) -> dict:
    facts: dict = {}
    for match in BEDROOMS.finditer(text):
        if re.search(r"\bnot\s+$", text[max(0, match.start() - 5):match.start()]) or match.group(3):
            continue
        if LISTING_REFERENCE.search(text[max(0, match.start() - 12):match.end() + 12]):
            continue
        facts["bedrooms"] = _count(match.group(1))
        break
    short = BEDS_BATHS_SHORT.search(text)
    if short and "bedrooms" not in facts and (asked_bedrooms or re.search(r"\b(?:bed|house|home|condo|need|want)", text)):
        facts["bedrooms"], facts["bathrooms"] = int(short.group(1)), float(short.group(2))
    for match in BATHROOMS.finditer(text):
        if not match.group(2):
            facts["bathrooms"] = float(match.group(1))
            break
    if asked_bedrooms and "bedrooms" not in facts:
        # "3", "two is plenty", "three, though a fourth for an office would be nice" (a second count is a range).
        answer = text.strip()
        first_clause = re.split(r"\s*[,;]\s*(?=(?:though|but|although|tho|ideally|if)\b)", answer, maxsplit=1)
        if len(first_clause) == 2 and not re.search(rf"\b(?:{COUNT})\b", first_clause[1]):
            answer = first_clause[0]
        bare = re.fullmatch(rf"\D{{0,20}}?\b({COUNT})\s*\+?(?:\s*(?:bed|beds|br|bd)s?)?\s*(?:is fine|please|pls|ideally|lol|"
                            r"tops|min|minimum|is (?:plenty|enough|good|ok|okay|perfect|ideal)|(?:would|will) (?:be )?(?:do|fine|"
                            r"great|enough|perfect)|at least|max|no more)?[.!]?", answer)
        if bare and 0 < _count(bare.group(1)) <= 12:
            facts["bedrooms"] = _count(bare.group(1))
    return facts


def _count(word: str) -> int:
    return int(word) if word.isdigit() else COUNTS[word]


def money_facts(text: str, *, asked: str, selling: bool, buying: bool) -> dict:
    """Budget bounds for a buyer, a price expectation for a seller; both for someone doing both, by what each
    amount is said about ("550 for ours, and we'd spend 600-700 down there")."""
    found = money.amounts(text, money_context=asked in ("budget", "price_expectation"))
    found = money.figures_over_bands(
        [amount for amount in money.intended(found, text) if not _past_around(text, amount.start)])
    # "a realtor friend said 340-360. we'd take 350": the prospect's own figure; "mi hermano dice que unos 200 mil"
    # alone is the figure they give.
    found = [amount for amount in found if not _past_around(text, amount.start, hearsay=True)] or found
    facts: dict = {}
    for amount in found:
        role = _amount_role(text, amount, asked=asked, selling=selling, buying=buying)
        if role == "price" and "price_expectation" not in facts:
            # A seller's band ("high 600s") hopes for its middle; a range of figures, for its top.
            facts["price_expectation"] = (amount.low + amount.high) // 2 if amount.band else amount.high or amount.low
        elif role == "budget" and not ({"budget_max", "budget_min"} & set(facts)):
            if amount.high:
                facts["budget_min"], facts["budget_max"] = amount.low, amount.high
            elif amount.bound == "min":
                facts["budget_min"] = amount.low
            else:
                facts["budget_max"] = amount.low
        elif role == "budget" and not amount.high and len({"budget_max", "budget_min"} & set(facts)) == 1:
            # "at least 300 but under 400", "under 400, at least 300": one bound, then the other.
            if amount.bound == "max" and "budget_min" in facts and amount.low > facts["budget_min"]:
                facts["budget_max"] = amount.low
            elif amount.bound == "min" and "budget_max" in facts and amount.low < facts["budget_max"]:
                facts["budget_min"] = amount.low
    return facts


PRICE_CUE = re.compile(r"\b(?:for ours|for our|sell|list|asking|get for|hoping|por la nuestra|vender)\b")
BUDGET_CUE = re.compile(r"\b(?:spend|buy|budget|down there|new one|afford|gastar|comprar)\b")


def _distance(cue: re.Pattern, text: str, amount: money.Amount) -> float:
    """How far the nearest cue word is from the amount (inf when there is none within a short reach)."""
    window = text[max(0, amount.start - 30):amount.end + 25]
    offset = max(0, amount.start - 30)
    spots = [abs((offset + m.start()) - amount.start) if offset + m.start() < amount.start else
             (offset + m.start()) - amount.end for m in cue.finditer(window)]
    return min(spots) if spots else float("inf")


def _amount_role(text: str, amount: money.Amount, *, asked: str, selling: bool, buying: bool) -> str:
    price, budget = _distance(PRICE_CUE, text, amount) if selling else float("inf"), _distance(BUDGET_CUE, text, amount)
    if price < budget:
        return "price"
    if budget < price:
        return "budget"
    if asked == "price_expectation" or (selling and not buying):
        return "price"
    return "budget"


def _past_around(text: str, position: int, *, hearsay: bool = False) -> bool:
    """An amount in a clause about the past or about someone else ("we paid 285 in 2023", "mi vecina vendio en
    510") is not what the prospect wants now. `hearsay`: whether the clause gives another's estimate instead
    ("a realtor friend said 340-360"), which counts only beside a figure of the prospect's own."""
    contrast = max((match.end() - 1 for match in re.finditer(r" (?:but|pero) ", text[:position])), default=-1)
    # "neighbors got 610 last fall so hoping mid 600s": "so" starts the prospect's own clause.
    so_at = text.rfind(" so ", 0, position)
    start = max(text.rfind(",", 0, position), text.rfind(".", 0, position), text.rfind(" and ", 0, position), contrast,
                so_at + 3 if so_at >= 0 else -1)
    end_candidates = [i for i in (text.find(",", position), text.find(".", position), text.find(" but ", position),
                                  text.find(" pero ", position), text.find(" so ", position)) if i != -1]
    piece = text[start + 1:min(end_candidates) if end_candidates else len(text)]
    # "after talking to my neighbor maybe 625" is the prospect's own figure; "the neighbours sold for 340" is not.
    # "I was hoping for 390", "was thinking 600": a polite present, not a past event.
    piece = re.sub(r"\b(?:was|were|had been)\s+(?:hoping|thinking|wanting|looking|planning|aiming)\b", " ", piece)
    if hearsay:
        past = patterns("lexicon", "money", "hearsay").search(piece)
    else:
        past = patterns("lexicon", "time", "past_verbs").search(piece) or re.search(r"\bothers\b", piece)
    # "neighbors sold for 340 so something like that": another's figure the prospect takes as their own.
    adopted = patterns("lexicon", "money", "adopted").search(text[position:position + 60])
    # "we got preapproved for 400k": an approval, past or not, is the budget the prospect has now.
    return bool(past) and not adopted and not re.search(r"\b(?:(?:pre ?-?)?approved|aprobad\w*|pre ?-?aprob\w*)\b",
                                                        piece)


def read_facts(text: str, original: str, *, asked: str, lead_type: str, roles: set[str], today: date,
               pending: tuple = ()) -> dict:
    """All facts of one text, for a prospect who is (or says they are) buying, selling or renting."""
    folded = fold_accents(text)
    # A buyer selling their current home to fund the next one is still a buyer ("cash from selling our house").
    selling = lead_type == "seller" or ("sell" in roles and lead_type != "buyer")
    buying = lead_type == "buyer" or (lead_type in ("unknown", "") and "sell" not in roles) or "buy" in roles
    # A known buyer's apartment is where they live now ("we're in an apartment in tempe now"), no rental wanted.
    renting = lead_type == "renter" or (lead_type not in ("buyer", "seller") and "rent" in roles
                                        and not roles & {"buy", "sell"})
    facts: dict = {}
    days = timeline.timeline_days(text, today=today, asked=asked == "timeline_days", pending="timeline_days" in pending)
    if days is not None:
        facts["timeline_days"] = days
    found = places.areas(text, asked=asked, original=original,
                         role_stated=bool(roles - {"looking"})) if buying or renting else []
    # A home word inside a place's name is no type ("Sugar House", "Alamo Ranch").
    without_places = folded
    for area in found + list(places.corrected_place(text) or ()):
        without_places = re.sub(rf"\b{re.escape(fold_accents(area.casefold()))}\b", " ", without_places)
    kind = property_type(without_places, asked=asked == "property_type", own_home=selling,
                         buying=lead_type == "buyer" or (buying and not renting))
    if kind:
        facts["property_type"] = kind
    if not renting:
        facts.update(money_facts(folded, asked=asked, selling=selling, buying=buying or asked == "budget"))
    if buying or renting:
        if found:
            facts["areas"] = found
        facts.update(rooms(folded, asked_bedrooms=asked == "bedrooms"))
    # A seller who is also buying says how they pay for the next home ("cash for the new one from the sale").
    buying_next = bool(re.search(r"\b(?:(?:new|next) (?:one|house|home|place)|buy|buying|purchase|comprar)\b", folded))
    if (buying or (selling and buying_next)) and not renting:
        kind = financing(folded, asked=asked == "financing")
        if kind:
            facts["financing"] = kind
    if selling:
        facts.update(_seller_facts(text, original, asked=asked, other_facts=set(facts)))
    return facts


def _seller_facts(text: str, original: str, *, asked: str, other_facts: set[str]) -> dict:
    """A seller's address, and the home's condition and the reason to move in the prospect's words. A text that
    says how the home is or why they move counts whatever was asked; an answer to the condition or motivation
    question counts as a whole unless it answers something else instead (a price, a date, a name, the other of the
    two) or describes nothing ("ok gracias, yo les aviso")."""
    facts: dict = {}
    street = places.address(original, asked=asked == "address")
    if street:
        facts["address"] = street
        other_facts.add("address")
    plain = " ".join(original.split()).strip()
    folded = fold_accents(text)
    says = {slot: bool(patterns("lexicon", "seller", slot).search(folded)) for slot in ("condition", "motivation")}
    # A question or a request in reply ("could an agent come by?") describes neither the home nor the move.
    described = bool(plain) and not plain.endswith("?") and not _only_acknowledgement(folded)
    answers_other = bool(other_facts) or bool(introduced_name(text, original))
    for slot, other in (("condition", "motivation"), ("motivation", "condition")):
        if asked == slot and described and (says[slot] or not (answers_other or says[other])):
            facts[slot] = plain[:200]
        elif says[slot]:
            pieces = re.split(r"(?<=[.!?;])\s+", plain)
            clause = next((piece for piece in pieces
                           if patterns("lexicon", "seller", slot).search(fold_accents(piece.lower()))), plain)
            facts[slot] = clause[:200]
    return facts


def _only_acknowledgement(folded: str) -> bool:
    pieces = [piece.strip() for piece in re.split(r"[,.!;]+", folded) if piece.strip()]
    one = patterns("lexicon", "seller", "acknowledgement").pattern
    return bool(pieces) and all(re.fullmatch(rf"(?:{one})(?:\s+(?:{one}))*", piece) for piece in pieces)
