import os

os.environ.setdefault("DJANGO_ENV", "test")

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def empty_test_redis():
    """Each test starts with an empty Redis database (on the embedded server tests own one database; an external
    REDIS_URL is never flushed)."""
    from django.conf import settings
    from django_redis import get_redis_connection

    if settings.TEST_REDIS_DB is not None and settings.REDIS_URL.endswith(f"/{settings.TEST_REDIS_DB}"):
        get_redis_connection("default").flushdb()
    yield


@pytest.fixture
def project_env(django_db_setup):
    """Environment for a child process of this project: same services as the tests, no inherited overrides.
    It needs the test database created first: until then the settings name the development database."""
    from django.conf import settings

    child = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL")}
    child.update(DJANGO_ENV="test", DATABASE_URL=_test_database_url(settings), REDIS_URL=settings.REDIS_URL)
    return child


def _test_database_url(settings):
    db = settings.DATABASES["default"]
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


@pytest.fixture
def agent(client):
    """A logged-in agent: staff, in the Agents group, not a superuser."""
    from django.contrib.auth.models import Group, User

    from agents.services import AGENTS_GROUP

    user = User.objects.create_user("dana", password="agent-password", is_staff=True)
    user.groups.add(Group.objects.get(name=AGENTS_GROUP))
    client.force_login(user)
    return user


@pytest.fixture
def metrics():
    """The process-wide cache's metrics, emptied (other tests' look-ups may still be waiting to be flushed)."""
    from caching.services import get_cache

    recorder = get_cache().metrics
    recorder.reset()
    yield recorder
    recorder.reset()


@pytest.fixture
def twilio(settings):
    """Sends go to Twilio's REST API, faked at the HTTP layer (tests/support/twilio.py): the `responses` mock, to
    `add` answers to and read `calls` from. Agent alerts by SMS are off unless a test sets AGENT_ALERT_PHONE."""
    import responses

    from sms.twilio_client import twilio_client
    from tests.support.twilio import ACCOUNT

    settings.SMS_BACKEND = "twilio"
    settings.TWILIO_ACCOUNT_SID = ACCOUNT
    settings.TWILIO_FROM_NUMBER = "+15005550006"
    settings.AGENT_ALERT_PHONE = ""
    twilio_client.cache_clear()
    with responses.RequestsMock(assert_all_requests_are_fired=False) as fake:
        yield fake
    twilio_client.cache_clear()
