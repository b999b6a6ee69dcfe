"""The offline provider caches its readings under a model name that carries a fingerprint of the reading rules,
so a deploy that changes the rules stops serving the old rules' cached readings."""

import shutil
from pathlib import Path

import pytest

import leads
from bots.providers import TurnProvider
from caching.policy import CallKind
from leads.reader.version import fingerprint_of, rules_fingerprint

RULES = (Path(leads.__file__).parent / "reader", Path(leads.__file__).parent / "understanding")


def copy_rules(tmp_path):
    copies = []
    for package in RULES:
        target = tmp_path / "leads" / package.name
        shutil.copytree(package, target, ignore=shutil.ignore_patterns("__pycache__"))
        copies.append(target)
    return copies


def test_the_fingerprint_depends_on_the_rules_bytes_not_on_where_the_checkout_is(tmp_path):
    copies = copy_rules(tmp_path)
    assert fingerprint_of(copies) == rules_fingerprint()
    lexicon = copies[0] / "data" / "lexicon.toml"
    lexicon.write_text(lexicon.read_text(encoding="utf-8") + "\n# a changed rule\n", encoding="utf-8")
    assert fingerprint_of(copies) != rules_fingerprint()


def test_a_new_rule_file_changes_the_fingerprint(tmp_path):
    copies = copy_rules(tmp_path)
    (copies[1] / "data" / "new_rules.toml").write_text("[words]\n", encoding="utf-8")
    assert fingerprint_of(copies) != rules_fingerprint()


@pytest.mark.parametrize("kind", list(CallKind))
def test_offline_readings_are_cached_under_the_rules_fingerprint(kind, settings):
    settings.ANTHROPIC_API_KEY = ""
    model = TurnProvider().model_for(kind)
    assert model == f"rule-based-{rules_fingerprint()}" and len(rules_fingerprint()) == 12
