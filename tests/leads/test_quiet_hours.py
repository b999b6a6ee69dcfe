"""Quiet hours for numbers that may be in several time zones: a moment is allowed only if it is allowed (8 am to
9 pm, SMS_SEND_FROM_HOUR..SMS_SEND_UNTIL_HOUR) in every zone the number may be in, and the next allowed moment is
the earliest one allowed in all of them. Fixed moments throughout, across both 2026 DST changes (US: March 8 and
November 1; Europe: March 29)."""

import importlib
from datetime import datetime, timedelta
from datetime import timezone as dt_timezone
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from hypothesis import given, settings as hypothesis_settings
from hypothesis import strategies as st

from leads.models import Contact
from leads.phones import time_zone_for_phone, time_zones_for_phone
from leads.quiet_hours import allowed_in_all, contact_time_zones, next_allowed_time
from leads.selectors import contact_texting_window
from tests.support.factories import ContactFactory

CENTRAL_EASTERN = ("America/Chicago", "America/New_York")


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=dt_timezone.utc)


def contact_for(phone: str) -> Contact:
    """An unsaved contact, as Contact.save() would fill it in (no database needed)."""
    return Contact(phone=phone, time_zone=time_zone_for_phone(phone))


@pytest.mark.parametrize("phone, zones", [
    # Alaska: 907's catch-all is Adak and Anchorage, Juneau's exchanges are listed one by one, and phonenumbers
    # puts one exchange (907-581, Unalaska) in Honolulu.
    ("+19075550100", ("America/Adak", "America/Anchorage", "America/Juneau", "Pacific/Honolulu")),
    ("+18505550100", CENTRAL_EASTERN),    # Florida panhandle: Tallahassee Eastern, Pensacola Central
    ("+18502000100", CENTRAL_EASTERN),    # ... whichever exchange the number has
    ("+12085550100", ("America/Boise", "America/Denver", "America/Los_Angeles")),  # Idaho: Mountain and Pacific
    ("+15415550100", ("America/Denver", "America/Los_Angeles")),  # Oregon: Malheur County is Mountain
    ("+12705550100", CENTRAL_EASTERN),    # western Kentucky
    ("+16065550100", CENTRAL_EASTERN),    # eastern Kentucky
    ("+18125550100", CENTRAL_EASTERN),    # southern Indiana: Evansville is Central
    ("+19155550100", ("America/Denver",)),  # El Paso and Hudspeth County: all Mountain, one zone
    ("+12125550100", ("America/New_York",)),
    ("+14155550100", ("America/Los_Angeles",)),
    ("+442079460000", ("Europe/London",)),
])
def test_every_zone_a_number_may_be_in(phone, zones):
    assert time_zones_for_phone(phone) == zones
    assert set(contact_time_zones(contact_for(phone))) == set(zones)


@pytest.mark.parametrize("phone, shown", [
    ("+19075550100", "America/Anchorage"),   # was America/Adak, the first listed: a town of a few hundred
    ("+19072090100", "America/Juneau"),      # an exchange phonenumbers places itself
    ("+18505550100", "America/New_York"),    # 850's catch-all
    ("+18502000100", "America/Chicago"),     # a Pensacola exchange
    ("+12085550100", "America/Boise"),       # most of Idaho's exchanges keep Mountain time
    ("+12702020100", "America/Chicago"),
    ("+16063870100", "America/Chicago"),
    ("+18124200100", "America/Chicago"),     # Evansville
    ("+17015550100", "America/North_Dakota/Center"),  # most of North Dakota keeps Central time
    ("+18005550100", "America/New_York"),    # toll-free: every NANP zone; the fallback zone, not Adak
    ("+19155550100", "America/Denver"),
    ("+442079460000", "Europe/London"),
])
def test_the_zone_shown_to_agents_is_the_likely_one(phone, shown):
    assert time_zone_for_phone(phone) == shown
    assert shown in time_zones_for_phone(phone)


