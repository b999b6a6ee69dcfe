"""The security settings that must hold everywhere: JSON, never pickle, in Redis; the admin behind a login and CSRF;
no secrets in the repository."""

import re
import subprocess

import pytest
from django.test import Client
from django_redis import get_redis_connection

from bots.providers import TurnProvider
from caching.services import LLMCache
from tests.support import PROJECT
from tests.support.conversations import converse


@pytest.mark.django_db
def test_redis_holds_no_pickle_after_a_full_turn_and_task_round_trip(settings):
    settings.ANTHROPIC_API_KEY = ""
    converse("+15125550244", ["hi", "we want to buy a 3br"], TurnProvider(), LLMCache())
    from config.tasks import worker_health

    worker_health.apply_async(queue="nobody-listens-here")  # a queued Celery message, as the broker holds it
    for client in (get_redis_connection("default"), get_redis_connection("llm")):
        for key in client.scan_iter(count=1000):
            kind = client.type(key)
            values = ([client.get(key)] if kind == b"string" else client.lrange(key, 0, -1) if kind == b"list"
                      else list(client.hgetall(key).values()) if kind == b"hash" else [])
            for raw in values:
                assert not raw.startswith(b"\x80"), f"pickle under {key!r}"
    assert settings.CELERY_ACCEPT_CONTENT == ["json"] and settings.CELERY_TASK_SERIALIZER == "json"
    for alias in ("default", "llm"):
        assert settings.CACHES[alias]["OPTIONS"]["SERIALIZER"] == "django_redis.serializers.json.JSONSerializer"


@pytest.mark.django_db
def test_admin_needs_a_login_and_a_csrf_token():
    client = Client(enforce_csrf_checks=True)
    response = client.get("/admin/leads/contact/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert client.post("/admin/login/", {"username": "x", "password": "y"}).status_code == 403


def test_no_secrets_in_the_repository():
    tracked = subprocess.run(["git", "ls-files"], cwd=PROJECT, capture_output=True, text=True).stdout.split()
    if not tracked:
        pytest.skip("not a git checkout")
    patterns = [re.compile(rb"sk-ant-[A-Za-z0-9_\-]{20,}"), re.compile(rb"\bAC[0-9a-f]{32}\b"),
                re.compile(rb"\bSK[0-9a-f]{32}\b"), re.compile(rb"-----BEGIN [A-Z ]*PRIVATE KEY-----")]
    for path in tracked:
        file = PROJECT / path
        if not file.is_file() or file.suffix in (".png", ".json"):
            continue
        content = file.read_bytes()
        for pattern in patterns:
            assert not pattern.search(content), f"{path} holds something that looks like a secret"
    assert ".env" in (PROJECT / ".gitignore").read_text().split()
