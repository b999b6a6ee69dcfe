"""A first name the prospect gives: the answer to "who am I texting with?" ("its jake", "mike lol", "Priya here",
"SSgt Ramirez lol. Carlos") or an introduction anywhere ("Hi, I'm Dana and ...", "soy Lupe", "me llamo Ricardo").

Never a keyword, a greeting or an everyday word ("Stop." is not a name, nor is "looking" in "I'm looking"); written
as people write names (first letter capital), so "its jake" gives "Jake".
"""

from __future__ import annotations

import re

from leads.reader.lexicon import common_words, first_names, patterns, section
from leads.reader.optout import keyword as optout_keyword
from leads.reader.text import fold_accents

NAME_WORD = r"[a-zñáéíóúü][a-zñáéíóúü'\-]{1,29}"
# A whole word, not letters glued to a number ("2br", "3bd", "301k" are units, never names).
NAME_TOKEN = rf"(?<!\d){NAME_WORD}(?![\w])"


def _capitalised(word: str) -> str:
    return "-".join(part[:1].upper() + part[1:] for part in word.split("-"))


# Word endings of verbs and adverbs ("retiring", "relocated", "honestly", "buscando"), which names rarely have.
NOT_NAME_ENDING = re.compile(r"(?:ing|in'|ly|ando|iendo)$|^.{4,}ed$")


def _is_name(word: str, *, capitalised: bool = False) -> bool:
    """Whether a word can be a first name; one the prospect capitalised mid-sentence ("im Will") may also be an
    everyday word, as long as it is not a word that holds a sentence together."""
    bare = word.strip("'-").lower()
    if capitalised and bare in first_names():
        return not optout_keyword(bare)
    return (len(bare) >= 2 and bare not in common_words() and not bare.isdigit() and not NOT_NAME_ENDING.search(bare)
            and bare not in {w.lower() for w in section("lexicon", "names")["titles"]}
            and not optout_keyword(bare))


# After a weak introduction ("it's", "I'm", "soy", "habla") a name ends the phrase ("ok fine its Darnell", "buy, its
# Tasha", "Hi, I'm Dana and ..."); "its worth honestly" or "I'm retiring to Arizona" are not introductions.
NAME_END = re.compile(r"\s*(?:$|[.,!?;:)]|\s(?:and|y|here|aqui|lol|haha|jaja|from|de|btw|again)\b)")


def _written_capitalised(word: str, original: str, position: int) -> bool:
    """Whether the prospect wrote `word` with a capital, not merely because it opens the text."""
    capital = word[:1].upper() + word[1:]
    for match in re.finditer(rf"(?<![A-Za-zÀ-ÿ]){re.escape(capital)}(?![a-zà-ÿ])", original):
        if match.start() > 0 and not re.fullmatch(r"\W*", original[:match.start()]):
            return True
    return False


IT_IS = re.compile(r"it'?s")


def introduced_name(text: str, original: str = "") -> str:
    """A name after "I'm", "this is", "it's", "my name is", "soy", "me llamo"... anywhere in the text."""
    intro = patterns("lexicon", "names", "intro")
    strong = patterns("lexicon", "names", "strong_intro")
    for match in re.finditer(intro.pattern + rf"\s+(?P<title>(?:{'|'.join(section('lexicon', 'names')['titles'])})\b)?\.?\s*"
                             rf"(?P<name>{NAME_WORD})", text):
        # "this is Dr. Patel": after a title the name is a surname, and the title says it is a name.
        said_clearly = strong.fullmatch(text[match.start():match.start("name")].strip(" .")) or match.group("title")
        known_name = match.group("name").lower() in first_names()
        capitalised = _written_capitalised(match.group("name"), original, match.start("name"))
        if IT_IS.fullmatch(text[match.start():match.start("name")].strip()) and not (known_name or capitalised) and (
                patterns("lexicon", "seller", "condition").match(fold_accents(text[match.start():]))):
            continue  # "its rough", "it's damaged": a description of the home, not who is texting
        if _is_name(match.group("name"), capitalised=capitalised) and (
                said_clearly or known_name or NAME_END.match(text[match.end():])):
            return _with_second_name(match.group("name"), text[match.end():])
    after = patterns("lexicon", "names", "after")
    # "Priya here", "Linda Foster here": a first name (and a surname) before "here".
    for match in re.finditer(rf"(?:^|[.!,]\s*)(?P<name>{NAME_WORD})(?:\s+{NAME_WORD})?\s+" + after.pattern, text):
        if _is_name(match.group("name")):
            return _capitalised(match.group("name"))
    return ""


