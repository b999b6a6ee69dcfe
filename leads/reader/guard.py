"""Structural limits on what one text can move, whatever its wording (issue 12, prompt injection).

Patterns (injection.py) recognise the phrasings seen so far; these limits hold for phrasings not seen yet, because
they describe what a prospect's text is rather than what an attack says:

- shape: a person types sentences, not data. A text carrying markup, key=value or "label: value" fields, JSON,
  YAML, CSV, tables, code identifiers, chat-template tokens, encoded blobs or a document's many lines is measured
  by its characters, tokens and lines (no word lists) and sets no fact.
- language: the reader reads English and Spanish; a long text in another language or script states nothing it can
  read (the numbers in it would be guesses).
- voice: a prospect speaks of themselves. A text about "the lead" or "this contact", in the name of the office,
  relaying orders from anyone but the prospect's own people ("the office said to tell you"), or addressing the bot's machinery (scores, flags, records, its
  rules, "your system should ...") is not a prospect speaking; nor is one that reports what the team or the bot
  decided ("as your records will show", "your office did that already") or orders the process ("proceed
  accordingly", "tell your algorithm ..."). The vocabulary is data/guard.toml.

Each check answers the name of the limit the text is outside of, or "" for an ordinary text. The thresholds and
the vocabulary are data/guard.toml."""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections import Counter
from functools import lru_cache

from leads.reader.lexicon import BOUNDARY_AFTER, BOUNDARY_BEFORE, section
from leads.reader.lexicon import common_words
from leads.reader.text import INVISIBLE, fold_accents, normalise

# Emoticons are typed by people; their brackets and underscores are not structure.
EMOTICON = re.compile(r"<3+|>_<|\^_*\^|-_-|[oO0]_[oO0]|[tT]_[tT]|(?<!\w)[:;=8xX]['^-]?[)(\]\[DPpOo3|/\\*]+(?!\w)"
                      r"|(?<!\w)[)(\]\[][-^']?[:;=8](?!\w)")
# Links are typed (pasted) by people: a listing link is no blob, though its query string still counts as fields.
LINK = re.compile(r"(?:https?://|www\.)\S+|\b[\w-]+(?:\.[\w-]+)*\.(?:com|net|org|io|us|co|info|realty|homes)(?:/\S*)?",
                  re.IGNORECASE)
EMAIL = re.compile(r"\S+@\S+\.\w+")
MARKUP = re.compile(
    r"<\s*/?\s*[A-Za-z][\w:.-]*(?:\s[^<>]{0,200})?/?\s*>"   # <tag>, </tag>, <tag attr="...">
    r"|<!--|-->|<\||\|>|\{\{|\}\}|```"                       # comments, chat-template tokens, templates, fences
    r"|\[/?[A-Z][A-Z0-9_ ]{1,30}\]|\[/\w+\]"                 # [SYSTEM], [INST], [/b]
    r"|(?m:^\s*\[[^\]\n]{1,40}\])"                           # a bracketed header at a line start
    r"|(?m:^\s*#{2,})"                                       # markdown headings
    r"|\\[a-zA-Z]+\s*\{"                                     # \begin{...}
)
KEY_EQUALS = re.compile(r"[A-Za-z_][\w.\-]*\s*=\s*[\"'\w$\[{+-]")
TIGHT_KEY_EQUALS = re.compile(r"[A-Za-z_][\w.]*=[\"'\w$\[{]")
# "label: value": a label of one to three words (not a clock time, not a link's scheme).
LABEL_VALUE = re.compile(r"(?<![\w:/])([A-Za-z][\w'-]*(?:[ .][\w'-]+){0,2})\s*[:：]\s*(?=[\w$\"'\[{(+-])(?!//)")
JSON_KEY = re.compile(r"[\"'][\w .-]{1,40}[\"']\s*:")
DOTTED_LEADER = re.compile(r"\w\s*\.{4,}\s*\w")
SEPARATOR = re.compile(r"-{4,}|={3,}|_{3,}|\*{3,}|~{3,}|#{3,}")
QUOTED_LINE = re.compile(r"(?m)^\s*>(?!\s*\d)")
# A list: "1) cash 2) 3 days", numbered lines, or lines that start with a bullet or an emoji instead of a word.
LIST_ITEM = re.compile(r"(?:^|\s)\(?\d{1,2}\)\s|(?m:^\s*\d{1,2}[.)]\s)|\s[-–—]\s")
BULLET_LINE = re.compile(r"(?m)^\s*[^\w\s\"'(¿¡$]")
# "Step 1 ... Step 2 ... Step 3": one word numbered again and again.
NUMBERED_WORD = re.compile(r"\b([A-Za-z]+)\s+1\b.*\b\1\s+2\b.*\b\1\s+3\b", re.DOTALL | re.IGNORECASE)
QUOTED_VALUE = re.compile(r"[A-Za-z]\s+\"[^\"]{1,40}\"")
# A ticket or code token: "HOT-4471", "OVR-2207" (a road such as "I-35" or "FM-1960" has fewer letters).
CODE_TOKEN = re.compile(r"\b[A-Z]{3,}-\d{3,}\b")
SNAKE_CASE = re.compile(r"\b[a-zA-Z]+_[a-zA-Z0-9_]+\b")
CAMEL_CASE = re.compile(r"\b[a-z]{2,}[A-Z][a-z]+")
DOTTED_IDENTIFIER = re.compile(r"\b[a-zA-Z_]+\.[a-zA-Z_]+\s*(?:=|\(|:)")
CALL = re.compile(r"\b[A-Za-z_][\w.]*\([^()\n]*[=\"',][^()\n]*\)")
STATEMENT_END = re.compile(r";\s*(?:$|--|\n)", re.MULTILINE)
CSV_COMMA = re.compile(r"(?<!\d),(?=[^\s,\d])|(?<=[^\s,\d]),(?=\d)")
BASE64ISH = re.compile(r"[A-Za-z0-9+/]+={0,2}")
HEX_RUN = re.compile(r"\b[0-9a-fA-F]{16,}\b")
BINARY_BYTES = re.compile(r"(?:\b[01]{7,8}\b\s*){3,}")
PERCENT_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")
BACKSLASH_ESCAPE = re.compile(r"\\(?:x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|n|t|\")")


