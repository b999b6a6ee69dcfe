"""The real Redis (cache, JSON only) and a real Celery worker process on the real broker."""

import json
import uuid

import pytest
from django.conf import settings
from django.core.cache import cache
from django_redis import get_redis_connection

from config.tasks import worker_health
from tests.support.celery_worker import running_worker


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
    with running_worker(project_env, queue=queue):
        result = worker_health.apply_async(queue=queue).get(timeout=60)
    assert result["problems"] == []
    assert result["hostname"]
    assert settings.CELERY_TASK_ACKS_LATE and settings.CELERY_WORKER_PREFETCH_MULTIPLIER == 1
