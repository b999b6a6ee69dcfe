"""The test run as an entry point: it starts (or reuses) the embedded servers before Django reads its settings,
and stops at the end only the servers it started (a running `make run` keeps its own).

Django is configured here, in pytest_configure, rather than from pytest.ini's DJANGO_SETTINGS_MODULE: with the
ini setting pytest-django would import the settings before any conftest runs, i.e. before the servers exist.
pytest-django's own pytest_configure (trylast) then sets Django up."""

import os
from pathlib import Path

import pytest

os.environ.setdefault("DJANGO_ENV", "test")
# The test run keeps its embedded servers in a folder of its own: the fault tests stop and restart them under a
# worker, and a `make run` open in another terminal (servers in .local/) must not lose its database and broker.
os.environ.setdefault("EMBEDDED_DATA_DIR", str(Path(__file__).resolve().parent / ".local" / "test-services"))

_started: tuple[str, ...] = ()


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config):
    global _started
    if config.getoption("help") or config.getoption("version"):
        return
    from config import embedded

    try:
        _started = embedded.provide()
    except embedded.EmbeddedServiceError as exc:
        raise pytest.UsageError(f"configuration error: {exc}") from exc
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.conf import settings

    settings.INSTALLED_APPS  # noqa: B018 - loads (and checks) the settings now, so pytest-django sets Django up


def pytest_unconfigure(config):
    if _started:
        from django.conf import settings

        from config import embedded

        embedded.stop(settings.EMBEDDED_DATA_DIR, services=_started)