def _settings(name: str) -> dict:
    return section("guard", name)


def _raw(text: str) -> str:
    """The text as typed, with one form of letters (full-width become plain) and no invisible characters; case,
    punctuation and line breaks are kept, because they are what the shape is measured by."""
    return INVISIBLE.sub("", unicodedata.normalize("NFKC", str(text or "")[:2000]))


# --- shape ---------------------------------------------------------------------------------------------------


def _field_pairs(raw: str) -> int:
    """How many key=value and label: value pairs the text holds, once links and emails are set aside."""
    prose = EMAIL.sub(" ", raw)
    links = LINK.findall(prose)
    prose = LINK.sub(" ", prose)
    pairs = len(KEY_EQUALS.findall(prose)) + len(LABEL_VALUE.findall(prose)) + len(JSON_KEY.findall(prose))
    # A link's query string is fields too ("?price=750000&when=now").
    pairs += sum(len(TIGHT_KEY_EQUALS.findall(link.split("?", 1)[1])) for link in links if "?" in link)
    return pairs


SLASHED_WORD = re.compile(r"[A-Za-z][a-z]+|[A-Z]{2,}")


def _is_blob(token: str, length: int) -> bool:
    """A long unbroken run of letters and digits that reads as an encoding (base64, hex), not a word or a number."""
    if len(token) < length or not BASE64ISH.fullmatch(token):
        return False
    if all(SLASHED_WORD.fullmatch(part) for part in token.split("/")):
        return False  # words typed with slashes between them ("Alpharetta/Milton/Johns"), no encoding
    has_digit, has_letter = any(c.isdigit() for c in token), any(c.isalpha() for c in token)
    mixed_case = any(c.isupper() for c in token[1:]) and any(c.islower() for c in token)
    return (has_digit and has_letter) or mixed_case or "+" in token or "/" in token or token.endswith("=")


def _known_share(text: str) -> tuple[float, int]:
    words = [word for word in re.findall(r"[^\W\d_]+", fold_accents(normalise(text))) if len(word) >= 2]
    return (sum(word in _known_words() for word in words) / len(words) if words else 0.0), len(words)


def _reads_once_decoded(text: str, limits: dict) -> bool:
    """rot13 or reversed text: unreadable as typed, English or Spanish once decoded."""
    typed, count = _known_share(text)
    if count < limits["decoded_words_at_least"] or typed >= limits["typed_known_share_below"]:
        return False
    decodings = (codecs.decode(str(text), "rot13"), str(text)[::-1])
    return any(_known_share(decoded)[0] >= limits["decoded_known_share_at_least"] for decoded in decodings)


