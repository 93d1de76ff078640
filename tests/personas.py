"""The workspace cast: two client organisations, their HR managers and consultants, and staff.

alice = HR of A, bert = HR of B, carol = consultant of A, chris = consultant of B, sam = staff.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from assessments.access import consultant_group
from assessments.models import Campaign, Membership, Organisation, Team

from .factories import add_member, make_campaign, make_organisation, make_questionnaire, make_user


@dataclass
class World:
    org_a: Organisation
    org_b: Organisation
    team_a: Team
    draft_a: Campaign
    open_a: Campaign
    users: dict


def make_world() -> World:
    questionnaire = make_questionnaire()
    org_a = make_organisation("Bakkerij A", teams=("Bakkerij", "Winkel"))
    org_b = make_organisation("Garage B", teams=("Werkplaats",))
    alice, bert = make_user("alice"), make_user("bert")
    carol, chris = make_user("carol"), make_user("chris")
    sam = make_user("sam", is_staff=True)
    for consultant in (carol, chris):
        consultant.groups.add(consultant_group())
    add_member(alice, org_a)
    add_member(bert, org_b)
    add_member(carol, org_a, Membership.Role.CONSULTANT)
    add_member(chris, org_b, Membership.Role.CONSULTANT)
    today = timezone.localdate()
    draft_a, _ = make_campaign(
        org_a,
        questionnaire,
        status=Campaign.Status.DRAFT,
        name="Concept",
        opens_on=today,
        closes_on=today + dt.timedelta(days=14),
    )
    open_a, _ = make_campaign(org_a, questionnaire, teams=("Bakkerij", "Winkel"))
    make_campaign(org_b, questionnaire, name="Meting B")
    return World(
        org_a=org_a,
        org_b=org_b,
        team_a=org_a.teams.get(name="Bakkerij"),
        draft_a=draft_a,
        open_a=open_a,
        users={
            "anonymous": None,
            "hr_a": alice,
            "hr_b": bert,
            "consultant_a": carol,
            "consultant_b": chris,
            "staff": sam,
        },
    )
