"""A real browser, as an agent uses the product: headless Chromium (Debian's package, driven by Playwright) logs in
to the admin and goes through each screen. The contacts list (who has each conversation, opt-outs marked), the Hot
lead waiting at the top (waiting since when and why, only "Take over" offered), taking it over and texting the
prospect (then "Taken over by" the agent's name, only "Hand back" offered), a bot text held back by quiet hours that
an agent's take-over stops (the page says it will not be sent), a transcript with an opt-out in words, an opt-in and a
STOP marked, the dashboard's list of everyone waiting for an agent, and `/`. Texts go out through the outbound
service (console SMS backend, tasks run eagerly in the live server); the opt-outs come in through the inbound
service. Screenshots of the screens are written under .local/screenshots/ (untracked, so a test run leaves the work
tree clean); REFRESH_DOCS_SCREENSHOTS=1 writes them to docs/screenshots/ for README instead."""

import os
import uuid
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group, User
from django.db import connections
from django.utils import timezone

from agents.services import AGENTS_GROUP
from bots.models import LLMCall, Provider
from caching.keys import Scope
from caching.policy import CallKind
from caching.services import Computed, LLMCache, get_cache
from leads.models import (Author, BotKind, Contact, DeliveryStatus, Direction, LeadType, Message, ScoreEvent,
                          ScoreReason, Temperature)
from sms.inbound import receive_sms
from tests.support import PROJECT
from tests.support.factories import ContactFactory, ConversationFactory, MessageFactory

SCREENSHOTS = PROJECT / ("docs" if os.environ.get("REFRESH_DOCS_SCREENSHOTS") == "1" else ".local") / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
AGENT_PASSWORD = "a-long-agent-password"

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

MAYA_CONVERSATION = [
    (Direction.INBOUND, Author.PROSPECT, "Hi, saw your sign on Elm St. We're looking to buy"),
    (Direction.OUTBOUND, Author.BOT, "Hi! Thanks for reaching out. Who am I texting with?"),
    (Direction.INBOUND, Author.PROSPECT, "Maya"),
    (Direction.OUTBOUND, Author.BOT, "Nice to meet you, Maya! Have you been pre-approved for a mortgage yet?"),
    (Direction.INBOUND, Author.PROSPECT, "Yes, pre-approved for $650k"),
    (Direction.OUTBOUND, Author.BOT, "Great. Which neighborhoods are you looking in, and how many bedrooms?"),
    (Direction.INBOUND, Author.PROSPECT, "Noe Valley, 3 bedrooms, ideally within a month"),
    (Direction.OUTBOUND, Author.HANDOFF, "Perfect, Maya. One of our agents will text you shortly to set up showings."),
]


@pytest.fixture
def page(monkeypatch, settings):
    if not CHROMIUM.exists():
        pytest.skip("no Chromium at /usr/bin/chromium: install Debian's chromium and chromium-driver "
                    "(apt-get install chromium chromium-driver; .ci/run does) to run the browser test")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (requirements.txt)")
    # Playwright's sync API keeps an asyncio loop running in this thread, and Django refuses ORM calls from a thread
    # with a running loop; this test's own ORM calls are synchronous and safe, so it says so.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser.new_page(viewport={"width": 1440, "height": 900})
        finally:
            # Django keys database connections by async context, so the test's ORM calls inside Playwright got a
            # connection of their own; closed here, in that context, or it outlives the test (and then blocks
            # dropping the test database for 5 s).
            connections.close_all()
            browser.close()


@pytest.fixture
def eager_console_sms(settings):
    """Texts are sent by the outbound service inside the live server (console backend), at any hour."""
    from config.celery import app

    settings.SMS_BACKEND = "console"
    settings.SMS_SEND_FROM_HOUR, settings.SMS_SEND_UNTIL_HOUR = 0, 24
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


def at(contact_id, created_at, **changes):
    Contact.objects.filter(pk=contact_id).update(created_at=created_at, **changes)


