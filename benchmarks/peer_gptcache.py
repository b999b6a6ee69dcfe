"""GPTCache (PyPI gptcache==0.1.44) as the peer semantic cache, run in the shadow of the benchmark's replay.

Install it with `make bench-peer` (benchmarks/requirements-peer.txt; never part of `make install`). Each call kind
the peer can cache gets a GPTCache instance of its own, set up the way its documentation's similar-cache flow does
(`init_similar_cache`: the sqlite data manager, a faiss index, `SearchDistanceEvaluation`, the default similarity
threshold 0.8 of `Config`), with one change: GPTCache's default embedding is an ONNX model it downloads at run time,
and this machine has no internet, so it is handed the project's own embedding (caching.embeddings, WordLlama,
shipped in its package) through its custom embedding hook.

For every turn the replay answers, the peer is asked the same look-ups: intent and facts with the text the
project's semantic tier embeds (the reply with the bot's preceding question), the reply with its whole brief as
JSON (what the model is asked: a personal brief, or the dialogue state). Each `get` is timed (its embedding of the
prompt included; the project's look-up times leave out the one embedding a turn computes for all its look-ups). A hit is checked against the ideal answer exactly as the project's hits are; a miss
stores the ideal answer, as a model call would. The memory call is not given to the peer (the turn decides whether
it is needed; its cost is counted as in the project's run).
"""

from __future__ import annotations

import atexit
import json
import shutil
import tempfile
import time
from collections import Counter
from dataclasses import asdict, dataclass, field

from benchmarks.workload import same_answer
from caching import embeddings

# The peer keeps one reply cache: the turn's reply is a personal `response` or its dialogue state's `state_reply`.
PEER_KINDS = ("intent", "facts", "reply")


class ProjectEmbedding:
    """GPTCache's embedding interface (`to_embeddings`, `dimension`) over caching.embeddings."""

    def __init__(self):
        self.backend = embeddings.get_backend()

    @property
    def dimension(self) -> int:
        return self.backend.dimensions

    def to_embeddings(self, data, **_kwargs):
        return embeddings.embed_one(data)


@dataclass
class PeerTally:
    lookups: dict = field(default_factory=lambda: {kind: 0 for kind in PEER_KINDS})
    hits: dict = field(default_factory=lambda: {kind: 0 for kind in PEER_KINDS})
    false_hits: dict = field(default_factory=lambda: {kind: 0 for kind in PEER_KINDS})
    lookup_ms: list = field(default_factory=list)      # every `get`, all kinds
    misses_by_call: Counter = field(default_factory=Counter)  # the call kind a miss would have paid for


class GPTCachePeer:
    def __init__(self):
        from gptcache import Cache, Config
        from gptcache.adapter.api import init_similar_cache
        from gptcache.manager import manager_factory

        # GPTCache flushes its faiss index at exit (an atexit hook); the folder is removed after that (atexit runs
        # the hooks registered last first, and this one is registered before GPTCache's).
        self.folder = tempfile.mkdtemp(prefix="gptcache-peer-")
        atexit.register(shutil.rmtree, self.folder, ignore_errors=True)
        embedding = ProjectEmbedding()
        self.caches = {}
        for kind in PEER_KINDS:
            cache = Cache()
            data_manager = manager_factory("sqlite,faiss", data_dir=f"{self.folder}/{kind}",
                                           vector_params={"dimension": embedding.dimension})
            init_similar_cache(cache_obj=cache, embedding=embedding, data_manager=data_manager, config=Config())
            self.caches[kind] = cache
        self.tally = PeerTally()

    def observe(self, result, provider) -> None:
        """Shadow one answered turn: the same look-ups through GPTCache, checked against the ideal answers."""
        from gptcache.adapter.api import get, put

        for kind in PEER_KINDS:
            # The peer is given the reply the turn used: a personal brief, or the dialogue state's template (our call
            # design, so what is compared is the caching, not the design).
            asked = reply_kind(result.calls) if kind == "reply" else kind
            call = result.calls[asked]
            prompt = peer_prompt(asked, call.inputs)
            expected = provider.answer(asked, *call.inputs)
            self.tally.lookups[kind] += 1
            started = time.perf_counter()
            served = get(prompt, cache_obj=self.caches[kind])
            self.tally.lookup_ms.append((time.perf_counter() - started) * 1000)
            if served is None:
                self.tally.misses_by_call[asked] += 1
                put(prompt, json.dumps(expected), cache_obj=self.caches[kind])
                continue
            self.tally.hits[kind] += 1
            if not same_answer(asked, json.loads(served), expected):
                self.tally.false_hits[kind] += 1


def reply_kind(calls: dict) -> str:
    """The call that wrote the turn's reply: a personal response when there is one (also after a refused template),
    else the dialogue state's reply."""
    return "response" if "response" in calls else "state_reply"


def peer_prompt(kind: str, inputs: tuple) -> str:
    if kind in ("response", "state_reply"):
        return json.dumps(asdict(inputs[0]), sort_keys=True, default=str)
    text = inputs[0]
    return embeddings.semantic_text(text.text, text.question)
