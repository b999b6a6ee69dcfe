"""Settings parsing: each bad value fails fast with one line naming the setting (run as a new process would)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import psutil
import pytest

pytestmark = pytest.mark.filterwarnings("ignore:Engine not recognized")

from config import embedded
from config import env as checks
from tests.support import PROJECT
from tests.support.processes import embedded_env, manage

GOOD_SECRET = "k" * 20 + "-a-long-random-production-secret-value-0123456789"
TWILIO_ENV = {"TWILIO_AUTH_TOKEN": "a" * 32, "TWILIO_ACCOUNT_SID": "AC" + "1" * 32, "TWILIO_FROM_NUMBER": "+15005550006"}


@pytest.mark.parametrize(
    "url",
    ["not a url", "postgres://user@db:notaport/leads", "mysql://user@db/leads", "postgres://user@db:5432/"],
)
def test_database_url_rejects_bad_values(url):
    with pytest.raises(checks.ConfigurationError, match="^DATABASE_URL"):
        checks.database_config(url)


def test_database_url_accepts_postgres():
    config = checks.database_config("postgres://app:s3cret@db.internal:5433/leads")
    assert (config["ENGINE"], config["HOST"], config["PORT"], config["NAME"], config["USER"]) == (
        "django.db.backends.postgresql", "db.internal", 5433, "leads", "app"
    )
    assert config["OPTIONS"]["connect_timeout"] == 5


@pytest.mark.parametrize("url", ["garbage", "http://cache:6379/0", "redis://cache:port/0", "redis://:6379/0"])
def test_redis_url_rejects_bad_values(url):
    with pytest.raises(checks.ConfigurationError, match="^REDIS_URL"):
        checks.redis_url("REDIS_URL", url)


def test_redis_url_accepts_redis_and_tls():
    assert checks.redis_url("REDIS_URL", "rediss://:pw@cache:6380/2") == "rediss://:pw@cache:6380/2"


@pytest.mark.parametrize("value", ["", checks.INSECURE_SECRET_KEY, "django-insecure-" + "x" * 60, "short"])
def test_production_refuses_insecure_secret_key(value):
    with pytest.raises(checks.ConfigurationError, match="^SECRET_KEY"):
        checks.secret_key(value, production=True)


def test_development_gets_a_default_secret_key():
    assert checks.secret_key("", production=False) == checks.INSECURE_SECRET_KEY


def test_reply_mode_accepts_its_two_values_and_names_itself_otherwise():
    assert checks.choice("BOT_REPLY_MODE", " Personal ", ("shared_by_state", "personal")) == "personal"
    with pytest.raises(checks.ConfigurationError, match="^BOT_REPLY_MODE must be one of shared_by_state, personal"):
        checks.choice("BOT_REPLY_MODE", "shared", ("shared_by_state", "personal"))


def test_a_bad_reply_mode_fails_with_one_line(project_env):
    result = manage(["check"], {**project_env, "BOT_REPLY_MODE": "always_shared"})
    assert result.returncode == 2
    assert result.stderr.strip() == ("configuration error: BOT_REPLY_MODE must be one of shared_by_state, personal "
                                     "(got 'always_shared')")


def test_bad_database_url_fails_with_one_line(project_env):
    result = manage(["check"], {**project_env, "DATABASE_URL": "postgres://u@db:notaport/leads"})
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]
    assert result.stderr.startswith("configuration error: DATABASE_URL")
    assert "Traceback" not in result.stderr


def test_unreachable_redis_fails_preflight_with_one_line(project_env):
    result = manage(["preflight"], {**project_env, "REDIS_URL": "redis://127.0.0.1:1/0"})
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "REDIS_URL: cannot connect to redis://127.0.0.1:1/0" in lines[0]
    assert "Traceback" not in result.stderr


def test_preflight_passes_on_the_real_services(project_env):
    result = manage(["preflight"], project_env)
    assert result.returncode == 0, result.stderr
    assert "services ok" in result.stdout


@pytest.mark.parametrize(
    "overrides, setting",
    [
        ({"DEBUG": "true", "SECRET_KEY": GOOD_SECRET}, "DEBUG"),
        ({"SECRET_KEY": "changeme"}, "SECRET_KEY"),
        ({"DEBUG": "maybe", "SECRET_KEY": GOOD_SECRET}, "DEBUG"),
        ({"SECRET_KEY": GOOD_SECRET, "TWILIO_AUTH_TOKEN": ""}, "TWILIO_AUTH_TOKEN"),
        ({"SECRET_KEY": GOOD_SECRET, **TWILIO_ENV, "TWILIO_FROM_NUMBER": ""}, "TWILIO_ACCOUNT_SID"),
    ],
)
def test_production_refuses_to_start(project_env, overrides, setting):
    result = manage(["check"], {**project_env, "DJANGO_ENV": "production", **overrides})
    assert result.returncode == 2
    assert result.stderr.startswith(f"configuration error: {setting}")


def test_production_requires_service_urls(project_env):
    env = {k: v for k, v in project_env.items() if k != "REDIS_URL"}
    result = manage(["check"], {**env, "DJANGO_ENV": "production", "SECRET_KEY": GOOD_SECRET})
    assert result.returncode == 2
    assert "REDIS_URL must be set in production" in result.stderr


def test_email_settings_come_from_one_url():
    assert checks.email_config("smtp+tls://alerts%40example.com:s3cret@smtp.example.com:587") == {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend", "EMAIL_HOST": "smtp.example.com",
        "EMAIL_PORT": 587, "EMAIL_HOST_USER": "alerts@example.com", "EMAIL_HOST_PASSWORD": "s3cret",
        "EMAIL_USE_TLS": True}
    assert checks.email_config("consolemail://") == {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    with pytest.raises(checks.ConfigurationError, match="^EMAIL_URL must be one of smtp://, smtps://"):
        checks.email_config("exchange://mail.example.com")


@pytest.mark.parametrize(
    "overrides, setting",
    [
        ({"AGENT_ALERT_EMAILS": "agents@example.com"}, "EMAIL_URL"),
        ({"EMAIL_URL": "smtp+tls://u:p@mail.example.com:587", "ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS"),
        ({"PUBLIC_BASE_URL": "http://leads.example.com"}, "PUBLIC_BASE_URL"),
    ],
)
def test_production_refuses_settings_that_could_not_serve(project_env, overrides, setting):
    env = {**project_env, **TWILIO_ENV, "DJANGO_ENV": "production", "SECRET_KEY": GOOD_SECRET,
           "ALLOWED_HOSTS": "leads.example.com", "PUBLIC_BASE_URL": "https://leads.example.com", **overrides}
    result = manage(["check"], env)
    assert result.returncode == 2
    assert result.stderr.startswith(f"configuration error: {setting}"), result.stderr


def test_an_empty_broker_url_means_the_redis_url(project_env):
    result = manage(["shell", "--no-imports", "-c", "from django.conf import settings; print(settings.CELERY_BROKER_URL)"],
                    {**project_env, "CELERY_BROKER_URL": ""})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == project_env["REDIS_URL"]


def test_production_settings_pass_the_deploy_check(project_env):
    env = {**project_env, **TWILIO_ENV, "DJANGO_ENV": "production", "SECRET_KEY": GOOD_SECRET,
           "ALLOWED_HOSTS": "leads.example.com", "PUBLIC_BASE_URL": "https://leads.example.com"}
    result = manage(["check", "--deploy", "--fail-level", "WARNING"], env)
    assert result.returncode == 0, result.stderr + result.stdout


# --- settings have no side effects; the entry points start what they need -------------------------------------


def files_under(folder: Path) -> dict:
    """Every file with its size, modification time and content: equal snapshots mean nothing was written."""
    if not folder.exists():
        return {}
    return {str(p): (p.stat().st_size, p.stat().st_mtime_ns, p.read_bytes()) for p in sorted(folder.rglob("*"))
            if p.is_file()}


def processes_using(folder: Path) -> list[int]:
    """Live processes whose command line or working directory is in folder (the embedded servers' are)."""
    found = []
    for process in psutil.process_iter(["pid", "cmdline", "cwd"]):
        texts = [*(process.info["cmdline"] or []), process.info["cwd"] or ""]
        if any(str(folder) in text for text in texts):
            found.append(process.info["pid"])
    return found


IMPORT_SETTINGS = (
    "import json, django; from django.conf import settings; django.setup(); "
    "db = settings.DATABASES['default']; "
    "print(json.dumps({'host': db['HOST'] or db['OPTIONS'].get('host'), 'port': db['PORT'], "
    "'redis': settings.REDIS_URL}))"
)


def import_settings(env):
    result = subprocess.run([sys.executable, "-c", IMPORT_SETTINGS], cwd=PROJECT, capture_output=True, text=True,
                            timeout=60, env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_importing_settings_with_no_servers_starts_nothing_and_writes_nothing(tmp_path):
    data_dir = tmp_path / "never-started"
    urls = import_settings(embedded_env(data_dir))
    assert not data_dir.exists(), "settings created the data folder"
    assert processes_using(tmp_path) == []
    # The URLs name a socket folder that does not exist: a connection fails there, naming it.
    assert urls["host"] == str(data_dir / "not-running")
    assert urls["redis"] == f"unix://{data_dir / 'not-running'}/valkey.sock?db=0"


def test_importing_settings_with_stopped_servers_changes_no_file(tmp_path):
    # What a crash leaves: a state file and pid files naming a dead process and a live process that is no server.
    data_dir = tmp_path / "services"
    (data_dir / "postgres").mkdir(parents=True)
    (data_dir / "valkey").mkdir()
    (data_dir / "services.json").write_text(json.dumps({"postgres_port": 55432, "valkey_port": 56379}))
    (data_dir / "postgres" / "postmaster.pid").write_text(f"{os.getpid()}\n{data_dir / 'postgres'}\n0\n55432\n")
    (data_dir / "valkey" / "valkey.pid").write_text("999999999")
    (data_dir / "valkey" / "valkey.conf").write_text("port 56379\n")
    before = files_under(data_dir)

    for django_env in ("development", "test"):
        urls = import_settings(embedded_env(data_dir, django_env))
        assert urls["host"] == str(data_dir / "not-running"), "a stale port must not be used"

    assert files_under(data_dir) == before
    assert processes_using(tmp_path) == []


def test_settings_read_the_running_servers_ports_and_change_nothing(settings):
    if settings.TEST_REDIS_DB is None or not settings.REDIS_URL.startswith("redis://127.0.0.1"):
        pytest.skip("this run uses external DATABASE_URL/REDIS_URL")
    data_dir = settings.EMBEDDED_DATA_DIR
    servers = embedded.describe(data_dir)
    before, running = files_under(data_dir / "postgres" / "postmaster.pid"), set(processes_using(data_dir))
    state = (data_dir / "services.json").read_bytes()

    urls = import_settings(embedded_env(data_dir, "test"))
    assert (urls["host"], urls["port"]) == ("127.0.0.1", servers["postgres"]["port"])
    assert urls["redis"] == f"redis://127.0.0.1:{servers['valkey']['port']}/{settings.TEST_REDIS_DB}"
    assert (data_dir / "services.json").read_bytes() == state
    assert files_under(data_dir / "postgres" / "postmaster.pid") == before
    assert set(processes_using(data_dir)) <= running


@pytest.mark.parametrize("command", [["help"], ["check"], ["check", "--deploy"], ["embedded_services", "status"],
                                     ["migrate", "--help"], []])
def test_commands_that_use_no_service_start_nothing(tmp_path, command):
    data_dir = tmp_path / "never-started"
    result = manage(command, embedded_env(data_dir))
    assert result.returncode == 0, result.stderr
    assert not data_dir.exists()
    assert processes_using(tmp_path) == []


def test_production_never_starts_embedded_servers(tmp_path):
    data_dir = tmp_path / "never-started"
    result = manage(["migrate"], {**embedded_env(data_dir, "production"), "SECRET_KEY": GOOD_SECRET})
    assert result.returncode == 2
    assert "DATABASE_URL and REDIS_URL must be set in production" in result.stderr
    assert not data_dir.exists()
    assert processes_using(tmp_path) == []


def test_follow_up_delays_are_increasing_minutes_and_name_themselves_otherwise():
    assert checks.increasing_minutes("FOLLOW_UP_DELAYS_MINUTES", "10, 1440,4320") == (10, 1440, 4320)
    for bad in ("10,5", "0,10", "", "10m,1d"):
        with pytest.raises(checks.ConfigurationError, match="^FOLLOW_UP_DELAYS_MINUTES must be"):
            checks.increasing_minutes("FOLLOW_UP_DELAYS_MINUTES", bad)
