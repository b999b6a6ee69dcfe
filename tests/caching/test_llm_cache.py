"""The 3-tier cache against the real Redis and the real PostgreSQL+pgvector.

A fresh `LLMCache()` stands for another worker process: it has its own empty L1 and shares L2/L3.
"""

import json
import threading
import time
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone
from django_redis import get_redis_connection

from caching.keys import REDIS_KEY_PREFIX, Scope
from caching.models import SemanticCacheEntry
from caching.policy import POLICIES, CallKind, Tier, ttl_for
from caching.services import Computed, LLMCache, LookupRequest, _embedding, get_cache, with_options
from caching.tasks import audit_guard
from leads.models import Temperature
from tests.support.factories import ContactFactory

pytestmark = pytest.mark.django_db

TIMELINE_QUESTION = "What's your timeline for making a move?"


class Counter:
    """A compute function that records how often the 'LLM' was really called."""

    def __init__(self, value, cost=0.002, tokens=1500, delay=0.0):
        self.value, self.cost, self.tokens, self.delay = value, cost, tokens, delay
        self.calls = 0
        self._lock = threading.Lock()

    def __call__(self):
        with self._lock:
            self.calls += 1
        if self.delay:
            time.sleep(self.delay)
        return Computed(self.value, self.cost, self.tokens)


def unique(text):
    return f"{text} {uuid.uuid4().hex[:6]}"


def test_miss_then_l1_then_l2_in_another_process_then_backfilled():
    parts = [unique("market austin 78704")]
    compute = Counter({"median_price": 612000})
    worker_a, worker_b = LLMCache(), LLMCache()

    first = worker_a.get_or_compute(CallKind.INTENT, Scope.shared(), parts, compute)
    assert (first.tier, first.value, compute.calls) == (Tier.MISS, {"median_price": 612000}, 1)
    assert worker_a.get_or_compute(CallKind.INTENT, Scope.shared(), parts, compute).tier == Tier.L1

    from_redis = worker_b.get_or_compute(CallKind.INTENT, Scope.shared(), parts, compute)
    assert (from_redis.tier, from_redis.value) == (Tier.L2, {"median_price": 612000})
    assert worker_b.get_or_compute(CallKind.INTENT, Scope.shared(), parts, compute).tier == Tier.L1  # backfilled
    assert compute.calls == 1


def test_keys_are_structured_and_values_are_json():
    contact = ContactFactory()
    result = LLMCache().get_or_compute(CallKind.SCORING, Scope.for_contact(contact), [unique("facts")], Counter({"frs": 40}),
                                       model="claude-x", prompt_version="p3")
    kind, scope, contact_id, version, digest = result.key.split(":")
    assert (kind, scope, contact_id, version) == ("scoring", "contact", str(contact.pk), f"v0.{contact.cache_version}")
    assert len(digest) == 64
    raw = get_redis_connection("llm").get(REDIS_KEY_PREFIX + result.key)
    assert json.loads(raw)["v"] == {"frs": 40}  # JSON on the wire, never a pickle


def test_model_and_prompt_version_are_part_of_the_key():
    parts = [unique("same parts")]
    cache = LLMCache()
    compute = Counter("v")
    cache.get_or_compute(CallKind.INTENT, Scope.shared(), parts, compute, model="m1", prompt_version="1")
    cache.get_or_compute(CallKind.INTENT, Scope.shared(), parts, compute, model="m2", prompt_version="1")
    cache.get_or_compute(CallKind.INTENT, Scope.shared(), parts, compute, model="m1", prompt_version="2")
    assert compute.calls == 3


