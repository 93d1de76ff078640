"""The one cast of the tests: two client organisations, their HR managers and consultants, staff.

* ``bakery``, Bakkerij De Korenschoof (organisation A): alice is its HR manager, carol its
  consultant.
* ``garage``, Garage Van Dijk (organisation B): bert is its HR manager, chris its consultant.
* sam is staff (and superuser, so the admin is his too).

carol and chris are in the consultant group (they may create organisations); alice and bert
are HR of their own organisation only, so each is "HR of another organisation" to the other.
Every account's password is ``PASSWORD``, for the tests that log in through the form.

Tests take the ``cast`` fixture (tests/conftest.py) or call ``make_cast()``. The organisations
start without teams or rounds: a test adds what it needs (``factories.add_teams``,
``factories.make_campaign``). ``make_world()`` is the cast with a questionnaire, teams and
rounds, for the access matrix and the workspace tests.

The one extra persona is bob, HR manager of *both* organisations (``make_bob``), whom
tests/test_retention.py needs: deleting one organisation must keep his account. A test may
change a persona for itself (tests/test_questionnaire_content.py takes sam's superuser status
away); only tests/test_workspace_flow.py makes carol on her own, because its story starts
before the bakery exists: she creates it through the workspace.

A closed round of the bakery with an action plan (``World.closed_a``, ``plan_a``,
``action_a``) is made only when a test asks for it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from assessments.access import consultant_group
from assessments.models import ActionPlan, Campaign, Membership, Organisation, PlanAction, Team
from assessments.services import close_round

from .factories import (
    add_member,
    add_teams,
    make_campaign,
    make_organisation,
    make_questionnaire,
    make_responses,
    make_user,
)

PASSWORD = "password"


@dataclass(frozen=True)
class Cast:
    bakery: Organisation  # organisation A
    garage: Organisation  # organisation B
    alice: AbstractBaseUser  # HR of the bakery
    bert: AbstractBaseUser  # HR of the garage
    carol: AbstractBaseUser  # consultant of the bakery
    chris: AbstractBaseUser  # consultant of the garage
    sam: AbstractBaseUser  # staff and superuser


def make_cast() -> Cast:
    bakery = make_organisation("Bakkerij De Korenschoof")
    garage = make_organisation("Garage Van Dijk")
    alice, bert = make_user("alice", password=PASSWORD), make_user("bert", password=PASSWORD)
    carol, chris = make_user("carol", password=PASSWORD), make_user("chris", password=PASSWORD)
    sam = make_user("sam", is_staff=True, password=PASSWORD)
    sam.is_superuser = True
    sam.save(update_fields=["is_superuser"])
    for consultant in (carol, chris):
        consultant.groups.add(consultant_group())
    add_member(alice, bakery)
    add_member(bert, garage)
    add_member(carol, bakery, Membership.Role.CONSULTANT)
    add_member(chris, garage, Membership.Role.CONSULTANT)
    return Cast(
        bakery=bakery, garage=garage, alice=alice, bert=bert, carol=carol, chris=chris, sam=sam
    )


def make_bob(cast: Cast):
    """The one extra: bob, HR manager of both the bakery and the garage."""
    bob = make_user("bob", password=PASSWORD)
    add_member(bob, cast.bakery)
    add_member(bob, cast.garage)
    return bob


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
    """The cast, with teams, a draft and an open round for A, and an open round for B."""
    cast = make_cast()
    questionnaire = make_questionnaire()
    org_a, org_b = cast.bakery, cast.garage
    add_teams(org_a, "Bakkerij", "Winkel")
    add_teams(org_b, "Werkplaats")
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
            "hr_a": cast.alice,
            "hr_b": cast.bert,
            "consultant_a": cast.carol,
            "consultant_b": cast.chris,
            "staff": cast.sam,
        },
    )
