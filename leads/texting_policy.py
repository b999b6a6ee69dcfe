"""The hours and the 24-hour cap of texts that are not replies, by the recipient's state (leads/data/
texting_policy.toml, with the statutes cited there). The state comes from the number's area code, as phonenumbers'
geocoding data places it: the area's own entry ("Florida") and every exchange under it ("Pensacola, FL"). An area
code whose exchanges lie in several states gets the most restrictive of them all: the latest opening, the earliest
closing and the smallest cap. Numbers outside the United States get the default."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import phonenumbers
from phonenumbers.geodata import GEOCODE_DATA

from leads.data_files import read_toml
from leads.phones import NANP_AREA_CODE_DIGITS, NANP_COUNTRY_CODE, parse_phone
from leads.quiet_hours import operator_hours

POLICY_FILE = Path(__file__).resolve().parent / "data" / "texting_policy.toml"
STATE_SUFFIX = re.compile(r", ([A-Z]{2})$")


@dataclass(frozen=True)
class TextingPolicy:
    from_hour: int
    until_hour: int
    max_per_24_hours: int | None = None   # None: no count limit
    states: tuple[str, ...] = ()           # the states it was drawn from (empty: the default)

    @property
    def hours(self) -> tuple[int, int]:
        return self.from_hour, self.until_hour

    def stricter(self, other: "TextingPolicy") -> "TextingPolicy":
        caps = [cap for cap in (self.max_per_24_hours, other.max_per_24_hours) if cap is not None]
        return TextingPolicy(max(self.from_hour, other.from_hour), min(self.until_hour, other.until_hour),
                             min(caps) if caps else None, tuple(sorted(set(self.states) | set(other.states))))


def policy_for_phone(e164: str) -> TextingPolicy:
    """The state's policy, never wider than the hours the operator allows every text (a narrower SMS_SEND_* window
    holds nudges back as it holds replies)."""
    table = _table()
    policy = table["default"].stricter(TextingPolicy(*operator_hours()))
    for state in states_for_phone(e164):
        policy = policy.stricter(table.get(state, TextingPolicy(*table["default"].hours, states=(state,))))
    return policy


def states_for_phone(e164: str) -> tuple[str, ...]:
    """The two-letter states a +1 number's area code covers (() outside the NANP's US states or when unknown)."""
    number = parse_phone(e164)
    if number.country_code != NANP_COUNTRY_CODE or phonenumbers.region_code_for_number(number) != "US":
        return ()
    area = f"{NANP_COUNTRY_CODE}{phonenumbers.national_significant_number(number)[:NANP_AREA_CODE_DIGITS]}"
    return tuple(sorted(_area_states().get(area, ())))


@lru_cache(maxsize=1)
def _area_states() -> dict[str, frozenset[str]]:
    by_name = {name: code for code, state in _raw()["states"].items() for name in state.get("names", [])}
    length = len(str(NANP_COUNTRY_CODE)) + NANP_AREA_CODE_DIGITS
    states = defaultdict(set)
    for prefix, descriptions in GEOCODE_DATA.items():
        if not prefix.startswith(str(NANP_COUNTRY_CODE)) or len(prefix) < length:
            continue
        description = descriptions.get("en", "")
        suffix = STATE_SUFFIX.search(description)
        code = suffix.group(1) if suffix else by_name.get(description)
        if code:
            states[prefix[:length]].add(code)
    return {area: frozenset(codes) for area, codes in states.items()}


@lru_cache(maxsize=1)
def _table() -> dict[str, TextingPolicy]:
    raw = _raw()
    default = raw["default"]
    table = {"default": TextingPolicy(default["from_hour"], default["until_hour"], default.get("max_per_24_hours"))}
    for code, state in raw["states"].items():
        table[code] = TextingPolicy(state["from_hour"], state["until_hour"], state.get("max_per_24_hours"), (code,))
    return table


def _raw() -> dict:
    return read_toml(POLICY_FILE)