@pytest.mark.parametrize("phone, now, next_local", [
    # Anchorage in winter: Adak and Honolulu are an hour behind, so the day starts at 9 am Anchorage time...
    ("+19075550100", utc(2026, 1, 15, 17, 30), datetime(2026, 1, 15, 9, 0)),   # 8:30 am Anchorage
    ("+19075550100", utc(2026, 1, 15, 18, 0), None),                             # 9:00 am Anchorage, 8 am Adak
    ("+19075550100", utc(2026, 1, 16, 5, 59), None),                             # 8:59 pm Anchorage
    # ... and a text never goes out at 9:30 pm in Anchorage (8:30 pm in Adak, where the old code placed 907).
    ("+19075550100", utc(2026, 1, 16, 6, 30), datetime(2026, 1, 16, 9, 0)),
    # In summer Honolulu (no DST) is two hours behind Anchorage: 10 am to 9 pm.
    ("+19075550100", utc(2026, 7, 15, 17, 30), datetime(2026, 7, 15, 10, 0)),  # 9:30 am Anchorage
    ("+19075550100", utc(2026, 7, 16, 4, 59), None),                             # 8:59 pm Anchorage
    ("+19075550100", utc(2026, 7, 16, 5, 0), datetime(2026, 7, 16, 10, 0)),    # 9 pm Anchorage
    # 850's catch-all (shown New York): 9 am to 9 pm New York time, 8 am to 8 pm Central.
    ("+18505550100", utc(2026, 1, 15, 13, 30), datetime(2026, 1, 15, 9, 0)),   # 8:30 am NY, 7:30 am Pensacola
    ("+18505550100", utc(2026, 1, 15, 14, 0), None),
    ("+18505550100", utc(2026, 1, 16, 1, 59), None),                             # 8:59 pm NY
    ("+18505550100", utc(2026, 1, 16, 2, 0), datetime(2026, 1, 16, 9, 0)),     # 9 pm NY
    # A Pensacola exchange (shown Chicago): the same moments, in Central time.
    ("+18502000100", utc(2026, 1, 15, 13, 30), datetime(2026, 1, 15, 8, 0)),
    ("+18502000100", utc(2026, 1, 16, 1, 30), None),                             # 7:30 pm Central, 8:30 pm NY
    ("+18502000100", utc(2026, 1, 16, 2, 30), datetime(2026, 1, 16, 8, 0)),    # 8:30 pm Central, 9:30 pm NY
    # Idaho (shown Boise): the Pacific panhandle opens an hour later.
    ("+12085550100", utc(2026, 1, 15, 15, 30), datetime(2026, 1, 15, 9, 0)),   # 8:30 am Boise, 7:30 am Coeur d'Alene
    ("+12085550100", utc(2026, 1, 16, 3, 59), None),                             # 8:59 pm Boise
    ("+12085550100", utc(2026, 1, 16, 4, 0), datetime(2026, 1, 16, 9, 0)),
    # Oregon (shown Los Angeles): Mountain-time Ontario closes an hour earlier.
    ("+15415550100", utc(2026, 1, 15, 16, 0), None),                             # 8 am Portland, 9 am Ontario
    ("+15415550100", utc(2026, 1, 16, 3, 30), None),                             # 7:30 pm LA, 8:30 pm Mountain
    ("+15415550100", utc(2026, 1, 16, 4, 30), datetime(2026, 1, 16, 8, 0)),    # 8:30 pm LA, 9:30 pm Mountain
    # El Paso: one zone, the plain window.
    ("+19155550100", utc(2026, 1, 15, 14, 59), datetime(2026, 1, 15, 8, 0)),
    ("+19155550100", utc(2026, 1, 15, 15, 0), None),
    ("+19155550100", utc(2026, 1, 16, 3, 59), None),                             # 8:59 pm El Paso
    # Kentucky and southern Indiana: Central and Eastern.
    ("+12705550100", utc(2026, 1, 15, 13, 30), datetime(2026, 1, 15, 9, 0)),
    ("+12702020100", utc(2026, 1, 16, 2, 30), datetime(2026, 1, 16, 8, 0)),    # 8:30 pm Paducah, 9:30 pm Louisville
    ("+16065550100", utc(2026, 1, 16, 1, 59), None),
    ("+16065550100", utc(2026, 1, 16, 2, 0), datetime(2026, 1, 16, 9, 0)),
    ("+18125550100", utc(2026, 1, 15, 13, 59), datetime(2026, 1, 15, 9, 0)),   # 8:59 am Bloomington
    ("+18124200100", utc(2026, 1, 15, 14, 0), None),                             # 8:00 am Evansville
    # Single-zone numbers keep the plain window.
    ("+12125550100", utc(2026, 1, 15, 13, 0), None),                             # 8 am New York
    ("+12125550100", utc(2026, 1, 15, 12, 59), datetime(2026, 1, 15, 8, 0)),
    ("+12125550100", utc(2026, 1, 16, 2, 0), datetime(2026, 1, 16, 8, 0)),     # 9 pm New York
    ("+14155550100", utc(2026, 1, 16, 4, 59), None),                             # 8:59 pm Los Angeles
])
def test_a_text_goes_out_only_when_every_zone_allows_it(phone, now, next_local):
    contact = contact_for(phone)
    later = next_allowed_time(contact, now)
    if next_local is None:
        assert later is None
    else:
        assert later is not None and later.tzinfo == ZoneInfo(contact.time_zone)
        assert later.replace(tzinfo=None) == next_local
        zones = [ZoneInfo(zone) for zone in contact_time_zones(contact)]
        assert allowed_in_all(zones, later) and not allowed_in_all(zones, later - timedelta(seconds=1))


