"""The development runner (`make run`, scripts/run.sh) as seen from Python: is one running, and where.

scripts/run.sh holds an exclusive flock on `<data dir>/runner.lock` for as long as it runs (the kernel drops it
when the script dies, however it dies) and writes its pid and URL to `<data dir>/runner.pid`. A second runner
that cannot take the lock reports that file and exits non-zero before it starts anything. A pid file left by a
crashed runner names a dead process, or one that is not run.sh: it is stale and ignored."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import psutil

RUNNER_SCRIPT = "scripts/run.sh"


@dataclass(frozen=True)
class Runner:
    pid: int
    url: str


def pid_file(data_dir: Path) -> Path:
    return Path(data_dir) / "runner.pid"


def running(data_dir: Path) -> Runner | None:
    """The runner named by the pid file if that process is alive and is run.sh; reads only."""
    try:
        pid_text, url = (pid_file(data_dir).read_text().splitlines() + ["", ""])[:2]
        pid = int(pid_text)
        is_runner = any(part.endswith(RUNNER_SCRIPT) for part in psutil.Process(pid).cmdline())
    except (OSError, ValueError, psutil.Error):
        return None
    return Runner(pid, url) if is_runner else None


def describe(runner: Runner) -> str:
    return f"running, pid {runner.pid}, {runner.url or 'URL unknown'}"
