import pytest

from tests.support.webhook_receiver import running_receiver


@pytest.fixture
def receiver():
    with running_receiver() as receiver:
        yield receiver


@pytest.fixture
def endpoint(receiver):
    """An active webhook endpoint at the local receiver, subscribed to every event."""
    from crm.models import WebhookEndpoint

    return WebhookEndpoint.objects.create(url=receiver.url, secret="shared-secret-for-tests", description="Test CRM")


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run the block's on-commit callbacks as a commit would (the test's own transaction never commits): the domain
    events, the deliveries they record, and the queuing of those deliveries' tasks."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
