"""`simulate_sms` against a live server, its tasks run eagerly in the server's thread (console SMS backend): what it
prints is the conversation and nothing else (no HTTP log line), a text held back by quiet hours says until when in
the prospect's time, and a text that gets no reply says why. The same command on a real Celery worker is in
tests/sms/test_real_worker.py."""

import logging
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils import timezone

from leads.models import Message

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

NEW_YORK = ZoneInfo("America/New_York")


@pytest.fixture
def app(live_server, settings):
    from config.celery import app as celery_app

    settings.PUBLIC_BASE_URL = live_server.url  # where the command signs and posts
    settings.SMS_BACKEND, settings.ANTHROPIC_API_KEY = "console", ""
    settings.SMS_SEND_FROM_HOUR, settings.SMS_SEND_UNTIL_HOUR = 0, 24
    celery_app.conf.task_always_eager = True
    yield live_server.url
    celery_app.conf.task_always_eager = False


def text(url, sender, body, capsys) -> list[str]:
    call_command("simulate_sms", body, "--from", sender, "--url", url, "--wait", "30")
    return capsys.readouterr().out.splitlines()


def test_the_output_is_the_conversation_only(app, capsys, caplog):
    caplog.set_level(logging.INFO)
    lines = text(app, "+1 512 555 0231", "hi, we want to buy a house", capsys)
    assert lines == ["you (+15125550231): hi, we want to buy a house",
                     "bot: Hi! Thanks for reaching out to our real estate team. Who am I texting with?"]
    assert not [record for record in caplog.records if record.name.startswith("httpx")]


def test_a_deferred_reply_says_until_when_in_the_prospects_time(app, settings, capsys):
    # Sending hours that start in the coming hour, New York time: the reply waits for them, whenever the test runs.
    opens = (timezone.now().astimezone(NEW_YORK).hour + 1) % 24
    settings.SMS_SEND_FROM_HOUR, settings.SMS_SEND_UNTIL_HOUR = opens, opens + 1
    lines = text(app, "+1 212 555 0232", "hi, we want to buy a house", capsys)
    reply = Message.objects.get(reply_to__body="hi, we want to buy a house")
    local = reply.send_after.astimezone(NEW_YORK)
    assert local.hour == opens and local.minute == 0
    clock = f"{local.hour % 12 or 12}:00 {'AM' if local.hour < 12 else 'PM'}"
    assert lines[-1] == (f"bot: {reply.body} [held back by quiet hours: goes out {local:%a %b} {local.day}, {clock} "
                         "their time (America/New_York)]")


def test_no_reply_says_why(app, capsys):
    lines = text(app, "+1 512 555 0233", "can I talk to a real person please?", capsys)
    assert "One of our agents will" in lines[-1]
    assert text(app, "+1 512 555 0233", "hello?", capsys)[-1] == (
        "(no reply: handed to an agent (asked for a person); the bot stays silent until one answers)")

    lines = text(app, "+1 512 555 0234", "please stop texting me", capsys)
    assert lines.count("(keyword Opt-out (STOP...) handled)") == 1  # said once, however long the reply takes
    assert lines[-1].startswith("bot: You're unsubscribed")
    assert text(app, "+1 512 555 0234", "hello?", capsys)[-1] == "(no reply: the contact has opted out)"