def test_l3_serves_a_typo_variant_and_backfills_l2_and_l1():
    context = f"{TIMELINE_QUESTION} ({uuid.uuid4().hex[:6]})"  # a question no other test stored under
    first = LLMCache().get_or_compute(CallKind.INTENT, Scope.shared(), ["we're moving in like 2 months", context],
                                      Counter({"intent": "provide_info"}), text="we're moving in like 2 months",
                                      context=context)
    assert first.tier == Tier.MISS

    compute = Counter({"intent": "WRONG: should have been served from L3"})
    worker = LLMCache()
    variant = "we r moving in like 2 monthes"
    hit = worker.get_or_compute(CallKind.INTENT, Scope.shared(), [variant, context], compute, text=variant, context=context)
    assert hit.tier == Tier.L3 and hit.value == {"intent": "provide_info"} and compute.calls == 0
    assert hit.similarity >= POLICIES[CallKind.INTENT].l3_min_similarity
    assert worker.get_or_compute(CallKind.INTENT, Scope.shared(), [variant, context], compute, text=variant,
                                 context=context).tier == Tier.L1
    # The L3 hit is copied into Redis off the look-up's path: until the worker flushes, another process finds it in L3.
    assert LLMCache().get_or_compute(CallKind.INTENT, Scope.shared(), [variant, context], compute, text=variant,
                                     context=context).tier == Tier.L3
    worker.flush_bookkeeping()
    assert LLMCache().get_or_compute(CallKind.INTENT, Scope.shared(), [variant, context], compute, text=variant,
                                     context=context).tier == Tier.L2
    assert SemanticCacheEntry.objects.get(pk__isnull=False, text="we're moving in like 2 months",
                                          context_hash__isnull=False).hit_count == 1


def test_l3_hits_are_counted_off_the_look_up_and_written_in_one_statement(django_assert_num_queries):
    context = unique("")
    texts = ["we're moving in like 2 months", "we are pre-approved for $450k"]
    for text in texts:
        LLMCache().get_or_compute(CallKind.FACTS, Scope.shared(), [text, context], Counter({"from": text}), text=text,
                                  context=context)
    reader = with_options(l1=False, l2=False)  # every look-up goes to L3
    with django_assert_num_queries(3):  # the three look-ups' queries: no UPDATE of the hit counts among them
        for text in (texts[0], texts[0], texts[1]):
            assert reader.get_or_compute(CallKind.FACTS, Scope.shared(), [text + "!", context], Counter({}),
                                         text=text + "!", context=context).tier == Tier.L3
    entries = SemanticCacheEntry.objects.filter(text__in=texts)
    assert sorted(entries.values_list("hit_count", flat=True)) == [0, 0]
    with django_assert_num_queries(1):  # and, with no exact tier switched on, no Redis write
        reader.flush_bookkeeping()
    assert {e.text: e.hit_count for e in entries} == {texts[0]: 2, texts[1]: 1}
    assert all(e.last_hit_at is not None for e in entries)
    with django_assert_num_queries(0):  # nothing left to write
        reader.flush_bookkeeping()


@pytest.mark.parametrize(
    "stored, asked",
    [
        ("we are pre-approved for $450k", "we are not pre-approved for $450k"),
        ("we want to buy a 3br condo", "we want to sell a 3br condo"),
        ("looking for homes in 78704 under 600k", "looking for homes in 78704 under 700k"),
        ("we want to buy within 3 months", "we want to buy within 3 years"),
    ],
)
def test_guard_refuses_near_misses_that_embeddings_call_similar(stored, asked, settings, eager_tasks,
                                                                django_capture_on_commit_callbacks):
    settings.LLM_CACHE_GUARD_AUDIT_RATE = 1.0  # every guarded miss is re-checked
    context = unique("")
    LLMCache().get_or_compute(CallKind.FACTS, Scope.shared(), [stored, context], Counter({"from": stored}), text=stored,
                              context=context)
    compute = Counter({"from": asked})
    guarded = LLMCache()
    with django_capture_on_commit_callbacks(execute=True) as audits:  # the audit task, queued once the turn commits
        result = guarded.get_or_compute(CallKind.FACTS, Scope.shared(), [asked, context], compute, text=asked,
                                        context=context)
    assert result.tier == Tier.MISS and result.value == {"from": asked}
    assert len(audits) == 1

    # The refusal is counted for the dashboard: similarity alone would have served the stored answer.
    get_cache().metrics.flush()  # the task counts in the process's cache
    assert guarded.metrics.read().get("facts", "L3", "guard_rejections") == 1

    # The task is safe to run twice: the same entry is not counted again.
    newest = SemanticCacheEntry.objects.filter(text=asked).latest("id").pk
    assert audit_guard(newest) is False
    get_cache().metrics.flush()
    assert guarded.metrics.read().get("facts", "L3", "guard_rejections") == 1

    # Without the guard the same look-up would have served the wrong stored answer.
    unguarded = with_options(guard=False)
    wrong = unguarded.get_or_compute(CallKind.FACTS, Scope.shared(), [asked, context, "no-guard"], compute, text=asked,
                                     context=context)
    assert wrong.similarity is not None and wrong.similarity > 0.5


