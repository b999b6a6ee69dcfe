"""Claude's latency in a benchmark turn, modelled from what the turn actually did (accounted, not slept).

Each simulated call draws a latency (`TimedCalls` keeps the draw per kind). The turn's CallRecords say which wave
each call ran in: calls of one wave ran concurrently, waves one after another. So a turn's latency is its measured
server time plus, per wave, the slowest of its calls that went to the model; the sequential equivalent adds every
call's draw instead (what the turn would take with the calls made one after another).
"""

from __future__ import annotations

import threading
from collections import defaultdict

MODEL_TIER = "miss"  # a call the cache did not answer went to the model


class TimedCalls:
    """A simulated provider that keeps, for the current turn, the latency each call drew (by kind)."""

    def __init__(self, provider):
        self.provider = provider
        self.drawn: dict[str, float] = {}
        self._lock = threading.Lock()  # the turn's concurrent calls draw from one generator

    def start_turn(self) -> None:
        self.drawn = {}

    def model_for(self, kind):
        return self.provider.model_for(kind)

    def answer(self, kind, *inputs):
        """The ideal answer the simulated model gives (what a cached value is checked against)."""
        return self.provider.answer(kind, *inputs)

    def call(self, kind, context, *args):
        with self._lock:
            before = self.provider.turn_llm_ms
            computed = self.provider.call(kind, context, *args)
            self.drawn[str(kind)] = self.provider.turn_llm_ms - before
        return computed


def model_latency_ms(calls: dict, drawn: dict[str, float]) -> tuple[float, float]:
    """(concurrent, sequential) model latency of a turn from its CallRecords and the latency each call drew."""
    slowest_by_wave: dict[int, float] = defaultdict(float)
    sequential = 0.0
    for kind, call in calls.items():
        if call.tier != MODEL_TIER or str(kind) not in drawn:
            continue  # answered by the cache, computed in code, or not needed
        slowest_by_wave[call.wave] = max(slowest_by_wave[call.wave], drawn[str(kind)])
        sequential += drawn[str(kind)]
    return sum(slowest_by_wave.values()), sequential


def served_from_cache(calls: dict) -> bool:
    """No call of the turn went to the model."""
    return all(call.tier != MODEL_TIER or str(kind) == "scoring" for kind, call in calls.items())
