"""The compliance keywords of an inbound SMS, decided before any bot reads it.

Twilio itself answers its default keywords sent as exactly one word (STOP, STOPALL, UNSUBSCRIBE, CANCEL, END,
QUIT, REVOKE, OPTOUT; START, UNSTOP; HELP, INFO; https://www.twilio.com/docs/messaging/tutorials/advanced-opt-out)
and, with Advanced Opt-Out, tells us what it matched in OptOutType. Everything else that revokes consent (the
keywords with punctuation or emoji, "please stop texting me", "no más") is ours to honour and to confirm once:
the table of words and phrases is leads/reader/data/optout.toml, shared with the bots' reading of a text.
"""

from __future__ import annotations

from dataclasses import dataclass

from leads.models import Keyword
from leads.reader import optout
from leads.understanding import keywords

# What Twilio matches and confirms on its own: the whole body, one word, any case (leads/understanding/data/
# keywords.toml, the one table of these words).
TWILIO_OPT_OUT = keywords.OPT_OUT
TWILIO_OPT_IN = keywords.OPT_IN
TWILIO_HELP = keywords.HELP
# Twilio's Advanced Opt-Out tells us what it matched in the OptOutType parameter.
OPT_OUT_TYPES = {"STOP": Keyword.OPT_OUT, "START": Keyword.OPT_IN, "HELP": Keyword.HELP}


@dataclass(frozen=True)
class KeywordMatch:
    keyword: str             # a Keyword value, "" for an ordinary text
    confirmed_by_twilio: bool  # Twilio already answered it; we send no confirmation of our own


def classify_keyword(body: str, *, opted_out: bool, opt_out_type: str = "", sender: str = "") -> KeywordMatch:
    if opt_out_type:
        return KeywordMatch(OPT_OUT_TYPES.get(opt_out_type.strip().upper(), Keyword.NONE), True)
    word = (body or "").strip().casefold()
    if word in TWILIO_OPT_OUT:
        return KeywordMatch(Keyword.OPT_OUT, True)
    if word in TWILIO_OPT_IN or (word in keywords.OPT_IN_WHEN_OPTED_OUT and opted_out):
        return KeywordMatch(Keyword.OPT_IN, True)
    if word in TWILIO_HELP:
        return KeywordMatch(Keyword.HELP, True)
    if optout.revokes(body, sender=sender):
        return KeywordMatch(Keyword.OPT_OUT, False)
    kind = optout.keyword(body)
    if kind == "opt_in" and opted_out:
        return KeywordMatch(Keyword.OPT_IN, False)
    if kind == "help":
        return KeywordMatch(Keyword.HELP, False)
    return KeywordMatch(Keyword.NONE, False)