def test_a_sampled_guard_audit_counts_each_refusal_for_the_misses_it_did_not_check(settings, eager_tasks,
                                                                                    django_capture_on_commit_callbacks):
    import random

    settings.LLM_CACHE_GUARD_AUDIT_RATE = 0.25
    random.seed(7)
    stored, asked = "we are pre-approved for $450k", "we are not pre-approved for $450k"
    guarded = LLMCache()
    misses = 40
    for number in range(misses):
        context = unique("")
        LLMCache().get_or_compute(CallKind.FACTS, Scope.shared(), [stored, context], Counter({"from": stored}),
                                  text=stored, context=context)
        with django_capture_on_commit_callbacks(execute=True):
            guarded.get_or_compute(CallKind.FACTS, Scope.shared(), [asked, context], Counter({"from": asked}),
                                   text=asked, context=context)
    get_cache().metrics.flush()
    estimate = guarded.metrics.read().get("facts", "L3", "guard_rejections")
    assert estimate % 4 == 0 and 0 < estimate < 4 * misses  # a sample, each check counting for four misses
    assert abs(estimate - misses) <= 24


@pytest.fixture
def eager_tasks():
    from config.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


def test_the_preceding_question_separates_short_replies():
    LLMCache().get_or_compute(CallKind.FACTS, Scope.shared(), ["3", "How many bedrooms do you need?"], Counter({"bedrooms": 3}),
                              text="3", context="How many bedrooms do you need?")
    result = LLMCache().get_or_compute(CallKind.FACTS, Scope.shared(), ["3", "How many months until you move?"],
                                       Counter({"timeline_days": 90}), text="3", context="How many months until you move?")
    assert result.tier == Tier.MISS and result.value == {"timeline_days": 90}


def test_two_contacts_sending_the_same_text_never_share_contact_data():
    alice, bob = ContactFactory(), ContactFactory()
    text = unique("what did you say the price was?")
    for kind in (CallKind.RESPONSE, CallKind.MEMORY, CallKind.SCORING):
        LLMCache().get_or_compute(kind, Scope.for_contact(alice), [text], Counter({"for": "alice"}), text=text)
        for worker in (LLMCache(), LLMCache()):  # L2 and L3 shared, fresh L1 each
            result = worker.get_or_compute(kind, Scope.for_contact(bob), [text], Counter({"for": "bob"}), text=text)
            assert result.value == {"for": "bob"}, f"{kind} leaked from alice in tier {result.tier}"
    # One process serving both: bob's L1 lookups never see alice's entries either.
    same_process = LLMCache()
    same_process.get_or_compute(CallKind.RESPONSE, Scope.for_contact(alice), [text, 2], Counter({"for": "alice"}), text=text)
    assert same_process.get_or_compute(CallKind.RESPONSE, Scope.for_contact(bob), [text, 2], Counter({"for": "bob"}),
                                       text=text).value == {"for": "bob"}


def test_contact_data_cannot_be_cached_in_the_shared_scope():
    with pytest.raises(ValueError, match="contact scope"):
        LLMCache().get_or_compute(CallKind.RESPONSE, Scope.shared(), ["x"], Counter("x"))
    with pytest.raises(ValueError, match="global scope"):
        LLMCache().get_or_compute(CallKind.INTENT, Scope.for_contact(ContactFactory()), ["x"], Counter("x"))


def test_temperature_change_invalidates_every_tier_in_every_process():
    contact = ContactFactory(temperature=Temperature.COLD)
    text = unique("we are pre-approved and want to move in 30 days")
    worker_a, worker_b = LLMCache(), LLMCache()
    for worker in (worker_a, worker_b):  # both processes hold the entry in their L1
        worker.get_or_compute(CallKind.RESPONSE, Scope.for_contact(contact), [text], Counter({"reply": "cold"}), text=text)
    old_version = contact.cache_version

    contact.temperature = Temperature.WARM
    contact.save()  # the post_save signal calls the invalidation service
    assert contact.cache_version == old_version + 1

    fresh = type(contact).objects.get(pk=contact.pk)
    for worker in (worker_a, worker_b, LLMCache()):
        compute = Counter({"reply": "warm"})
        result = worker.get_or_compute(CallKind.RESPONSE, Scope.for_contact(fresh), [text], compute, text=text)
        assert (result.tier, result.value) in ((Tier.MISS, {"reply": "warm"}), (Tier.L2, {"reply": "warm"}))
    assert not SemanticCacheEntry.objects.filter(scope=f"contact:{contact.pk}", version=f"0.{old_version}").exists()


