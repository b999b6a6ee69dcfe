"""Normalising an SMS before it is read: one form of letters, quotes and spaces, lowercase, accents kept apart."""

from __future__ import annotations

import re
import unicodedata

MAX_INPUT_CHARS = 2000  # SMS bodies are at most 1,600 characters; longer input is cut, never an error
# Characters that carry nothing visible (zero-width spaces and joiners, the BOM, bidi marks): attackers and
# keyboards insert them inside words.
INVISIBLE = re.compile("[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
QUOTES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'", "“": '"', "”": '"', "–": "-", "—": "-"})
WORD = re.compile(r"[a-z0-9ñ]+(?:['’][a-z]+)?")


def normalise(text: str) -> str:
    """NFKC (full-width letters and ligatures become plain ones), invisible characters removed, straight quotes,
    lowercase, one space between words."""
    text = unicodedata.normalize("NFKC", str(text or "")[:MAX_INPUT_CHARS])
    text = INVISIBLE.sub("", text).translate(QUOTES).lower()
    return " ".join(text.split())


def fold_accents(text: str) -> str:
    """'más' -> 'mas', 'año' stays 'año' (ñ is a letter of its own in Spanish)."""
    kept = text.replace("ñ", "\0")
    folded = "".join(c for c in unicodedata.normalize("NFD", kept) if unicodedata.category(c) != "Mn")
    return folded.replace("\0", "ñ")


def words(text: str) -> list[str]:
    return WORD.findall(text)


def clauses(text: str) -> list[str]:
    """A text split where a new thought starts: sentence ends, semicolons, and contrast or correction words."""
    parts = re.split(r"(?<=[.!?;])\s+|\s*(?:,\s*)?\b(?:but|pero|actually|although|though)\b\s*", text)
    return [part.strip(" ,") for part in parts if part and part.strip(" ,")]


def place_key(name: str) -> str:
    """A place's name as names are compared: case folded, abbreviation points and spacing ignored ("St. Pete" and
    "st pete" are one name)."""
    return " ".join(name.casefold().replace(".", " ").split())
