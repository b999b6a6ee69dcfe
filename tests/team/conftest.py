"""Settings every routing test starts from (a fixed public address for the links, the pond after the groups)."""

import pytest


@pytest.fixture
def routing_settings(settings):
    settings.PUBLIC_BASE_URL = "https://leads.example.com"
    settings.ROUTING_AFTER_LAST_GROUP = "pond"
    settings.ROUTING_OWNER_EMAIL = ""
    settings.AGENT_ALERT_EMAILS = ["fixed-list@example.com"]
    return settings