def make_leads():
    now = timezone.now()
    maya = ContactFactory(phone="+14155550101", name="Maya Chen", lead_type=LeadType.BUYER, temperature=Temperature.HOT,
                          frs_score=95, pcs_score=90, needs_agent=True, bot_paused=True, handoff_reason="hot lead",
                          handoff_at=now - timedelta(minutes=12), bot_paused_at=now - timedelta(minutes=12),
                          facts={"financing": "pre_approved", "budget_max": 650000, "timeline_days": 30,
                                 "areas": ["Noe Valley"], "bedrooms": 3})
    conversation = ConversationFactory(contact=maya, active_bot=BotKind.BUYER)
    started = now - timedelta(minutes=40)
    for minute, (direction, author, body) in enumerate(MAYA_CONVERSATION):
        message = MessageFactory(conversation=conversation, direction=direction, author=author, body=body,
                                 status=DeliveryStatus.RECEIVED if direction == Direction.INBOUND else DeliveryStatus.DELIVERED)
        Message.objects.filter(pk=message.pk).update(created_at=started + timedelta(minutes=minute * 4))
    at(maya.pk, now - timedelta(hours=1), last_message_at=started + timedelta(minutes=28))
    for minutes, (frs, pcs, temperature) in ((8, (40, 0, Temperature.COLD)), (16, (75, 40, Temperature.WARM)),
                                             (28, (95, 90, Temperature.HOT))):
        event = ScoreEvent.objects.create(contact=maya, frs=frs, pcs=pcs, temperature=temperature, reason=ScoreReason.TURN)
        ScoreEvent.objects.filter(pk=event.pk).update(created_at=started + timedelta(minutes=minutes))
    for kind, cost in (("intent", "0.0011"), ("facts", "0.0012"), ("memory", "0.0009"), ("response", "0.0094")) * 4:
        LLMCall.objects.create(contact=maya, kind=kind, provider=Provider.ANTHROPIC, model="claude-haiku-4-5",
                               cost_usd=Decimal(cost))

    others = [
        ("+15125550102", "Luis Ortega", LeadType.SELLER, Temperature.WARM, BotKind.SELLER, {}, 2),
        ("+13055550103", "Priya Nair", LeadType.UNKNOWN, Temperature.COLD, BotKind.LEAD,
         {"bot_paused": True, "needs_agent": True, "handoff_reason": "asked for a person",
          "handoff_at": now - timedelta(minutes=35)}, 1),
        ("+12125550104", "Sam Okafor", LeadType.BUYER, Temperature.HOT, BotKind.BUYER,
         {"bot_paused": True, "needs_agent": True, "handoff_reason": "wants an appointment or a showing",
          "handoff_at": now - timedelta(minutes=5)}, 3),
        ("+17135550105", "Ana Lima", LeadType.BUYER, Temperature.WARM, BotKind.BUYER, {}, 5),
    ]
    for phone, name, lead_type, temperature, stage, flags, days_ago in others:
        contact = ContactFactory(phone=phone, name=name, lead_type=lead_type, temperature=temperature,
                                 frs_score={"hot": 88, "warm": 60, "cold": 15}[temperature],
                                 pcs_score={"hot": 85, "warm": 52, "cold": 10}[temperature], **flags)
        MessageFactory(conversation=ConversationFactory(contact=contact, active_bot=stage))
        at(contact.pk, now - timedelta(days=days_ago), last_message_at=now - timedelta(days=days_ago, minutes=-30))
        LLMCall.objects.create(contact=contact, kind="response", provider=Provider.ANTHROPIC, model="claude-sonnet-4-6",
                               cost_usd=Decimal("0.0042") * (days_ago % 4 + 1))
    return maya


def make_night_owl():
    """Kai texted the bot late at night in Honolulu; the bot's answer is held back by quiet hours until 8am there
    (the outbound service deferred it: its row as the service leaves it)."""
    kai = ContactFactory(phone="+18085550106", name="Kai Akana", lead_type=LeadType.BUYER, temperature=Temperature.WARM,
                         frs_score=60, pcs_score=45, facts={"financing": "pre_approved", "areas": ["Kailua"]})
    conversation = ConversationFactory(contact=kai, active_bot=BotKind.BUYER)
    asked = MessageFactory(conversation=conversation, body="we're pre-approved, looking in Kailua. what's the budget range for a 2br?")
    now = timezone.now().astimezone(ZoneInfo("Pacific/Honolulu"))
    eight = now.replace(hour=8, minute=0, second=0, microsecond=0)
    later = eight if eight > now else eight + timedelta(days=1)
    MessageFactory(conversation=conversation, direction=Direction.OUTBOUND, author=Author.BOT, reply_to=asked,
                   status=DeliveryStatus.DEFERRED, send_after=later, twilio_sid=None,
                   body="Good question! Most 2br homes in Kailua list between $900k and $1.2M. What budget are you working with?")
    return kai