def _mixes_scripts(token: str) -> bool:
    """Latin letters and look-alikes from another script in one word ("Тhіs"): no keyboard types that."""
    scripts = {unicodedata.name(c, "?").split()[0] for c in token if c.isalpha()}
    return "LATIN" in scripts and len(scripts) > 1


def _other_letters_in_latin_text(raw: str, at_least: int) -> bool:
    """A Latin-letter text with a few letters of another script in it ("请 mark me cash ... 现在"): the reader reads
    English and Spanish, and a second alphabet in one text hides what the text says in it."""
    scripts = [unicodedata.name(c, "?").split()[0] for c in raw if c.isalpha()]
    other = sum(script != "LATIN" for script in scripts)
    return at_least <= other < len(scripts) and "LATIN" in scripts


def shape_kind(text: str) -> str:
    """"markup", "machine_characters", "fields", "code", "encoded", "mixed_script", "symbols" or "layout" when the
    text is built like data, markup or code rather than typed as a message; "" otherwise."""
    limits = _settings("shape")
    disguised = sum(c.isalnum() and unicodedata.normalize("NFKC", c) != c for c in str(text or "")[:2000])
    if disguised >= limits["compatibility_letters_at_least"]:
        return "encoded"
    raw = _raw(text)
    if MARKUP.search(raw):
        return "markup"
    bare = EMOTICON.sub(" ", LINK.sub(" ", EMAIL.sub(" ", raw)))
    machine = [c for c in bare if c in limits["machine_characters"]]
    adjacent = re.search("[" + re.escape(limits["machine_characters"]) + "]{2}", bare)
    if (len(machine) > limits["machine_characters_at_most"] or adjacent
            or any(c in limits["never_typed"] for c in bare)):
        return "machine_characters"
    if _field_pairs(raw) > limits["field_pairs_at_most"] or DOTTED_LEADER.search(raw) and raw.count("\n") >= 1:
        return "fields"
    if (SNAKE_CASE.search(bare) or CAMEL_CASE.search(bare) or DOTTED_IDENTIFIER.search(bare) or CALL.search(bare)
            or STATEMENT_END.search(bare)):
        return "code"
    lines = [line for line in raw.splitlines() if line.strip()]
    # Columns: commas with no space after them, or a tab (pasted from a spreadsheet; a phone keyboard types none).
    if any(len(CSV_COMMA.findall(line)) >= 2 or re.search(r"\S\t+\S", line) for line in lines):
        return "fields"
    tokens = bare.split()
    if (any(_is_blob(token.strip(".,;:!?\"'()"), limits["blob_length"]) for token in tokens)
            or HEX_RUN.search(bare) or BINARY_BYTES.search(bare) or len(PERCENT_ESCAPE.findall(raw)) >= 2
            or BACKSLASH_ESCAPE.search(raw)):
        return "encoded"
    if any(_mixes_scripts(token) for token in tokens) or _other_letters_in_latin_text(
            raw, limits["other_script_letters_in_latin_text"]):
        return "mixed_script"
    letters = sum(c.isalpha() for c in unicodedata.normalize("NFD", raw))
    marks = sum(unicodedata.category(c) == "Mn" for c in unicodedata.normalize("NFD", raw))
    if marks >= limits["combining_marks_at_least"] and marks >= limits["combining_marks_share"] * max(letters, 1):
        return "encoded"
    symbols = [token for token in tokens if not any(c.isalnum() for c in token)]
    if len(symbols) >= limits["symbol_tokens_at_least"] and len(symbols) >= limits["symbol_token_share"] * len(tokens):
        return "symbols"
    quoted = len(QUOTED_LINE.findall(raw))
    if len(lines) > limits["lines_at_most"] or SEPARATOR.search(raw) or quoted >= 2 or quoted and len(lines) > 1:
        return "layout"
    if max(len(LIST_ITEM.findall(raw)), len(BULLET_LINE.findall(raw))) > limits["list_items_at_most"]:
        return "layout"
    # The same symbol between words again and again ("cash ✅ 4 days ✅ agent ✅"), or numbered steps.
    if any(count > limits["list_items_at_most"] for count in Counter(symbols).values()) or NUMBERED_WORD.search(raw):
        return "layout"
    if len(QUOTED_VALUE.findall(raw)) > limits["quoted_values_at_most"]:
        return "fields"
    if CODE_TOKEN.search(raw):
        return "code"
    if raw.count(";") > limits["semicolons_at_most"]:
        return "code"
    if _reads_once_decoded(text, limits):
        return "encoded"
    spelled = re.findall(rf"(?<!\w){_alternatives(limits['spelled_punctuation'])}(?!\w)", fold_accents(normalise(text)))
    if len(spelled) > limits["spelled_punctuation_at_most"]:
        return "code"
    letter = _alternatives(limits["spelling_alphabet"])
    run = limits["spelling_alphabet_at_least"] - 1
    if re.search(rf"(?<!\w){letter}(?:[\s,.-]+{letter}){{{run},}}(?!\w)", normalise(text)):
        return "encoded"
    return ""


