"""The production services as tests/production runs them on this machine: the image's files (the build context, as
.dockerignore leaves it), a .env made from .env.example with its [required] lines filled with test values, each
service's environment from docker-compose.yml with the compose hosts swapped for the test run's servers, and
Python that cannot import what the image does not install."""

from __future__ import annotations

import re
import secrets
import shutil
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

from tests.support import PROJECT
from tests.support.compose import (
    dockerfile_env,
    dockerfile_instructions,
    installed_closure,
    requirement_lines,
    service_environment,
    top_level_modules,
)

ENV_EXAMPLE = PROJECT / ".env.example"
IMAGE_REQUIREMENTS = PROJECT / "requirements" / "base.txt"
REQUIRED_MARK = "[required]"

# A value for each line .env.example marks [required]; the tests check the two lists agree. None of them is sent
# anywhere: no test here makes a turn run (which would call Claude) or a text go out (Twilio).
TEST_VALUES = {
    "SECRET_KEY": secrets.token_urlsafe(64),
    "PUBLIC_BASE_URL": "https://localhost",
    "ALLOWED_HOSTS": "localhost",
    "CADDY_TLS": "internal",
    "POSTGRES_PASSWORD": "composetest" + secrets.token_hex(8),
    "ANTHROPIC_API_KEY": "test-key-never-sent",
    "TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
    "TWILIO_AUTH_TOKEN": secrets.token_hex(16),
    "TWILIO_FROM_NUMBER": "+15005550006",
}


def required_variables() -> set[str]:
    """The variables of the lines under a comment whose first line starts `# [required]`, up to the next comment or
    blank line (a `# ---` section heading is not part of the comment below it)."""
    required, marked, previous = set(), False, ""
    for line in ENV_EXAMPLE.read_text().splitlines():
        if line.startswith("#"):
            if not previous.startswith("#"):
                marked = line.startswith(f"# {REQUIRED_MARK}")
        elif not line.strip():
            marked = False
        elif marked:
            required.add(line.partition("=")[0])
        previous = "" if line.startswith("# ---") else line
    return required


def filled_env_example(*, without: str | None = None, overrides: dict[str, str] | None = None) -> str:
    """.env.example with the [required] lines filled in (all but `without`), as an operator's .env."""
    values = {**TEST_VALUES, **(overrides or {})}
    assert required_variables() == set(TEST_VALUES), "TEST_VALUES must fill exactly the [required] lines"
    lines = []
    for line in ENV_EXAMPLE.read_text().splitlines():
        name, separator, value = line.partition("=")
        if separator and not line.startswith("#") and name in values:
            value = "" if name == without else values[name]
        lines.append(f"{name}{separator}{value}" if separator and not line.startswith("#") else line)
    return "\n".join(lines) + "\n"


# --- the image ----------------------------------------------------------------------------------------------------


def copy_build_context(destination: Path) -> Path:
    """The files `COPY . .` puts in the image: the project without what .dockerignore names (plain names, folders,
    and `**/name` for a name at any depth)."""
    patterns = [line.strip() for line in (PROJECT / ".dockerignore").read_text().splitlines()
                if line.strip() and not line.startswith("#")]
    assert all(re.fullmatch(r"(\*\*/)?[\w.\-/]+", pattern) for pattern in patterns), "a .dockerignore form not read"
    anywhere = {pattern[3:] for pattern in patterns if pattern.startswith("**/")}
    rooted = {pattern.rstrip("/") for pattern in patterns if not pattern.startswith("**/")}

    def ignored(folder: str, names: list[str]) -> set[str]:
        relative = Path(folder).relative_to(PROJECT)
        return {name for name in names if name in anywhere or (relative / name).as_posix() in rooted}

    shutil.copytree(PROJECT, destination, ignore=ignored, symlinks=True)
    return destination


def image_absent_modules() -> set[str]:
    """Top-level modules of the packages make install adds that the image's requirements do not bring in."""
    image = installed_closure(requirement_lines(IMAGE_REQUIREMENTS))
    development = installed_closure(requirement_lines(PROJECT / "requirements.txt"))
    return top_level_modules(development - image) - top_level_modules(image)


def image_env(home: Path) -> dict[str, str]:
    """The environment every container starts with: the Dockerfile's ENV, `python` and the console scripts on PATH
    (the project's virtualenv stands for the image's site-packages), and nothing of this test run's environment."""
    return {
        **dockerfile_env(dockerfile_instructions()),
        "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
        "HOME": str(home),
        "HOSTNAME": socket.gethostname(),
        "PYTHONPATH": str(Path(__file__).parent / "image_python_path"),
        "IMAGE_ABSENT_MODULES": ",".join(sorted(image_absent_modules())),
    }


def with_test_servers(env: dict[str, str], compose: dict, *, database_url: str, redis_url: str) -> dict[str, str]:
    """The service's environment with the URLs that name compose's postgres and redis services pointed at this
    run's servers, after checking they match what those services are configured with."""
    postgres = compose["services"]["postgres"]["environment"]
    servers = {"postgres": database_url, "redis": redis_url}
    swapped = {}
    for name, value in env.items():
        parts = urlsplit(value) if "://" in value else None
        if parts and parts.hostname in servers:
            if parts.hostname == "postgres":
                assert (parts.username, parts.password, parts.port, parts.path) == (
                    postgres["POSTGRES_USER"], postgres["POSTGRES_PASSWORD"], 5432, f"/{postgres['POSTGRES_DB']}"), \
                    f"{name} does not match the postgres service"
            else:
                assert parts.port == 6379, f"{name} does not name the redis service's port"
            value = servers[parts.hostname]
        swapped[name] = value
    return swapped


def service_env(compose: dict, service: str, dotenv_text: str, home: Path, *, database_url: str,
                redis_url: str) -> dict[str, str]:
    env = service_environment(compose, service, dotenv_text)
    return {**image_env(home), **with_test_servers(env, compose, database_url=database_url, redis_url=redis_url)}


def run_python(args: list[str], env: dict[str, str], cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