def make_opt_outs():
    """Jordan opts out in words, comes back with START, then texts STOP: through the inbound service, the bot's
    turns run (offline provider), the confirmation sent by the outbound service."""
    phone = "+13125550107"
    for body in ("hi, thinking about selling my condo", "please stop texting me", "START", "STOP"):
        receive_sms(from_number=phone, body=body, message_sid=f"SM{uuid.uuid4().hex}")
    jordan = Contact.objects.get(phone=phone)
    Contact.objects.filter(pk=jordan.pk).update(name="Jordan Reyes")
    return jordan


def make_cache_traffic():
    """Real look-ups through the cache, from several 'workers' (cache instances), so every tier answers some."""
    get_cache().metrics.reset()
    stamp = timezone.now().timestamp()
    question = f"What's your timeline for making a move? ({stamp})"
    texts = [("we're moving in like 2 months", "we r moving in like 2 monthes"),
             ("im pre aproved for 450", "I'm pre-approved for 450k"),
             ("looking at condos in mueller", "lookin at condos in mueller")]
    workers = [LLMCache() for _ in range(3)]
    for kind in (CallKind.INTENT, CallKind.FACTS):
        for text, variant in texts:
            value = Computed({"intent": "provide_info"}, cost_usd=0.0011, tokens=950)
            workers[0].get_or_compute(kind, Scope.shared(), [text, question], lambda: value, text=text, context=question)
            workers[0].get_or_compute(kind, Scope.shared(), [text, question], lambda: value, text=text, context=question)
            workers[1].get_or_compute(kind, Scope.shared(), [text, question], lambda: value, text=text, context=question)
            workers[2].get_or_compute(kind, Scope.shared(), [variant, question], lambda: value, text=variant,
                                      context=question)
    market = [f"noe valley median {stamp}"]
    for _ in range(6):
        workers[0].get_or_compute(CallKind.INTENT, Scope.shared(), market, lambda: Computed({"median": 1650000}, 0.004, 1400))
    for worker in workers:
        worker.metrics.flush()


