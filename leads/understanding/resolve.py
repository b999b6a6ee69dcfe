"""Resolution against the bot's question, and the canonical rules that make equivalent statements equal.

Terms are strings as the fingerprint prints them: concepts ("PREAPPROVED"), slots ("bed>=3"), words ("hyde
park"), "!" before a negated term, "~" before a cue that never reaches the fingerprint.
"""

from __future__ import annotations

from dataclasses import replace

from .analysis import Analysis
from .data import load
from .question import Question

_GROUPS = load("groups.toml")
_RESOLVE = load("resolve.toml")
_FINANCING_STATUSES = _GROUPS["financing_statuses"]
_PROPERTY_TYPES = _GROUPS["property_types"]
_INFORMATION_REQUESTS = _GROUPS["information_requests"]
_APPOINTMENTS = _GROUPS["appointments"]
_IMPLIED_NO = _RESOLVE["implied_no"]
_ORDER_FORWARD = _RESOLVE["order_forward"]
_ORDER_WORDS = _ORDER_FORWARD | _RESOLVE["order_backward"]
_NOT_EVENTS = _RESOLVE["not_events"]
_OWN_HOME_ROLES = _RESOLVE["own_home_roles"]
_SAID_BY_ASAP = _RESOLVE["said_by_asap"]
_PROPERTY_SLOT_PREFIXES = _RESOLVE["property_slot_prefixes"]
_WANT_NOT_BUYING = _RESOLVE["want_not_buying"]
_WANT_ABSORBED_BY = _RESOLVE["want_absorbed_by"] | _INFORMATION_REQUESTS | _APPOINTMENTS
_OPT_OUT_ONLY = _RESOLVE["opt_out_only"]
_OPT_OUT_TRIGGERS = _RESOLVE["opt_out_triggers"]
_ORDERED_MEASURES = _RESOLVE["ordered_measures"]
_BINDING_EVENTS = _GROUPS["roles"] | _APPOINTMENTS | _RESOLVE["binding_events"]
_BOUND_SLOT_PREFIXES = tuple(_RESOLVE["bound_slot_prefixes"])
_WEIGHTLESS = _RESOLVE["weightless"]
_PLANNED_ACTIONS = {"PLAN_" + state: action for state, action in _RESOLVE["planned_actions"].items()}
_LOANS_OF_A_STATUS = _RESOLVE["loans_of_a_status"]
_SAYS_THE_LOAN = _FINANCING_STATUSES - {"CASH"}
_SAID_BY = _RESOLVE["said_by"]
_ORDINAL_TERMS = {int(position): word for position, word in load("calendar.toml")["ordinal_terms"].items()}
ORDINAL_PREFIX = "ord="
PICK_PREFIX = "pick="


def resolve(analysis: Analysis, question: Question) -> list[str]:
    """The message's canonical terms, sorted."""
    ordered = _order_events(_wants_of_negated(analysis.terms))
    cues = set(ordered)
    found = [t for t in ordered if not t.startswith("~")]
    if question.options:
        found = _pick_options(found, question)
    if question.slot_options:
        found = _pick_slot_option(found, question)
    found = [_ordinal_word(t) if t.startswith(ORDINAL_PREFIX) else t for t in found]
    if question.yes_no:
        found = _answer_yes_no(found, question)
    found = [t for t in found if t != "REF"]  # a pronoun adds nothing; a negated one ("!REF") does
    found = [_negated_bound(t, analysis) for t in found]
    present = _canonical(set(found), cues, question)
    present |= _amounts_in_order(analysis, present)
    present |= _bindings(analysis.terms, present)
    if not present:
        # Nothing the lexicon knows ("maybe", "hmm", "lol"): only the same words are the same message.
        present = {"text:" + " ".join(analysis.words)} if analysis.words else (
            {"raw:" + analysis.raw} if analysis.raw else set())
    return sorted(present)


# ---- the question's alternatives ------------------------------------------------------------------------------

def _pick_options(found: list[str], question: Question) -> list[str]:
    """Short replies read against the question's alternatives: "the first one", "the latter", "both"."""
    options = question.options
    picked = []
    for term in found:
        index = int(term[len(ORDINAL_PREFIX):]) if term.startswith(ORDINAL_PREFIX) else 0
        if 0 < index <= len(options) or index == -1:
            term = options[index - 1] if index > 0 else options[-1]
        picked.append(term)
    result = []
    for term in picked:
        result.extend((o for o in options if o != "BOTH") if term == "BOTH" else (term,))
    return result


