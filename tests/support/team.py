"""Agents and routing groups for the routing tests: real users, profiles and groups in PostgreSQL."""

from django.contrib.auth.models import Group, User

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
