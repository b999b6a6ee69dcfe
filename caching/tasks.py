from celery import shared_task

from caching.services import get_cache


@shared_task(name="caching.purge_expired")
def purge_expired() -> int:
    """Delete expired semantic-cache rows (Redis and L1 expire their own). Safe to run twice."""
    return get_cache().purge_expired()
