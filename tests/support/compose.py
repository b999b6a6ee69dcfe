"""docker-compose.yml, the Dockerfile and .env read the way Docker reads them, for running the production services'
commands on this machine (there is no Docker engine here): Compose's variable interpolation and .env format, a
service's environment (env_file, then `environment:` over it), and the Dockerfile's ENV and RUN instructions."""

from __future__ import annotations

import ast
import re
import shlex
from importlib import metadata
from pathlib import Path

import yaml
from packaging.requirements import Requirement

from tests.support import PROJECT

# ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?error}, ${NAME?error}, $NAME, and $$ for a literal $.
_VARIABLE = re.compile(r"\$(?:(?P<escaped>\$)|\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}"
                       r"|(?P<plain>[A-Za-z_][A-Za-z0-9_]*))")


class InterpolationError(ValueError):
    """A ${NAME:?message} whose variable is unset (or empty): Compose refuses to start with the message."""


def interpolate(text: str, variables: dict[str, str]) -> str:
    def substitute(match: re.Match) -> str:
        if match["escaped"]:
            return "$"
        name = match["braced"] or match["plain"]
        value, op = variables.get(name), match["op"]
        missing = value is None or (op is not None and op.startswith(":") and value == "")
        if op in (":-", "-"):
            return interpolate(match["arg"], variables) if missing else value
        if op in (":?", "?") and missing:
            raise InterpolationError(f"required variable {name} is missing a value: {match['arg']}")
        return value or ""

    return _VARIABLE.sub(substitute, text)


def _interpolate_tree(node, variables):
    if isinstance(node, str):
        return interpolate(node, variables)
    if isinstance(node, list):
        return [_interpolate_tree(item, variables) for item in node]
    if isinstance(node, dict):
        return {key: _interpolate_tree(value, variables) for key, value in node.items()}
    return node


def read_env_file(text: str) -> dict[str, str]:
    """The .env lines Compose reads: NAME=value (comments and blank lines skipped). Only the plain form is allowed,
    no quotes and no comment after a value, so Compose, Docker and django-environ all read the same value."""
    values = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        name, separator, value = line.partition("=")
        assert separator and re.fullmatch(r"[A-Z_][A-Z0-9_]*", name), f".env line {number} is not NAME=value: {line!r}"
        assert not value.startswith(("'", '"')) and " #" not in value, f".env line {number}: quotes or a comment"
        values[name] = value
    return values


def load_compose(dotenv: dict[str, str], path: Path = PROJECT / "docker-compose.yml") -> dict:
    """docker-compose.yml with YAML merge keys applied and every ${...} interpolated from .env (as `docker compose`
    does in the project folder, with no variable of the caller's shell)."""
    return _interpolate_tree(yaml.safe_load(path.read_text()), dotenv)


def service_environment(compose: dict, service: str, dotenv_text: str) -> dict[str, str]:
    """What a container of the service gets: its env_file's variables (interpolated, as Compose does), then its
    `environment:` over them."""
    definition = compose["services"][service]
    env = {}
    if definition.get("env_file"):
        assert definition["env_file"] == ".env", "the app services read the one .env"
        raw = read_env_file(dotenv_text)
        env.update({name: interpolate(value, raw) for name, value in raw.items()})
    environment = definition.get("environment") or {}
    if isinstance(environment, list):
        environment = dict(item.split("=", 1) for item in environment)
    env.update({name: "" if value is None else str(value) for name, value in environment.items()})
    return env


def command_of(compose: dict, service: str) -> list[str]:
    command = compose["services"][service]["command"]
    return shlex.split(command) if isinstance(command, str) else list(command)


def healthcheck_of(compose: dict, service: str) -> list[str]:
    """The healthcheck as an argv: CMD runs its arguments, CMD-SHELL runs its string under sh -c."""
    test = compose["services"][service]["healthcheck"]["test"]
    kind, *rest = test
    return rest if kind == "CMD" else ["sh", "-c", rest[0]]


# --- the Dockerfile ------------------------------------------------------------------------------------------------


def dockerfile_instructions(path: Path = PROJECT / "Dockerfile") -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) in order, continuation lines joined and comments dropped."""
    instructions, pending = [], ""
    for line in path.read_text().splitlines():
        if line.lstrip().startswith("#") and not pending:
            continue
        pending += line.rstrip()
        if pending.endswith("\\"):
            pending = pending[:-1] + " "
            continue
        if pending.strip():
            word, _, arguments = pending.strip().partition(" ")
            instructions.append((word.upper(), arguments.strip()))
        pending = ""
    return instructions


def dockerfile_env(instructions) -> dict[str, str]:
    env = {}
    for word, arguments in instructions:
        if word == "ENV":
            env.update(pair.split("=", 1) for pair in shlex.split(arguments))
    return env


# --- what the image installs ---------------------------------------------------------------------------------------


def requirement_lines(path: Path) -> list[Requirement]:
    """The pinned requirements of a file and of the files it includes with -r."""
    found = []
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line.startswith("-r "):
            found += requirement_lines(path.parent / line[3:].strip())
        elif line:
            found.append(Requirement(line))
    return found


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def installed_closure(requirements: list[Requirement]) -> set[str]:
    """The distributions that installing these requirements brings in (from the installed packages' metadata)."""
    seen, pending = set(), [(requirement, frozenset(requirement.extras)) for requirement in requirements]
    while pending:
        requirement, extras = pending.pop()
        name = _canonical(requirement.name)
        if (name, extras) in seen:
            continue
        seen.add((name, extras))
        for raw in metadata.distribution(name).requires or []:
            dependency = Requirement(raw)
            if dependency.marker is None or any(dependency.marker.evaluate({"extra": extra}) for extra in extras or {""}):
                pending.append((dependency, frozenset(dependency.extras)))
    return {name for name, _ in seen}


def top_level_modules(distributions: set[str]) -> set[str]:
    """The importable top-level names the given distributions provide."""
    return {module for module, owners in metadata.packages_distributions().items()
            if any(_canonical(owner) in distributions for owner in owners) and module.isidentifier()}


# --- what the settings read ----------------------------------------------------------------------------------------


def environment_reads(path: Path) -> set[str]:
    """Names a module reads from the environment: env.str("NAME", ...) and the other django-environ readers,
    os.environ.get("NAME"), os.environ["NAME"] and os.getenv("NAME")."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant) \
                and isinstance(node.args[0].value, str):
            function = ast.unparse(node.func)
            if re.fullmatch(r"env\.\w+|os\.environ\.get|os\.getenv", function) and function != "env.read_env":
                names.add(node.args[0].value)
        elif isinstance(node, ast.Subscript) and ast.unparse(node.value) == "os.environ" \
                and isinstance(node.slice, ast.Constant) and isinstance(node.ctx, ast.Load):
            names.add(node.slice.value)
    return names
