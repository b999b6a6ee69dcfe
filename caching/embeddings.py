"""Text embeddings behind one small interface.

The default backend is WordLlama: its weights ship inside the PyPI package, so it runs offline (air-gapped
servers, CI) at ~0.04 ms per text. A hosted backend (Voyage AI) is one setting away: EMBEDDING_BACKEND=voyage.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from django.conf import settings

if TYPE_CHECKING:
    import numpy as np


class EmbeddingBackend(Protocol):
    name: str
    dimensions: int

    def embed(self, texts: list[str]) -> np.ndarray:
        """Unit-length float32 vectors, one row per text."""


class WordLlamaBackend:
    name = "wordllama-l2_supercat-256"
    dimensions = 256

    def __init__(self):
        import wordllama
        from wordllama import WordLlama

        # The package's default loader looks for the tokenizer in the wrong folder and would try to download;
        # pointing cache_dir at the package itself finds the shipped weights and tokenizer.
        self._model = WordLlama.load(cache_dir=Path(wordllama.__file__).parent, disable_download=True,
                                     dim=self.dimensions)
        self._lock = threading.Lock()  # the tokenizer is not documented as thread-safe

    def embed(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            vectors = self._model.embed(texts, norm=True)
        import numpy as np

        return np.asarray(vectors, dtype=np.float32)


class VoyageBackend:
    """Hosted embeddings (https://docs.voyageai.com/reference/embeddings-api) over plain HTTPS."""

    name = "voyage"

    def __init__(self):
        import httpx

        self.model = settings.VOYAGE_MODEL
        self.dimensions = settings.EMBEDDING_DIMENSIONS
        self._client = httpx.Client(base_url="https://api.voyageai.com/v1", timeout=10.0,
                                    headers={"Authorization": f"Bearer {settings.VOYAGE_API_KEY}"})

    def embed(self, texts: list[str]) -> np.ndarray:
        response = self._client.post("/embeddings", json={"input": texts, "model": self.model,
                                                          "output_dimension": self.dimensions})
        response.raise_for_status()
        import numpy as np

        rows = sorted(response.json()["data"], key=lambda row: row["index"])
        vectors = np.asarray([row["embedding"] for row in rows], dtype=np.float32)
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


BACKENDS = {"wordllama": WordLlamaBackend, "voyage": VoyageBackend}


@lru_cache(maxsize=1)
def get_backend() -> EmbeddingBackend:
    return BACKENDS[settings.EMBEDDING_BACKEND]()


def embed_one(text: str) -> np.ndarray:
    return get_backend().embed([text])[0]


def semantic_text(text: str, context: str = "") -> str:
    """What the semantic tier embeds: the reply together with the bot's preceding question, because "yes" or
    "3" mean different things after different questions."""
    text = " ".join(text.split())
    context = " ".join((context or "").split())
    return f"{context} || {text}" if context else text
