"""Whether a fact the product stored is the one a careful assistant recorded: shared by the conversation corpus
(benchmarks/corpus.py) and the single-text readings (benchmarks/readings.py)."""

from __future__ import annotations

from leads.facts import area_key


def acceptable(expected) -> list:
    """An expectation is one value or a list of acceptable ones."""
    return expected if isinstance(expected, list) else [expected]


def fact_right(name: str, expected, stored) -> bool:
    if stored is None:
        return False
    if name == "timeline_days" and isinstance(expected, dict):
        return expected["min"] <= stored <= expected["max"]
    if name in ("condition", "motivation") and expected == "*":
        return bool(str(stored).strip())
    if name == "areas":
        # Case and the abbreviation points are not part of a name: "St Paul" is "St. Paul", "Mac-groveland" is
        # "Mac-Groveland" (the authors wrote both forms).
        return {area_key(a) for a in stored} == {area_key(a) for a in expected}
    if name == "address":
        return " ".join(str(stored).split()).rstrip(".,") == " ".join(str(expected).split()).rstrip(".,")
    return stored in acceptable(expected)
