"""Settings parsing: each bad value fails fast with one line naming the setting (run as a new process would)."""

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.filterwarnings("ignore:Engine not recognized")

from config import env as checks

PROJECT = Path(__file__).resolve().parent.parent
GOOD_SECRET = "k" * 20 + "-a-long-random-production-secret-value-0123456789"
TWILIO_ENV = {"TWILIO_AUTH_TOKEN": "a" * 32, "TWILIO_ACCOUNT_SID": "AC" + "1" * 32, "TWILIO_FROM_NUMBER": "+15005550006"}


def manage(args, env):
    return subprocess.run([sys.executable, "manage.py", *args], cwd=PROJECT, env=env, capture_output=True,
                          text=True, timeout=120)


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


def test_production_settings_pass_the_deploy_check(project_env):
    env = {**project_env, **TWILIO_ENV, "DJANGO_ENV": "production", "SECRET_KEY": GOOD_SECRET,
           "ALLOWED_HOSTS": "leads.example.com", "PUBLIC_BASE_URL": "https://leads.example.com"}
    result = manage(["check", "--deploy", "--fail-level", "WARNING"], env)
    assert result.returncode == 0, result.stderr + result.stdout