def _pick_slot_option(found: list[str], question: Question) -> list[str]:
    """Map "the first one", "tuesday", "thurs 10am" onto one of the offered times when exactly one fits."""
    when = [t for t in found if t.startswith(("day=", "time="))]
    ordinal = next((t for t in found if t.startswith(ORDINAL_PREFIX)), None)
    choice = None
    if ordinal is not None:
        index = int(ordinal[len(ORDINAL_PREFIX):])
        if 0 < index <= len(question.slot_options):
            choice = question.slot_options[index - 1]
        elif index == -1:
            choice = question.slot_options[-1]
    elif when:
        fitting = [o for o in question.slot_options if all(t in o for t in when)]
        if len(fitting) == 1:
            choice = fitting[0]
    if choice is None:
        return found
    kept = [t for t in found if t not in when and t != ordinal and t not in ("!" + w for w in when)]
    negated = any(t.startswith("!") and t[1:] in choice for t in found)
    kept.append(PICK_PREFIX + "&".join(choice))
    if negated:
        kept.append("NO")
    return kept


def _ordinal_word(term: str) -> str:
    return _ORDINAL_TERMS.get(int(term[len(ORDINAL_PREFIX):]), term)


def _answer_yes_no(found: list[str], question: Question) -> list[str]:
    """A yes/no question: restating it is answering it ("we're pre-approved" = "yes", "no agent" = "no").
    Only when the question is about one thing: after "buy a home, sell one, or both?" restating "buy" and
    restating "sell" are different answers, and both must not collapse into "yes"."""
    answered = []
    single_topic = len(question.restatable - {"REF", "BOTH"}) <= 1
    for term in found:
        base = term[1:] if term.startswith("!") else term
        if base == "REF" or (single_topic and base in question.restatable):
            answered.append("NO" if term.startswith("!") else ("YES" if base != "REF" else ""))
        else:
            answered.append(term)
    answered = [t for t in answered if t]
    if any(t in _IMPLIED_NO for t in answered):
        answered.append("NO")
    return answered


_OPPOSITE_BOUND = {">=": "<=", "<=": ">="}


def _negated_bound(term: str, analysis: Analysis) -> str:
    """"nothing over 600k" is "600k at most": a negated bound is the opposite bound ("!$>=600000" is
    "$<=600000"), so that the facts read from it are a maximum, as for "up to 600k"."""
    slot = analysis.slots.get(term[1:]) if term.startswith("!") else None
    if slot is None or slot.comparison not in _OPPOSITE_BOUND or slot.high is not None:
        return term
    flipped = replace(slot, comparison=_OPPOSITE_BOUND[slot.comparison])
    analysis.slots.setdefault(flipped.term, flipped)
    return flipped.term


def _amounts_in_order(analysis: Analysis, present: set[str]) -> set[str]:
    """Two or more amounts of one measure, in the order the text gives them: "$=389000<$=420000"."""
    by_measure: dict[str, list[str]] = {}
    for term in analysis.terms:
        slot = analysis.slots.get(term.removeprefix("!"))
        if slot is None or term not in present or slot.measure.value not in _ORDERED_MEASURES:
            continue
        sequence = by_measure.setdefault(slot.measure.value, [])
        if term not in sequence:
            sequence.append(term)
    return {"<".join(sequence) for sequence in by_measure.values() if len(sequence) > 1}


def _bindings(ordered: list[str], present: set[str]) -> set[str]:
    """Which event each place, day or time belongs to, when a message has two events: "selling in Dallas and
    buying in Austin" is SELL@dallas and BUY@austin, not the other way round. An argument belongs to the nearest
    event before it in its sentence, or else the first one after it. Printed as "EVENT@argument"."""
    events = {t for t in present if t.removeprefix("!") in _BINDING_EVENTS}
    if len(events) < 2:
        return set()
    bound, current, waiting = set(), None, []
    for term in ordered:
        if term == "~SENTENCE":
            current, waiting = None, []
        elif term in events:
            current = term
            bound.update(f"{term}@{argument}" for argument in waiting)
            waiting = []
        elif term in present and _is_argument(term):
            if current is None:
                waiting.append(term)
            else:
                bound.add(f"{current}@{term}")
    return bound


def _is_argument(term: str) -> bool:
    base = term.removeprefix("!")
    return base.startswith(_BOUND_SLOT_PREFIXES) or (base[:1].islower() and "=" not in base and "<" not in base)


def _wants_of_negated(ordered: list[str]) -> list[str]:
    """"not looking for a condo" is "not a condo", "needs no repairs" is "no repairs": a want next before a
    negated thing (negated itself or not) adds nothing to it."""
    result = []
    for k, term in enumerate(ordered):
        if term in ("WANT", "!WANT"):
            following = next((t for t in ordered[k + 1:] if not t.startswith("~")), "")
            if following.startswith("!") and following != "!WANT":
                continue
        result.append(term)
    return result


# ---- order of events ------------------------------------------------------------------------------------------

