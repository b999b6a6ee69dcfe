"""Reading and checking the environment. Every setting the project reads from the environment is parsed here,
and a bad value raises ConfigurationError with one line that names the setting."""

from __future__ import annotations

from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured

INSECURE_SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production"


class ConfigurationError(ImproperlyConfigured):
    """A setting is missing or invalid; str() is one line naming the setting."""


def database_config(url: str) -> dict:
    try:
        config = environ.Env.db_url_config(url)
    except (ValueError, ImproperlyConfigured) as exc:
        raise ConfigurationError(f"DATABASE_URL is not a valid database URL ({exc})") from exc
    if config.get("ENGINE") != "django.db.backends.postgresql" or not config.get("NAME"):
        raise ConfigurationError(
            "DATABASE_URL must be postgres://USER:PASSWORD@HOST:PORT/NAME (PostgreSQL with pgvector)"
        )
    config["CONN_MAX_AGE"] = 60
    config["CONN_HEALTH_CHECKS"] = True
    config.setdefault("OPTIONS", {})["connect_timeout"] = 5
    return config


def redis_url(name: str, url: str) -> str:
    try:
        parts = urlsplit(url)
        parts.port  # raises ValueError on a non-numeric port
    except ValueError as exc:
        raise ConfigurationError(f"{name} is not a valid Redis URL ({exc})") from exc
    if parts.scheme not in ("redis", "rediss", "unix") or (parts.scheme != "unix" and not parts.hostname):
        raise ConfigurationError(f"{name} must look like redis://HOST:PORT/DB (got scheme {parts.scheme or 'none'!r})")
    return url


def email_config(url: str) -> dict:
    """Django's EMAIL_* settings from one URL; only the ones the URL sets (Django's defaults stay for the rest)."""
    try:
        config = environ.Env.email_url_config(url)
    except (KeyError, ValueError, ImproperlyConfigured) as exc:
        schemes = ", ".join(f"{scheme}://" for scheme in environ.Env.EMAIL_SCHEMES)
        raise ConfigurationError(f"EMAIL_URL must be one of {schemes} (got {exc})") from exc
    return {name: value for name, value in config.items() if value not in (None, "")}


TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


def boolean(name: str, raw: str | None, default: bool) -> bool:
    """Strict: a typo such as DEBUG=ture is an error, not a silent False."""
    if raw is None:
        return default
    word = raw.strip().lower()
    if word in TRUE_WORDS or word in FALSE_WORDS:
        return word in TRUE_WORDS
    raise ConfigurationError(f"{name} must be true or false (got {raw!r})")


def choice(name: str, value: str, allowed: tuple[str, ...]) -> str:
    word = value.strip().lower()
    if word not in allowed:
        raise ConfigurationError(f"{name} must be one of {', '.join(allowed)} (got {value!r})")
    return word


def increasing_minutes(name: str, raw: str) -> tuple[int, ...]:
    """A comma-separated list of whole minutes, each later than the one before ("10,1440,4320")."""
    try:
        minutes = tuple(int(part) for part in raw.split(",") if part.strip())
    except ValueError as exc:
        raise ConfigurationError(f"{name} must be whole minutes separated by commas (got {raw!r})") from exc
    if not minutes or minutes[0] <= 0 or any(b <= a for a, b in zip(minutes, minutes[1:])):
        raise ConfigurationError(f"{name} must be positive minutes, each later than the one before (got {raw!r})")
    return minutes


def secret_key(value: str, production: bool) -> str:
    if production and (not value or value == INSECURE_SECRET_KEY or value.startswith("django-insecure") or len(value) < 50):
        raise ConfigurationError("SECRET_KEY must be set to a random value of 50+ characters in production")
    return value or INSECURE_SECRET_KEY
