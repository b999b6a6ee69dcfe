import pytest


@pytest.fixture
def chicago_agent(db):
    """An agent working 9 to 5, Monday to Friday, in Chicago, taking every lead."""
    from django.contrib.auth.models import User

    from team.models import AgentProfile

    user = User.objects.create_user("dana", first_name="Dana", last_name="Reyes", email="dana@example.com",
                                    is_staff=True)
    return AgentProfile.objects.create(user=user, time_zone="America/Chicago", work_start="09:00", work_end="17:00")