def _order_events(ordered: list[str]) -> list[str]:
    """"we're buying before we sell" vs "selling before we buy": keep which of two events comes first."""
    result = list(ordered)
    for k, term in enumerate(ordered):
        if term not in _ORDER_WORDS:
            continue
        left = _nearest_event(reversed(ordered[:k]))
        right = _nearest_event(ordered[k + 1:])
        if left is None or right is None or ":" in left + right:
            continue
        first, second = (left, right) if term in _ORDER_FORWARD else (right, left)
        result[k] = f"{first}<{second}"
    return result


def _nearest_event(candidates) -> str | None:
    """The nearest event term in the same sentence."""
    for term in candidates:
        if term == "~SENTENCE":
            return None
        if not term.startswith(("~", ORDINAL_PREFIX)) and term not in _NOT_EVENTS:
            return term
    return None


# ---- canonical rules ------------------------------------------------------------------------------------------

def _canonical(present: set[str], cues: set[str], question: Question) -> set[str]:
    # A plan to have sold or moved is selling or moving: "the house has to be sold" is "we need to sell".
    for planned in present & _PLANNED_ACTIONS.keys():
        present.discard(planned)
        present.add(_PLANNED_ACTIONS[planned])
    # A loan status says there is a loan from a lender: "pre-approved by the bank" is "pre-approved", "an FHA
    # mortgage" is "FHA".
    if present & _SAYS_THE_LOAN or "YES" in present and question.restatable & _SAYS_THE_LOAN:
        present -= _LOANS_OF_A_STATUS
    for term in present & _SAID_BY.keys():
        present -= _SAID_BY[term]
    # Financing status implies a buyer; cash implies no mortgage.
    if present & _FINANCING_STATUSES or "FIRST_TIME_BUYER" in present:
        present.add("BUY")
    if "CASH" in present:
        present.discard("!MORTGAGE")
    # Moving for a job is a relocation.
    if "MOVE" in present and ("JOB" in present or "RELOCATE" in present):
        present.discard("MOVE")
        present.add("RELOCATE")
    # Selling or renting out is about one's own home; "my house" adds nothing to it.
    if present & _OWN_HOME_ROLES:
        present.discard("MY_HOME")
    if "ASAP" in present:
        present -= _SAID_BY_ASAP
    _wanting(present, cues)
    # Choosing one of the offered times already says yes.
    if any(t.startswith(PICK_PREFIX) for t in present):
        present.discard("YES")
    # Asking for a valuation, prices, fees or availability is a question however it is phrased.
    if present & _INFORMATION_REQUESTS:
        present.discard("ASK")
    # A greeting with a request or a fact is just politeness ("hi, saw your sign" stays a greeting).
    if any(not t.islower() for t in present - {"GREETING"}):
        present.discard("GREETING")
    # Opting out: "stop", "unsubscribe", "dont text me anymore" and nothing else.
    if present and present <= _OPT_OUT_ONLY and present & _OPT_OUT_TRIGGERS:
        present = {"OPT_OUT"}
    if "YES" in present and "NO" in present and question.yes_no:
        present.discard("YES")  # "ok but no": the refusal is the answer
    if "YES" in present and not question.yes_no and not question.options and any(
            not t.startswith(("!", "text:", "raw:")) and t not in ("YES", "ASK") for t in present):
        # "tomorrow morning works for me" after "when?": agreeing to what it states adds nothing to it; only a
        # yes/no question or a choice is answered by the yes itself
        present.discard("YES")
    present.discard("THEN")
    if present - _WEIGHTLESS:
        present -= _WEIGHTLESS
    _restated_topic(present, question)
    return present


def _restated_topic(present: set[str], question: Question) -> None:
    """A reply that repeats what an open question asks about adds nothing by repeating it ("When would you like
    to sell?" "we could list right away" says when, not that they sell): the question's own concepts are dropped
    from the reply when it says something else. Not after a yes/no question or a choice, where repeating one
    option is the answer, and never a negated term ("not selling until fall")."""
    if not question.text or question.yes_no or question.options:
        return
    restated = {t for t in present if t in question.restatable and t.isupper() and t != "ASK"}
    if restated and present - restated:
        present -= restated


def _wanting(present: set[str], cues: set[str]) -> None:
    """Wanting a home, a condo, land, so many bedrooms... is buying, unless renting or selling is said; and a
    want next to a role or a request ("looking to buy", "I want a valuation") is that role or request."""
    if "WANT" not in present:
        return
    wants_property = "~PROPERTY" in cues or present & _PROPERTY_TYPES or any(
        t.startswith(_PROPERTY_SLOT_PREFIXES) for t in present)
    if wants_property and not present & _WANT_NOT_BUYING:
        present.add("BUY")
    if present & _WANT_ABSORBED_BY:
        present.discard("WANT")
