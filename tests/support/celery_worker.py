"""A real Celery worker process on the real broker (the test's own services, from the `project_env` fixture)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from tests.support import PROJECT

# A worker that sends its replies with the console SMS backend (its process cannot share a test's HTTP fakes),
# answers with the offline provider, and may text at any hour.
CONSOLE_SMS_ANY_HOUR = {"SMS_BACKEND": "console", "ANTHROPIC_API_KEY": "", "SMS_SEND_FROM_HOUR": "0",
                        "SMS_SEND_UNTIL_HOUR": "24"}


def console_worker_env(project_env: dict, **extra: str) -> dict:
    """The environment of a worker that texts through the console backend at any hour (see CONSOLE_SMS_ANY_HOUR)."""
    return {**project_env, **CONSOLE_SMS_ANY_HOUR, **extra}


def start_worker(env: dict, *, queue: str | None = None) -> subprocess.Popen:
    """One solo-pool worker, quiet, without the cluster chatter; only `queue` when given."""
    queues = ["-Q", queue] if queue else []
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", *queues, "--loglevel=WARNING",
         "--without-heartbeat", "--without-mingle", "--without-gossip"],
        cwd=PROJECT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )


def stop_worker(process: subprocess.Popen) -> None:
    process.terminate()
    process.wait(timeout=30)


@contextmanager
def running_worker(env: dict, *, queue: str | None = None) -> Iterator[subprocess.Popen]:
    """A worker for the duration of the block, stopped (SIGTERM, then waited for) however the block ends."""
    process = start_worker(env, queue=queue)
    try:
        yield process
    finally:
        stop_worker(process)
