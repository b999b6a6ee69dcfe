"""Child processes of the project run the way an operator runs them: `manage.py` through its own entry point, in an
environment of the test's choosing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.support import PROJECT

# What points a process at services; without them it uses (or starts) the embedded servers of EMBEDDED_DATA_DIR.
SERVICE_VARIABLES = ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE")


def embedded_env(data_dir: Path, django_env: str = "development") -> dict:
    """A child's environment that leaves the services to the embedded servers of data_dir."""
    env = {k: v for k, v in os.environ.items() if k not in SERVICE_VARIABLES}
    return {**env, "DJANGO_ENV": django_env, "EMBEDDED_DATA_DIR": str(data_dir)}


def manage(args: list[str], env: dict, timeout: float = 120) -> subprocess.CompletedProcess:
    """`python manage.py ARGS` in the repository root, its output captured as text."""
    return subprocess.run([sys.executable, "manage.py", *args], cwd=PROJECT, env=env, capture_output=True, text=True,
                          timeout=timeout)
