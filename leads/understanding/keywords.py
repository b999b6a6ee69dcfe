"""SMS compliance keywords (data/keywords.toml): the one table of opt-out, opt-in and help words.

OPT_OUT, OPT_IN, OPT_IN_WHEN_OPTED_OUT and HELP are exact single words, lower case. OPT_OUT_MESSAGES is how the
extractor reads them: the whole messages, as tuples of words, that are an opt-out whatever else the lexicon
says of their words.
"""

from __future__ import annotations

from .data import DataError, load

_KEYWORDS = load("keywords.toml")
OPT_OUT: frozenset[str] = _KEYWORDS["opt_out"]
OPT_IN: frozenset[str] = _KEYWORDS["opt_in"]
OPT_IN_WHEN_OPTED_OUT: frozenset[str] = _KEYWORDS["opt_in_when_opted_out"]
HELP: frozenset[str] = _KEYWORDS["help"]

_EXTRACTOR = _KEYWORDS["extractor"]
for _key in ("opt_out_except", "opt_out_with_please"):
    if not _EXTRACTOR[_key] <= OPT_OUT:
        raise DataError(f"leads/understanding/data/keywords.toml: extractor.{_key}: "
                        f"{', '.join(sorted(_EXTRACTOR[_key] - OPT_OUT))} not in opt_out")
_EXTRACTOR_OPT_OUT = OPT_OUT - _EXTRACTOR["opt_out_except"]
OPT_OUT_MESSAGES: frozenset[tuple[str, ...]] = frozenset(
    {(word,) for word in _EXTRACTOR_OPT_OUT} | {(word, "please") for word in _EXTRACTOR["opt_out_with_please"]})