@pytest.mark.parametrize("phone, now, next_local", [
    # US spring forward (Sunday March 8, 2 am): Anchorage and Adak move, Honolulu does not, so 907's morning
    # starts at 9 am on Saturday and at 10 am on Sunday.
    ("+19075550100", utc(2026, 3, 7, 6, 30), datetime(2026, 3, 7, 9, 0)),      # Friday 9:30 pm AKST
    ("+19075550100", utc(2026, 3, 8, 6, 30), datetime(2026, 3, 8, 10, 0)),     # Saturday 9:30 pm AKST
    # 850 the night of the change: 9 am EDT (13:00 UTC) after 9 am EST (14:00 UTC) the day before.
    ("+18505550100", utc(2026, 3, 7, 6, 0), datetime(2026, 3, 7, 9, 0)),
    ("+18505550100", utc(2026, 3, 8, 6, 0), datetime(2026, 3, 8, 9, 0)),
    ("+18505550100", utc(2026, 3, 8, 12, 59), datetime(2026, 3, 8, 9, 0)),     # 8:59 am EDT
    ("+18505550100", utc(2026, 3, 8, 13, 0), None),                              # 9 am EDT, 8 am CDT
    # US fall back (Sunday November 1, 2 am): Saturday's evening ends at 01:00 UTC, Sunday's starts at 14:00 UTC.
    ("+18505550100", utc(2026, 11, 1, 0, 59), None),                             # Saturday 8:59 pm EDT
    ("+18505550100", utc(2026, 11, 1, 1, 0), datetime(2026, 11, 1, 9, 0)),
    ("+18505550100", utc(2026, 11, 1, 13, 30), datetime(2026, 11, 1, 9, 0)),   # 8:30 am EST: 7:30 am CST
    ("+18505550100", utc(2026, 11, 1, 14, 0), None),
    ("+12085550100", utc(2026, 11, 1, 7, 30), datetime(2026, 11, 1, 9, 0)),    # 1:30 am MDT, the night of the change
    # Europe moves three weeks after the US (Sunday March 29).
    ("+442079460000", utc(2026, 3, 28, 7, 30), datetime(2026, 3, 28, 8, 0)),   # 7:30 am GMT
    ("+442079460000", utc(2026, 3, 29, 6, 59), datetime(2026, 3, 29, 8, 0)),   # 7:59 am BST
    ("+442079460000", utc(2026, 3, 29, 7, 0), None),                             # 8 am BST
    ("+442079460000", utc(2026, 3, 29, 19, 59), None),                           # 8:59 pm BST
])
def test_quiet_hours_across_dst_changes(phone, now, next_local):
    contact = contact_for(phone)
    later = next_allowed_time(contact, now)
    assert (later.replace(tzinfo=None) if later else None) == next_local


def test_an_opening_hour_skipped_by_the_dst_change_opens_when_the_clock_jumps(settings):
    settings.SMS_SEND_FROM_HOUR = 2   # 2 am does not exist in New York on March 8, 2026
    later = next_allowed_time(contact_for("+12125550100"), utc(2026, 3, 8, 6, 30))   # 1:30 am EST
    assert later == utc(2026, 3, 8, 7, 0) and later.hour == 3                           # 3 am EDT