def shot(page, name):
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_an_agent_works_each_screen(page, live_server, eager_console_sms, settings):
    settings.ANTHROPIC_API_KEY = ""  # the opt-outs' turns run on the offline provider
    agent = User.objects.create_user("dana", password=AGENT_PASSWORD, is_staff=True, first_name="Dana")
    agent.groups.add(Group.objects.get(name=AGENTS_GROUP))
    maya = make_leads()
    kai = make_night_owl()
    jordan = make_opt_outs()
    make_cache_traffic()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    page.goto(f"{live_server.url}/")  # the bare address: to the admin's login
    assert "/admin/login/" in page.url
    page.fill("#id_username", "dana")
    page.fill("#id_password", AGENT_PASSWORD)
    page.click("input[type=submit]")
    page.get_by_role("link", name="Contacts").first.click()

    # The list: who has each conversation, opt-outs marked.
    rows = page.locator("#result_list tbody tr")
    first_row = rows.first
    assert "Maya Chen" in first_row.inner_text()  # Hot and waiting: top of the list
    assert first_row.locator(".temperature-badge").inner_text() == "Hot"
    assert "Waiting for an agent" in first_row.locator(".field-who_has_it").inner_text()
    assert "hot lead" in first_row.locator(".field-who_has_it").inner_text()
    jordan_row = rows.filter(has_text="Jordan Reyes")
    assert "Nobody: opted out" in jordan_row.locator(".field-who_has_it").inner_text()
    assert "Opted out" in jordan_row.locator(".field-consent").inner_text()
    assert "“STOP”" in jordan_row.locator(".field-consent").inner_text()
    assert rows.filter(has_text="Kai Akana").locator(".field-who_has_it").inner_text() == "The bot"
    shot(page, "contacts")

    # The Hot lead: waiting since when and why, one zone, only "Take over".
    first_row.get_by_role("link", name="Maya Chen").click()
    assert "contact's local time: America/Los_Angeles" in page.locator(".page-time-zone").inner_text()
    transcript = page.locator(".transcript")
    assert "Yes, pre-approved for $650k" in transcript.inner_text()
    assert "One of our agents will text you shortly" in transcript.inner_text()
    shown = page.locator(".lead-flags").inner_text()
    assert "Waiting for an agent since" in shown and "hot lead" in shown and "nobody has taken it yet" in shown
    assert "UTC" not in page.locator(".agent-panel").inner_text()
    assert page.locator("button[data-action=take_over]").count() == 1
    assert page.locator("button[data-action=hand_back]").count() == 0

    page.click("button[data-action=take_over]")
    assert "you have the conversation" in page.locator(".messagelist").inner_text()
    shown = page.locator(".lead-flags").inner_text()
    assert "Waiting for an agent" not in shown and "Taken over by Dana since" in shown
    assert page.locator("button[data-action=hand_back]").count() == 1
    assert page.locator("button[data-action=take_over]").count() == 0

    page.fill("textarea[name=body]", "Hi Maya, it's Dana from the team. Are you free to see two places in Noe Valley on Saturday?")
    page.get_by_role("button", name="Send SMS").click()
    assert "Text queued for sending" in page.locator(".messagelist").inner_text()
    sent = page.locator(".bubble.author-agent").last
    assert "free to see two places" in sent.inner_text() and "Sent" in sent.inner_text()
    shot(page, "contact")
    text = Message.objects.get(contact=maya, author=Author.AGENT)
    assert text.status == DeliveryStatus.SENT and text.twilio_sid.startswith("SMconsole")
    maya.refresh_from_db()
    assert maya.bot_paused and not maya.needs_agent and maya.taken_over_by == agent

    # A bot text held back by quiet hours: what will really happen to it, before and after a take-over.
    page.goto(f"{live_server.url}/admin/leads/contact/{kai.pk}/change/")
    held = page.locator(".bubble.author-bot").last
    assert "Held back by quiet hours: goes out" in held.inner_text() and "8:00 AM" in held.inner_text()
    page.click("button[data-action=take_over]")
    held = page.locator(".bubble.author-bot").last
    assert "Will not be sent: Dana has the conversation" in held.inner_text()
    assert "Held back by quiet hours" not in held.inner_text()
    shot(page, "deferred")

    # Opt-out in words, opt-in, STOP: marked in the transcript.
    page.goto(f"{live_server.url}/admin/leads/contact/{jordan.pk}/change/")
    events = page.locator(".transcript-event")
    assert events.all_inner_texts()[0].startswith("Opted out: no texts from here on (we confirmed it)")
    assert events.all_inner_texts()[1].startswith("Opted back in: texts allowed again")
    assert events.all_inner_texts()[2].startswith("Opted out: no texts from here on (Twilio confirmed it)")
    assert "Opted out" in page.locator(".lead-flags").inner_text()
    assert page.locator("button[data-action=take_over]").count() == 0
    shot(page, "opt-outs")

    # The dashboard: everyone waiting for an agent, longest first, with why; Maya has an agent now.
    page.get_by_role("link", name="Dashboard").click()
    assert page.locator("h1").inner_text() == "Dashboard"
    assert page.locator("svg.chart").count() == 2
    waiting = page.locator("#waiting tbody tr")
    assert waiting.count() == 2
    assert "Priya Nair" in waiting.nth(0).inner_text() and "Asked for a person" in waiting.nth(0).inner_text()
    assert "Sam Okafor" in waiting.nth(1).inner_text() and "Wants an appointment" in waiting.nth(1).inner_text()
    assert "Maya Chen" not in page.locator("#waiting").inner_text()
    assert "L3" in page.locator("table.numbers").first.inner_text()
    shot(page, "dashboard")