# --- language ------------------------------------------------------------------------------------------------


def language_kind(text: str) -> str:
    """"other_script" or "other_language" when a long text is written in something the reader does not read."""
    limits = _settings("language")
    letters = [c for c in _raw(text) if c.isalpha()]
    other = [c for c in letters if not unicodedata.name(c, "").startswith("LATIN")]
    if (len(other) >= limits["other_script_letters_at_least"]
            and len(other) >= limits["other_script_share"] * len(letters)):
        return "other_script"
    words = [word for word in re.findall(r"[^\W\d_]+", fold_accents(normalise(text))) if len(word) >= 2]
    if len(words) >= limits["words_at_least"]:
        known = sum(word in _known_words() for word in words)
        if known < limits["known_share_below"] * len(words):
            return "other_language"
    return ""


@lru_cache(maxsize=1)
def _known_words() -> frozenset[str]:
    from leads.reader.language import ENGLISH, SPANISH

    return common_words() | ENGLISH | SPANISH


# --- voice ---------------------------------------------------------------------------------------------------


def _alternatives(words: list[str]) -> str:
    return "(?:" + "|".join(sorted(words, key=len, reverse=True)) + ")"


@lru_cache(maxsize=1)
def _voice_patterns() -> dict[str, re.Pattern]:
    voice = _settings("voice")
    roles = _alternatives(voice["role_nouns"])
    said = _alternatives([re.escape(word) for word in voice["said_about"]])
    orders = _alternatives(voice["orders"])
    nouns = _alternatives(voice["machinery_nouns"])
    owned = _alternatives(voice["own_rules_nouns"])
    determiners = _alternatives(voice["machinery_determiners"])
    # "the lead is", "this contact's", "mark the lead"; a word after the noun that says nothing about it
    # ("the lead paint") does not count.
    about_role = (rf"(?:{_alternatives(voice['role_determiners'])}) {roles}(?:'s|\s+{said}\b|\s*[,.:;!?)]|\s*$)"
                  rf"|(?:{_alternatives(voice['pointing_determiners'])}) (?:buyer|seller|buyers|sellers)\b"
                  rf"(?:'s|\s+{said}\b|\s*[,.:;!?)]|\s*$)"
                  rf"|\b{orders} (?:{_alternatives(voice['role_determiners'])}) {roles}\b"
                  rf"|\b{orders} (?:(?:{_alternatives(voice['role_determiners'])}) )?"
                  rf"{_alternatives(voice['role_objects'])}\b")
    # The data's patterns name the role nouns and the bot's own rules by placeholder, to list each once.
    sender_outside = "|".join(pattern.replace("{role_nouns}", roles).replace("{orders}", orders)
                              for pattern in voice["sender_from_outside"])
    modifiers = r"(?:(?:lead|contact|lead's|contact's|internal|hidden|crm|opt-out|handoff|routing|system) )?"
    machinery = (rf"{_alternatives(voice['machinery_always'])}"
                 rf"|\b{orders} (?:me |us )?{determiners} {modifiers}{nouns}\b"
                 rf"|{'|'.join(pattern.replace('{own_rules_nouns}', owned) for pattern in voice['own_rules'])}"
                 rf"|\b(?:your|the|tu|el|la|su) {_alternatives(voice['bot_actors'])} "
                 rf"{_alternatives(voice['bot_modals'])}\b"
                 rf"|\b(?:your|tu|su) {_alternatives(voice['bot_actors_yours'])} {_alternatives(voice['bot_modals'])}\b"
                 rf"|{voice['note_to_bot']}|{voice['classify_probe']}|{voice['storage']}|{voice['tell_others']}"
                 rf"|{voice['trigger']}"
                 rf"|{'|'.join(voice['bot_acts'])}")
    compiled = {
        "third_person": about_role + "|" + "|".join(voice["spanish_third_person"]) + "|" + sender_outside,
        "relayed": "|".join(voice["relayed"]),
        "standing": "|".join(voice["standing"] + voice["staff_claim"]),
        "history_claim": "|".join(voice["history_claims"]),
        "process_order": "|".join(voice["process_orders"]),
        "memo": "|".join(voice["memo"]).replace("{own_people}", _alternatives(voice["own_people"])),
        "machinery": machinery,
    }
    return {name: re.compile(BOUNDARY_BEFORE + "(?:" + body + ")" + BOUNDARY_AFTER if name != "memo" else body,
                             re.MULTILINE) for name, body in compiled.items()}


