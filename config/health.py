"""Reachability of the services the app needs, reported as one line per problem naming the setting."""

import redis
from django.conf import settings
from django.db import connection
from django.db.utils import OperationalError


def check_services() -> list[str]:
    problems = []
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except OperationalError as exc:
        problems.append(f"DATABASE_URL: cannot connect ({_first_line(exc)})")
    for name, url in (("REDIS_URL", settings.REDIS_URL), ("CELERY_BROKER_URL", settings.CELERY_BROKER_URL)):
        try:
            redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2).ping()
        except redis.RedisError as exc:
            problems.append(f"{name}: cannot connect to {_without_password(url)} ({_first_line(exc)})")
    return problems


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _without_password(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.password:
        return url.replace(f":{parts.password}@", ":***@")
    return url
