"""The Celery app. Every Django process imports it (config/__init__.py) so @shared_task binds to it.

The Celery command line (`celery -A config worker|beat|...`) is an entry point: it starts (or reuses) the
embedded servers, when DATABASE_URL/REDIS_URL are unset outside production, before the app reads the settings.
Importing this module anywhere else starts nothing."""

import os
import sys

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

if "celery.bin.celery" in sys.modules:  # loaded by the `celery` command line (`-A config`), not by Django
    from config import embedded

    embedded.provide()

app = Celery("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.worker_init.connect
def import_sdks_at_boot(**kwargs):
    # The SDKs are imported where they are used (manage.py stays fast); a worker imports them once at boot, before
    # it forks its pool, so the first turn after a deploy does not wait ~2 s for them.
    import anthropic  # noqa: F401
    import twilio.rest  # noqa: F401
