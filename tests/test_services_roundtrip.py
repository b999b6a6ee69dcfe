"""The real Redis (cache, JSON only) and a real Celery worker process on the real broker."""

import json
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django_redis import get_redis_connection

from config.tasks import worker_health

PROJECT = Path(__file__).resolve().parent.parent


def test_cache_stores_json_not_pickle():
    key = f"roundtrip:{uuid.uuid4().hex}"
    cache.set(key, {"intent": "buyer", "budget": 450000}, timeout=30)
    assert cache.get(key) == {"intent": "buyer", "budget": 450000}
    raw = get_redis_connection("default").get(cache.make_key(key))
    assert json.loads(raw) == {"intent": "buyer", "budget": 450000}


@pytest.mark.slow
def test_task_round_trip_through_a_real_worker(project_env):
    # A queue of its own, so a development worker that may be running elsewhere cannot take the task.
    queue = f"test-{uuid.uuid4().hex[:8]}"
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "-Q", queue, "--loglevel=WARNING",
         "--without-heartbeat", "--without-mingle", "--without-gossip"],
        cwd=PROJECT, env=project_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        result = worker_health.apply_async(queue=queue).get(timeout=60)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    assert result["problems"] == []
    assert result["hostname"]
    assert settings.CELERY_TASK_ACKS_LATE and settings.CELERY_WORKER_PREFETCH_MULTIPLIER == 1