def test_a_toll_free_number_gets_the_hours_common_to_every_nanp_zone():
    # Toll-free numbers have no area: every NANP zone, Guam to Pago Pago. 8 am in Guam is 11 am in Pago Pago the
    # day before, and 9 pm in St. John's ends the common window: 5 pm to 7:30 pm New York time in winter.
    contact = contact_for("+18005550100")
    assert contact.time_zone == "America/New_York"
    assert next_allowed_time(contact, utc(2026, 1, 15, 18, 0)).replace(tzinfo=None) == datetime(2026, 1, 15, 17, 0)
    assert next_allowed_time(contact, utc(2026, 1, 16, 0, 29)) is None                 # 7:29 pm New York
    assert next_allowed_time(contact, utc(2026, 1, 16, 0, 30)).replace(tzinfo=None) == datetime(2026, 1, 16, 17, 0)


def test_zones_that_never_share_an_hour_follow_the_shown_zone(settings):
    settings.SMS_SEND_FROM_HOUR, settings.SMS_SEND_UNTIL_HOUR = 10, 11   # 10-11 Eastern and 10-11 Central never meet
    contact = contact_for("+18505550100")
    assert next_allowed_time(contact, utc(2026, 1, 15, 15, 30)) is None                 # 10:30 am New York
    assert next_allowed_time(contact, utc(2026, 1, 15, 16, 0)).replace(tzinfo=None) == datetime(2026, 1, 16, 10, 0)


def test_closed_sending_hours_never_allow_a_text(settings):
    settings.SMS_SEND_FROM_HOUR, settings.SMS_SEND_UNTIL_HOUR = 0, 0
    for phone in ("+12125550100", "+18505550100", "+19075550100"):
        assert next_allowed_time(contact_for(phone), utc(2026, 1, 15, 18, 0)) is not None


MULTI_ZONE_PHONES = ["+19075550100", "+18505550100", "+18502000100", "+12085550100", "+15415550100",
                     "+12705550100", "+16065550100", "+18125550100", "+17015550100", "+19285550100", "+12125550100"]


@hypothesis_settings(max_examples=300, deadline=None)
@given(phone=st.sampled_from(MULTI_ZONE_PHONES),
       minutes=st.integers(min_value=0, max_value=366 * 24 * 60))
def test_the_next_allowed_moment_is_the_earliest_allowed_in_every_zone(phone, minutes):
    now = utc(2026, 1, 1) + timedelta(minutes=minutes)
    contact = contact_for(phone)
    zones = [ZoneInfo(zone) for zone in contact_time_zones(contact)]
    later = next_allowed_time(contact, now)
    if later is None:
        assert allowed_in_all(zones, now)
        return
    assert later > now and allowed_in_all(zones, later)
    probe = now
    while probe < later:   # nothing allowed in between (every 10 minutes, and the second before)
        assert not allowed_in_all(zones, probe)
        probe += timedelta(minutes=10)
    assert not allowed_in_all(zones, later - timedelta(seconds=1))


@pytest.mark.django_db
def test_the_agent_panel_knows_the_other_zones():
    contact = ContactFactory(phone="+19075550123")
    window = contact_texting_window(contact, now=utc(2026, 1, 16, 6, 30))   # 9:30 pm Anchorage
    assert contact.time_zone == "America/Anchorage"
    assert window.local_time.hour == 21 and window.next_allowed.hour == 9
    assert set(window.other_time_zones) == {"America/Adak", "America/Juneau", "Pacific/Honolulu"}


@pytest.mark.django_db
def test_the_migration_gives_stored_contacts_the_representative_zone():
    migration = importlib.import_module("leads.migrations.0008_contact_time_zone_representative")
    alaska, new_york = ContactFactory(phone="+19075550124"), ContactFactory(phone="+12125550125")
    Contact.objects.filter(pk=alaska.pk).update(time_zone="America/Adak")   # what the first-listed rule stored
    migration.recompute_time_zones(apps, None)
    alaska.refresh_from_db()
    new_york.refresh_from_db()
    assert alaska.time_zone == "America/Anchorage" and new_york.time_zone == "America/New_York"
