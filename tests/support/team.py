"""Agents and routing groups for the routing tests: real users, profiles and groups in PostgreSQL."""

import threading
from datetime import timedelta

from django.contrib.auth.models import Group, User
from django.db import connection
from django.utils import timezone

from agents.services import AGENTS_GROUP
from team.models import AgentProfile, RoutingGroup, RoutingMode


def make_agent(username: str, *, phone: str = "", **rules) -> User:
    """A staff user in the Agents group with a profile: `rules` are AgentProfile fields (areas, price_min...)."""
    user = User.objects.create_user(username, email=f"{username}@example.com", password="agent-password",
                                    is_staff=True, first_name=username.capitalize())
    user.groups.add(Group.objects.get(name=AGENTS_GROUP))
    AgentProfile.objects.create(user=user, phone=phone, **rules)
    return user


def make_group(name: str, order: int, members: list[User], *, mode=RoutingMode.ROUND_ROBIN, timeout=5) -> RoutingGroup:
    group = RoutingGroup.objects.create(name=name, order=order, mode=mode, claim_timeout_minutes=timeout)
    group.members.set(AgentProfile.objects.filter(user__in=members))
    return group


def wait_for_lock_waiters(count: int, seconds: float = 20) -> None:
    """Until `count` other connections of this database wait on a lock (blocked on a row the test holds)."""
    deadline = timezone.now() + timedelta(seconds=seconds)
    with connection.cursor() as cursor:
        while timezone.now() < deadline:
            cursor.execute("SELECT pg_stat_clear_snapshot()")  # the view is read once per transaction otherwise
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                           "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()")
            if cursor.fetchone()[0] >= count:
                return
            threading.Event().wait(0.05)
    raise AssertionError(f"{count} connections never waited on a lock")
