"""What the test packages share: the project's root, a real Celery worker process, signed Twilio webhooks, a fake
Twilio REST API and a fake Claude at the HTTP layer, management commands run in-process, and the factories."""

from pathlib import Path

# The repository root: where child processes (manage.py, celery, scripts/) run.
PROJECT = Path(__file__).resolve().parents[2]