def answered_name(text: str, original: str = "") -> str:
    """The name in an answer to the name question: an introduction, else the first name-like word of a short
    answer ("mark", "sunny :)", "ok fine, Tony", "Bill Hendricks"), skipping titles and a surname after one."""
    named = introduced_name(text, original)
    if named:
        return named
    if QUESTION.search(text):
        return ""  # "is this a real person or AI?", "why do u need my name": no name given
    alone = re.fullmatch(rf"\W*({NAME_WORD})\W*(?:here|lol|haha|jaja|:\)|!)*\W*", text)
    if alone and alone.group(1) in first_names():  # "Will", "June": a known first name given alone
        return _capitalised(alone.group(1))
    sentences = [s for s in re.split(r"[.!?;]\s*", text) if s.strip()]
    # "SSgt Ramirez lol. Carlos": a sentence that is one name wins over a title and surname before it.
    for sentence in reversed(sentences):
        words = re.findall(NAME_TOKEN, sentence)
        if len(words) == 1 and _is_name(words[0]) and len(sentences) > 1 and _has_title(sentences[0]):
            return _capitalised(words[0])
    words = re.findall(NAME_TOKEN, text)
    if not 1 <= len(words) <= 6:
        return ""
    titles = {w.lower() for w in section("lexicon", "names")["titles"]}
    for index, word in enumerate(words):
        if word.lower() in titles:
            continue
        # In a longer reply ("talking to a lender rn, nothing official") a word is a name only when it is a known
        # first name or the prospect capitalised it.
        plausible = len(words) <= 2 or word in first_names() or _written_capitalised(word, original, 0)
        if _is_name(word) and plausible and not (index and words[index - 1].lower() in titles):
            return _with_second_name(word, text[text.find(word) + len(word):])
    return ""


def _with_second_name(first: str, rest: str) -> str:
    """A compound first name ("Ana Lucia Torres" -> "Ana Lucia", "me llamo María José"): a second known first
    name right after the first one belongs to it."""
    second = re.match(rf"\s+({NAME_WORD})(?![\w])", rest)
    if second and fold_accents(first.lower()) in first_names() and fold_accents(second.group(1)) in first_names() and (
            _is_name(second.group(1))):
        return f"{_capitalised(first)} {_capitalised(second.group(1))}"
    return _capitalised(first)


QUESTION = re.compile(r"\?\s*$|^(?:why|what|who|how|is this|are you|are u|do i|por que|para que|quien)\b")


def late_name(text: str, original: str = "") -> str:
    """A name given on its own after another question, when none is known yet ("ok fine, Tony", "Meredith",
    "Becca. we're pre approved"): a known first name, alone in its sentence or after a filler, or a word the
    prospect capitalised as a name ("Beto", a nickname the census list lacks)."""
    fillers = patterns("lexicon", "names", "late_fillers").pattern
    seasons_and_months = patterns("lexicon", "names", "late_name_not")
    # "St. Cloud", "Mt. Juliet": the point of an abbreviation ends no sentence.
    sentences = [sentence for sentence in re.split(r"(?<!\bst)(?<!\bmt)(?<!\bft)(?<!\bdr)(?<!\bmr)(?<!\bms)(?<!\bmrs)"
                                                   r"(?<!\bcol)(?<!\bnum)(?<!\bnúm)(?<!\bav)(?<!\bave)(?<!\bapt)"
                                                   r"[.!?;]\s*", text.strip(), flags=re.IGNORECASE) if sentence]
    # The first sentences, or the last one as a signature ("... rent the others. Kevin O'Brien").
    for sentence in sentences[:2] + sentences[-1:]:
        match = re.fullmatch(rf"\W*(?:(?:{fillers})[\s,.!]+)*(?P<name>{NAME_WORD})(?:\s+{NAME_WORD})?"
                             rf"(?:[\s,.!]+(?:{fillers}))*\W*", sentence)
        if not match or seasons_and_months.fullmatch(match.group("name")):
            continue
        known = match.group("name") in first_names()
        if (known or _capitalised_alone(match.group("name"), original)) and _is_name(match.group("name")):
            return _capitalised(match.group("name"))
    return ""


def _capitalised_alone(word: str, original: str) -> bool:
    """Whether the prospect wrote `word` capitalised as a sentence of its own ("Beto", "Becca. we're ...")."""
    capital = re.escape(word[:1].upper() + word[1:])
    return bool(original) and bool(re.search(rf"(?:^|(?<!\bSt)(?<!\bMt)(?<!\bFt)(?<!\bst)(?<!\bmt)(?<!\bft)[.!?;]\s*)\W*"
                                             rf"{capital}\W*(?:$|[.!?;])", original.strip()))


def _has_title(sentence: str) -> bool:
    titles = {w.lower() for w in section("lexicon", "names")["titles"]}
    return any(word.lower() in titles for word in re.findall(NAME_TOKEN, sentence))


def bare_name(text: str) -> str:
    """A text that is only a first name ("Nick", "Dana") when no question was pending: a known first name."""
    words = re.findall(NAME_TOKEN, text)
    if 1 <= len(words) <= 2 and words[0] in first_names() and _is_name(words[0]) and len(text) <= 30:
        return _capitalised(words[0])
    return ""