def test_saving_without_a_temperature_change_keeps_the_cache():
    contact = ContactFactory()
    version = contact.cache_version
    contact.name = "Renamed"
    contact.save()
    contact.refresh_from_db()
    assert contact.cache_version == version


def test_invalidating_a_kind_retires_it_everywhere():
    parts = [unique("market")]
    worker_a, worker_b = LLMCache(), LLMCache()
    worker_a.get_or_compute(CallKind.INTENT, Scope.shared(), parts, Counter("old"))
    assert worker_b.get_or_compute(CallKind.INTENT, Scope.shared(), parts, Counter("unused")).tier == Tier.L2

    worker_a.invalidate_kind(CallKind.INTENT)
    assert worker_a.get_or_compute(CallKind.INTENT, Scope.shared(), parts, Counter("new")).value == "new"
    time.sleep(1.1)  # other processes re-read the kind generations at most once a second
    assert worker_b.get_or_compute(CallKind.INTENT, Scope.shared(), parts, Counter("unused")).value == "new"


def test_adaptive_ttl_shortens_with_conversation_speed_within_bounds():
    base = POLICIES[CallKind.RESPONSE].ttl_seconds
    assert ttl_for(CallKind.RESPONSE, None) == base
    assert ttl_for(CallKind.RESPONSE, 0.1) > ttl_for(CallKind.RESPONSE, 2) > ttl_for(CallKind.RESPONSE, 6)
    assert ttl_for(CallKind.RESPONSE, 2) == base // 2
    assert ttl_for(CallKind.RESPONSE, 1000) == int(base * 0.25)
    assert ttl_for(CallKind.INTENT, 1000) == 30 * 86400  # shared kinds keep their fixed TTL, in days: they are pure
    assert (ttl_for(CallKind.SCORING, None), ttl_for(CallKind.INTENT, None), ttl_for(CallKind.FACTS, None)) == (
        15 * 60, 30 * 86400, 30 * 86400)

    contact = ContactFactory()
    result = LLMCache().get_or_compute(CallKind.RESPONSE, Scope.for_contact(contact), [unique("x")], Counter("r"),
                                       messages_per_minute=6)
    redis_ttl = get_redis_connection("llm").ttl(REDIS_KEY_PREFIX + result.key)
    assert base * 0.25 - 5 <= redis_ttl <= base * 0.25


def test_concurrent_misses_in_threads_compute_once():
    cache = LLMCache()
    parts = [unique("single flight")]
    compute = Counter({"answer": 42}, delay=0.3)
    results = []

    def ask():
        results.append(cache.get_or_compute(CallKind.INTENT, Scope.shared(), parts, compute))

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert compute.calls == 1
    assert [r.value for r in results] == [{"answer": 42}] * 8
    assert sum(r.tier == Tier.MISS for r in results) == 1


def test_a_batchs_misses_take_their_cross_process_locks_together_and_another_process_waits_for_their_results():
    keys = [[unique("batched flight")] for _ in range(3)]
    leader = LLMCache()
    found = leader.look_up_many([LookupRequest(CallKind.INTENT, Scope.shared(), parts) for parts in keys])
    assert all(p.answered is None and p.claim.lock is not None for p in found)
    redis = get_redis_connection("llm")
    assert all(redis.get(p.claim.lock.name) == p.claim.lock.local.token for p in found)  # each lock its own token

    other = LLMCache()  # another process: the locks are held, so it waits for the leader's values through Redis
    answers = []
    waiting = threading.Thread(target=lambda: answers.append(other.get_or_compute(
        CallKind.INTENT, Scope.shared(), keys[1], Counter({"from": "the other process"}))))
    waiting.start()
    time.sleep(0.1)
    for index, pending in enumerate(found):
        leader.complete(pending, lambda index=index: {"from": f"leader {index}"})
    waiting.join()
    assert answers[0].tier == Tier.L2 and answers[0].value == {"from": "leader 1"}
    assert not any(redis.exists(p.claim.lock.name) for p in found)  # every lock released


