"""The workspace cast: two client organisations, their HR managers and consultants, and staff.

alice = HR of A, bert = HR of B, carol = consultant of A, chris = consultant of B, sam = staff.

A closed round of A with an action plan (``closed_a``, ``plan_a``, ``action_a``) is made only
when a test asks for it, so the many tests that do not need it stay as they were.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from assessments.access import consultant_group
from assessments.models import ActionPlan, Campaign, Membership, Organisation, PlanAction, Team
from assessments.services import close_round

from .factories import (
    add_member,
    make_campaign,
    make_organisation,
    make_questionnaire,
    make_responses,
    make_user,
)


@dataclass
class World:
    org_a: Organisation
    org_b: Organisation
    team_a: Team
    draft_a: Campaign
    open_a: Campaign
    users: dict
    _plan_a: ActionPlan | None = None

    @property
    def plan_a(self) -> ActionPlan:
        """The plan of a closed round of A (k responses, focus D1, one action)."""
        if self._plan_a is None:
            today = timezone.localdate()
            closed, _ = make_campaign(
                self.org_a,
                self.open_a.questionnaire,
                name="Nulmeting A",
                opens_on=today - dt.timedelta(days=60),
                closes_on=today - dt.timedelta(days=40),
            )
            make_responses(closed, closed.threshold, seed=7)
            close_round(closed)
            plan = ActionPlan.objects.create(campaign=closed)
            plan.focus.set(closed.questionnaire.dimensions.filter(code="D1"))
            PlanAction.objects.create(
                plan=plan,
                dimension=closed.questionnaire.dimensions.get(code="D1"),
                title="Taakroulatie in de bakkerij",
                owner="Alice",
                starts_on=today,
                due_on=today + dt.timedelta(days=60),
            )
            self._plan_a = plan
        return self._plan_a

    @property
    def closed_a(self) -> Campaign:
        return self.plan_a.campaign

    @property
    def action_a(self) -> PlanAction:
        return self.plan_a.actions.get()


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
