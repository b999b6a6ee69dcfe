"""The booking rules and wording of data/booking.toml, and times written the way a text says them."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from leads.data_files import read_toml

DATA = Path(__file__).resolve().parent / "data" / "booking.toml"


def _data() -> dict:
    return read_toml(DATA)


def rule(name: str) -> int:
    return _data()["slots"][name]


def minutes(name: str) -> timedelta:
    return timedelta(minutes=rule(name))


def reminder_before() -> timedelta:
    return timedelta(hours=_data()["reminder"]["hours_before"])


def email(name: str) -> str:
    return _data()["email"][name]


def words(language: str) -> dict:
    return _data().get(language) or _data()["en"]


def kind_name(kind: str, language: str) -> str:
    return words(language)["kinds"][kind]


def clock(moment: datetime, language: str) -> str:
    """'10:00 am', '3:30 pm'."""
    w = words(language)
    return w["time"].format(hour=moment.hour % 12 or 12, minute=moment.minute, meridiem=w["meridiem"][moment.hour >= 12])


def slot(moment: datetime, zone: ZoneInfo, language: str) -> str:
    """'Tue Dec 8 at 10:00 am' in the prospect's zone."""
    local = moment.astimezone(zone)
    w = words(language)
    return w["slot"].format(weekday=w["weekdays"][local.weekday()], month=w["months"][local.month - 1], day=local.day,
                            time=clock(local, language))


def slot_list(moments: list[datetime], zone: ZoneInfo, language: str) -> str:
    """'Tue Dec 8 at 10:00 am, Tue Dec 8 at 2:00 pm or Wed Dec 9 at 10:00 am'."""
    shown = [slot(moment, zone, language) for moment in moments]
    if len(shown) == 1:
        return shown[0]
    return f"{', '.join(shown[:-1])} {words(language)['or']} {shown[-1]}"


def zone_name(moment: datetime, zone: ZoneInfo) -> str:
    """The zone's abbreviation at that moment ('PST', 'HST', 'CDT'): the time the prospect reads is theirs."""
    return moment.astimezone(zone).tzname() or str(zone)
