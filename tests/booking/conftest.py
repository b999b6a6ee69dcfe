import pytest


@pytest.fixture
def chicago_agent(db):
    """An agent working 9 to 5, Monday to Friday, in Chicago, taking every lead."""
    from django.contrib.auth.models import User

    from team.models import AgentProfile

    user = User.objects.create_user("dana", first_name="Dana", last_name="Reyes", email="dana@example.com",
                                    is_staff=True)
    return AgentProfile.objects.create(user=user, time_zone="America/Chicago", work_start="09:00", work_end="17:00")


@pytest.fixture
def eager_tasks(settings):
    """Celery tasks run in this process as they are queued (the invites' e-mail, the texts' send)."""
    from config.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = True
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


@pytest.fixture
def monday_morning():
    """Monday December 7 2026, 8:00 am in Chicago (14:00 UTC), the clock standing still."""
    from datetime import datetime, timezone

    import time_machine

    with time_machine.travel(datetime(2026, 12, 7, 14, 0, tzinfo=timezone.utc), tick=False) as traveller:
        yield traveller