def test_an_embedding_is_computed_once_per_text():
    text, context = unique("we have a 4 bed house to sell"), "Are you looking to buy or sell?"
    before = _embedding.cache_info().misses
    cache = LLMCache()
    cache.get_or_compute(CallKind.INTENT, Scope.shared(), [text, context], Counter("seller"), text=text, context=context)
    cache.get_or_compute(CallKind.FACTS, Scope.shared(), [text, context], Counter({"bedrooms": 4}), text=text, context=context)
    assert _embedding.cache_info().misses == before + 1


def test_expired_semantic_rows_are_purged():
    from caching.tasks import purge_expired

    cache = LLMCache()
    cache.get_or_compute(CallKind.INTENT, Scope.shared(), [unique("a")], Counter("x"), text=unique("old news"))
    cache.get_or_compute(CallKind.INTENT, Scope.shared(), [unique("b")], Counter("y"), text=unique("fresh news"))
    SemanticCacheEntry.objects.filter(text__startswith="old news").update(expires_at=timezone.now() - timedelta(seconds=1))
    assert purge_expired() == 1
    assert purge_expired() == 0  # safe to run twice
    assert SemanticCacheEntry.objects.filter(text__startswith="fresh news").count() == 1


def test_expired_semantic_rows_are_never_served():
    context = unique("ctx")
    text = "we're moving in like 2 months"
    LLMCache().get_or_compute(CallKind.INTENT, Scope.shared(), [text, context], Counter("old"), text=text, context=context)
    SemanticCacheEntry.objects.filter(context_hash__isnull=False, text=text).update(expires_at=timezone.now())
    variant = "we r moving in like 2 monthes"
    result = LLMCache().get_or_compute(CallKind.INTENT, Scope.shared(), [variant, context], Counter("new"), text=variant,
                                       context=context)
    assert result.tier == Tier.MISS


def test_metrics_add_up_hits_misses_and_savings():
    from caching.selectors import cache_stats

    cache = LLMCache()
    cache.metrics.reset()
    parts = [unique("metrics")]
    compute = Counter("value", cost=0.0125, tokens=2000)
    cache.get_or_compute(CallKind.INTENT, Scope.shared(), parts, compute)          # miss
    cache.get_or_compute(CallKind.INTENT, Scope.shared(), parts, compute)          # L1
    LLMCache().get_or_compute(CallKind.INTENT, Scope.shared(), parts, compute)     # L2 (another process's recorder)
    rows = {(r.kind, r.tier): r for r in cache_stats(cache.metrics)}
    assert rows[("intent", "miss")].count == 1
    assert rows[("intent", "L1")].count == 1
    assert rows[("intent", "L1")].saved_usd == pytest.approx(0.0125)
    assert rows[("intent", "L1")].saved_tokens == 2000
    assert rows[("intent", "L1")].p95_ms <= 1


def test_look_up_many_answers_each_look_up_as_look_up_would_with_one_statement_for_the_semantic_tier(
        django_assert_num_queries):
    context = unique("")
    stored = {"we're moving in like 2 months": CallKind.INTENT, "we are pre-approved for $450k": CallKind.FACTS}
    for text, kind in stored.items():
        LLMCache().get_or_compute(kind, Scope.shared(), [text, context], Counter({"from": text}), text=text,
                                  context=context)
    exact = unique("exact")
    LLMCache().get_or_compute(CallKind.INTENT, Scope.shared(), [exact], Counter({"from": "exact"}))
    requests = [LookupRequest(kind, Scope.shared(), [text + "!", context], text=text + "!", context=context)
                for text, kind in stored.items()]
    requests += [LookupRequest(CallKind.INTENT, Scope.shared(), [exact]),
                 LookupRequest(CallKind.FACTS, Scope.shared(), [unique("nobody said this")], text="nobody said this",
                               context=context)]
    worker = LLMCache()
    with django_assert_num_queries(1):  # the three semantic look-ups in one statement
        found = worker.look_up_many(requests)
    assert [p.answered.tier if p.answered else "miss" for p in found] == [Tier.L3, Tier.L3, Tier.L2, "miss"]
    assert [p.answered.value for p in found[:3]] == [{"from": text} for text in stored] + [{"from": "exact"}]
    assert all(p.answered.lookup_ms > 0 for p in found[:3]) and found[3].lookup_ms > 0
    worker.complete(found[3], lambda: {"from": "computed"})  # the miss holds its single flight until completed
    for request, pending in zip(requests, found):  # one at a time, from L1 now: the same answers
        assert worker.look_up(request.kind, request.scope, request.key_parts, text=request.text,
                              context=request.context).answered.tier == Tier.L1
