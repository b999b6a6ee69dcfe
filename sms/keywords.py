"""Twilio's reserved SMS keywords: exact single-word matches after trimming and case-folding, so "don't stop",
"weekend" or "yesterday" are ordinary messages."""

from leads.models import Keyword

OPT_OUT_WORDS = frozenset({"stop", "stopall", "unsubscribe", "cancel", "end", "quit", "revoke", "optout"})
OPT_IN_WORDS = frozenset({"start", "unstop"})
HELP_WORDS = frozenset({"help", "info"})
# Twilio's Advanced Opt-Out tells us what it matched in the OptOutType parameter.
OPT_OUT_TYPES = {"STOP": Keyword.OPT_OUT, "START": Keyword.OPT_IN, "HELP": Keyword.HELP}


def classify_keyword(body: str, *, opted_out: bool, opt_out_type: str = "") -> str:
    if opt_out_type:
        return OPT_OUT_TYPES.get(opt_out_type.strip().upper(), Keyword.NONE)
    word = (body or "").strip().casefold()
    if word in OPT_OUT_WORDS:
        return Keyword.OPT_OUT
    if word in OPT_IN_WORDS or (word == "yes" and opted_out):
        return Keyword.OPT_IN
    if word in HELP_WORDS:
        return Keyword.HELP
    return Keyword.NONE