def voice_kind(text: str) -> str:
    """"third_person", "relayed", "standing", "history_claim", "process_order", "memo" or "machinery" when the text
    is not a prospect speaking for themselves to the assistant; "" otherwise."""
    raw = _raw(text)
    letters = [c for c in raw if c.isalpha()]
    shouting = sum(c.isupper() for c in letters) > 0.6 * len(letters)  # "THE HVAC SYSTEM IS NEW" is shouting
    capitals = _settings("voice")["role_in_capitals"]
    if not shouting and re.search(rf"(?<![^\W\d_]){_alternatives(capitals)}(?![^\W\d_])", raw):
        return "machinery"
    plain = fold_accents(normalise(text))
    for name, pattern in _voice_patterns().items():
        for match in pattern.finditer(plain):
            if name != "relayed" or not _relayed_by_own_people(plain[:match.start()]):
                return name
    return ""


def _relayed_by_own_people(before: str) -> bool:
    """Whether the words before a relayed order name the prospect's own people ("my wife said to tell you")."""
    own = _alternatives(_settings("voice")["own_people"])
    owner = r"\b(?:my|mi|our|nuestro|nuestra|nuestros)(?: \w+)?"
    return re.search(rf"{owner} {own}(?:'s)?(?: \w+){{0,2}} ?$", before) is not None


@lru_cache(maxsize=4096)
def limit_kind(text: str) -> str:
    """The first limit the text is outside of ("shape:fields", "voice:third_person", "language:other_script"), or
    "" for a text a prospect could have typed about themselves."""
    for family, check in (("shape", shape_kind), ("language", language_kind), ("voice", voice_kind)):
        kind = check(text)
        if kind:
            return f"{family}:{kind}"
    return ""


# --- answers -------------------------------------------------------------------------------------------------


def stated_kind(values: list[str]) -> str:
    """The first limit one of a facts answer's word values (a name, an address, an area, a motivation) is outside
    of: an answer that carries a value shaped like data or spoken about "the lead" was steered by its text, whoever
    read it (the offline reader or the model). "" when every value is plain."""
    for value in values:
        for family, check in (("shape", shape_kind), ("voice", voice_kind)):
            kind = check(value)
            if kind:
                return f"{family}:{kind}"
    return ""


def name_in_text(name: str, text: str) -> bool:
    """Whether the text itself gives the name (its first word, in any case or accents): a name the model read out of
    an encoded or quoted payload, or made up, is not the prospect introducing themselves."""
    first = fold_accents(normalise(name)).split()
    return bool(first) and re.search(rf"(?<!\w){re.escape(first[0])}(?!\w)", fold_accents(normalise(text))) is not None


def speaks_of_the_prospect(text: str, *, name: str = "", lead_type: str = "") -> bool:
    """Whether the text speaks of the prospect as someone else would: their own name as a sentence's subject
    ("Jordan wants 950k and is out in 5 days"), or their own role ("the seller accepts 850k" from a seller). A
    person does not write about themselves that way; "Jordan here", "this is Jordan" and a buyer's "the seller
    sent us his contract" are ordinary. `name`, `lead_type`: what the contact is known by."""
    voice = _settings("voice")
    plain = fold_accents(normalise(text))
    follows = _alternatives([re.escape(word) for word in voice["name_as_subject"]])
    subjects = list(voice["own_role_nouns"].get(lead_type, []))
    first = fold_accents(normalise(name)).split()
    if first:
        subjects.append(re.escape(first[0]))
    if not subjects:
        return False
    introduced = re.compile(rf"(?:^|\W)(?:{_alternatives([re.escape(w) for w in voice['introductions']])})\W*$")
    for match in re.finditer(rf"(?<!\w){_alternatives(subjects)}(?:'s|\s+{follows})(?!\w)", plain):
        if not introduced.search(plain[:match.start()]):
            return True
    return False
