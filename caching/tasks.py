from celery import shared_task

from caching.services import get_cache


@shared_task(name="caching.purge_expired")
def purge_expired() -> int:
    """Delete expired semantic-cache rows (Redis and L1 expire their own). Safe to run twice."""
    return get_cache().purge_expired()


@shared_task(name="caching.audit_guard")
def audit_guard(entry_id: int) -> bool:
    """Count whether the guard refused a near-miss for the stored semantic entry `entry_id`. Safe to run twice:
    an entry is counted once."""
    return get_cache().audit_guard(entry_id)
