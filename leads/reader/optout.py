"""Consent revoked in any reasonable words: the keywords once punctuation, emoji and spaces are trimmed ("Stop.",
"STOP!!", "stop 🙏"), and wording such as "please stop texting me", "remove me from your list", "leave me alone",
"no más", "wrong number, don't text me". Look-alikes ("don't stop", "the bus stop", "stop by the open house?")
are not opt-outs. The tables are data/optout.toml; the same ones serve the SMS keywords."""

from __future__ import annotations

import re

from leads.reader.lexicon import patterns, table
from leads.reader.text import fold_accents, normalise
from leads.understanding import keywords


def trimmed(text: str) -> str:
    """The text without punctuation, symbols and emoji around or between its words: "STOP!!" -> "stop"."""
    kept = re.sub(r"[^\w\s'-]", " ", fold_accents(normalise(text)))
    return " ".join(kept.replace("_", " ").split())


def keyword(text: str) -> str:
    """"opt_out", "opt_in", "help" when the whole text, trimmed, is one of those keywords; "" otherwise."""
    word = trimmed(text)
    for kind, exact, key in (("opt_out", keywords.OPT_OUT, "keywords"), ("opt_in", keywords.OPT_IN, "opt_in_keywords"),
                             ("help", keywords.HELP, "help_keywords")):
        if word in exact or patterns("optout", key).fullmatch(word):
            return kind
    return ""


PHONE_NUMBER = re.compile(r"\+?\d[\d\s().-]{8,}\d")


def _digits(number: str) -> str:
    return re.sub(r"\D", "", number)[-10:]


def _about_other_numbers(plain: str, sender: str) -> bool:
    """The text names phone numbers and none is the sender's own: "opt out +1555..." is then about someone else
    (only that number's owner can revoke its consent). A text naming no number, or the sender's, is the sender's."""
    named = {_digits(match.group(0)) for match in PHONE_NUMBER.finditer(plain)}
    return bool(named) and bool(sender) and _digits(sender) not in named


def revokes(text: str, *, sender: str = "") -> bool:
    """Whether the text asks us to stop texting, in any reasonable words. `sender`: the number it came from, so an
    order to opt out other numbers ("opt out +15551234567") is not read as the sender's own opt-out."""
    if keyword(text) == "opt_out":
        return True
    plain = fold_accents(normalise(text))
    cleared = patterns("optout", "not_opt_out").sub(" ", plain)
    if _about_other_numbers(plain, sender):
        cleared = patterns("optout", "about_a_number").sub(" ", cleared)
    if patterns("optout", "phrases").search(cleared):
        return True
    # "Stop." closing a longer text ("not interested. Stop.") is as clear as the keyword alone.
    return bool(re.search(r"(?:^|[.!,;]\s*)(?:please\s+|pls\s+)?(?:stop|unsubscribe|baja|alto)\s*[.!]*\s*$", cleared))


def confirmation(language: str) -> str:
    texts = table("optout")["confirmation"]
    return texts.get(language) or texts["en"]
