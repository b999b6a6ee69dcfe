"""The product's data files (TOML: wording, lexicons' neighbours, policy tables), read once per process. Every
app reads its own files through here, so a file that is missing or does not parse fails with its path."""

from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path


class DataFileError(ValueError):
    """A data file that cannot be read or is not valid TOML."""


@lru_cache(maxsize=None)
def read_toml(path: Path) -> dict:
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise DataFileError(f"{path}: {exc}") from exc
