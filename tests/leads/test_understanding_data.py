"""The extractor's data files: a broken table stops the import with the file and the key in the message, and
the SMS keyword table is exposed as sets. No database, no network."""

from __future__ import annotations

import shutil

import pytest

from leads.understanding import data, keywords


@pytest.fixture(autouse=True)
def empty_test_redis():
    """These tests use neither Redis nor the database: the suite's autouse Redis flush is not needed here."""
    yield


@pytest.fixture
def data_copy(tmp_path, monkeypatch):
    """A copy of data/ that a test may break; the loader's caches are bypassed."""
    copy = tmp_path / "data"
    shutil.copytree(data.DATA_DIR, copy)
    monkeypatch.setattr(data, "DATA_DIR", copy)
    data.load.cache_clear()
    data.known_concepts.cache_clear()
    yield copy
    monkeypatch.undo()
    data.load.cache_clear()
    data.known_concepts.cache_clear()


def test_every_file_loads():
    for name in data.SCHEMAS:
        assert data.load(name)


@pytest.mark.parametrize("file,old,new,message", [
    ("numbers.toml", 'at = "="', 'at = "=>"', "numbers.toml: time_prepositions.at: expected one of"),
    ("numbers.toml", '"bed", "bath", "sqft"', '"bed", "bath", "sqft", "furlong"', "count_units: furlong"),
    ("groups.toml", '"CONDO"', '"CONDOO"', "groups.toml: property_types[0]: 'CONDOO': no concept of that name"),
    ("concepts.toml", '"pre approved"', '"pre  approved"', "concepts.toml: PREAPPROVED[0]: 'pre  approved'"),
    ("resolve.toml", "implied_no =", "implied_nope =", "resolve.toml: missing implied_no"),
    ("facts.toml", "[condition]", "[conditions]", "facts.toml: missing condition"),
    ("spelling.toml", 'u = "you"', 'u = "you"\nU = "you"', "abbreviations.U: key 'U' does not match"),
    ("idioms.toml", "[[idioms]]", "[[idioms]\n", "idioms.toml: not valid TOML"),
])
def test_a_broken_table_names_the_file_and_the_key(data_copy, file, old, new, message):
    path = data_copy / file
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    with pytest.raises(data.DataError, match=message.replace("[", r"\[").replace("]", r"\]")):
        data.load(file)


def test_an_unknown_key_is_refused(data_copy):
    path = data_copy / "intent.toml"
    path.write_text(path.read_text() + '\nquestion_topic = ["ASK"]\n')
    with pytest.raises(data.DataError, match="intent.toml: unknown key question_topic"):
        data.load("intent.toml")


def test_keyword_table():
    assert keywords.OPT_OUT == {"stop", "stopall", "unsubscribe", "cancel", "end", "quit", "revoke", "optout"}
    assert keywords.OPT_IN == {"start", "unstop"} and keywords.OPT_IN_WHEN_OPTED_OUT == {"yes"}
    assert keywords.HELP == {"help", "info"}
    assert all(isinstance(s, frozenset) for s in (keywords.OPT_OUT, keywords.OPT_IN, keywords.HELP))
    # the extractor reads "cancel" as cancelling an appointment, and accepts "end please" / "quit please"
    assert ("cancel",) not in keywords.OPT_OUT_MESSAGES and ("quit", "please") in keywords.OPT_OUT_MESSAGES
