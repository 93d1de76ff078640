"""Issue 12 in a real browser: a director fills in the management view on a phone, and the new
pages (management questionnaire, HR's management page, dashboard with gaps and plan, plan and
action pages) have no serious accessibility violations."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from assessments import improvement
from assessments.models import ActionPlan, Campaign, ManagementResponse, PlanAction
from assessments.services import close_round

from ..factories import (
    add_member,
    make_campaign,
    make_management_response,
    make_organisation,
    make_questionnaire,
    make_responses,
    make_user,
)
from .conftest import serious_violations
from .test_workspace import PASSWORD, log_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def alice_and_round():
    organisation = make_organisation("Bakkerij De Korenschoof", teams=("Bakkerij", "Winkel"))
    alice = make_user("alice", password=PASSWORD)
    add_member(alice, organisation)
    campaign, _ = make_campaign(
        organisation, make_questionnaire(dimensions=6, items_per_dimension=3), threshold=5
    )
    make_responses(campaign, 11, seed=1)
    close_round(campaign)
    return alice, campaign


@pytest.fixture
def bakery(alice_and_round):
    """alice's closed round, with a management view and a plan."""
    alice, campaign = alice_and_round
    call_command("loaddata", "interventions", verbosity=0)
    make_management_response(campaign, "Jan de Bakker", estimates={"D1": 4.0})
    make_management_response(campaign, "Eva", role="team_leader", default=5)
    plan = ActionPlan.objects.create(campaign=campaign)
    plan.focus.set(campaign.questionnaire.dimensions.filter(code__in=["D1", "D2"]))
    today = timezone.localdate()
    action = PlanAction.objects.create(
        plan=plan,
        dimension=campaign.questionnaire.dimensions.get(code="D1"),
        title="Taakroulatie in de winkel",
        owner="Eva",
        starts_on=today,
        due_on=today + dt.timedelta(days=60),
    )
    return alice, campaign, action


@pytest.fixture
def open_round(alice_and_round):
    """A second round of alice's organisation, open, with its management link."""
    _, closed = alice_and_round
    later = Campaign.objects.get(pk=closed.pk)  # a copy: the fixture's round stays as it is
    later.pk = None
    later.name = "Vervolgmeting"
    later.status = Campaign.Status.OPEN
    later.closed_on = None
    later.opens_on = timezone.localdate()
    later.closes_on = timezone.localdate() + dt.timedelta(days=14)
    later.link_token_hash = ""
    later.code_hash = None
    later.save()
    view = improvement.management_view(later, create=True)
    return later, reverse("assessments:management_entry", args=[view.token()])


def test_a_director_fills_in_the_management_view_on_a_phone(live_server, phone, open_round):
    _, link = open_round
    phone.goto(f"{live_server.url}{link}")
    assert "niet anoniem binnen de leiding" in phone.content()
    phone.fill("#id_name", "Jan de Bakker")
    phone.locator("label[for=id_role_0]").click()
    phone.locator("main form button[type=submit]").click()
    while "/management/step/" in phone.url:
        for fieldset in phone.locator("fieldset.likert").all():
            fieldset.locator(".likert-option label").nth(3).click()
        phone.select_option("#estimate", "3.5")
        phone.locator("button[value=next]").click()
        phone.wait_for_load_state()
    assert "/management/review/" in phone.url
    phone.locator("main form button[type=submit]").click()
    phone.wait_for_url("**/management/done/")
    assert phone.problems == []
    sent = ManagementResponse.objects.submitted().get()
    assert sent.name == "Jan de Bakker" and sent.estimates.count() == 6


def test_the_management_questionnaire_has_no_serious_accessibility_violations(
    live_server, axe_page, open_round
):
    _, link = open_round
    axe_page.goto(f"{live_server.url}{link}")
    assert serious_violations(axe_page) == []
    axe_page.locator("main form button[type=submit]").click()  # empty: with its messages
    axe_page.wait_for_load_state()
    assert serious_violations(axe_page) == []
    axe_page.fill("#id_name", "Eva")
    axe_page.locator("label[for=id_role_1]").click()
    axe_page.locator("main form button[type=submit]").click()
    axe_page.wait_for_load_state()
    axe_page.locator("button[value=next]").click()  # nothing answered: every message shown
    axe_page.wait_for_load_state()
    assert serious_violations(axe_page) == []


def test_the_new_hr_pages_have_no_serious_accessibility_violations(
    live_server, axe_page, bakery, open_round
):
    _, campaign, action = bakery
    log_in(axe_page, live_server.url)
    results = reverse("assessments:campaign_results", args=[campaign.pk])
    axe_page.goto(f"{live_server.url}{results}")
    axe_page.wait_for_selector("#chart-management svg.main-svg", state="attached")
    assert serious_violations(axe_page) == []
    for url in (
        reverse("assessments:plan", args=[campaign.pk]),
        reverse("assessments:action_create", args=[campaign.pk])
        + "?dimension=D1&intervention=D1.01",
        reverse("assessments:action_edit", args=[action.pk]),
        reverse("assessments:campaign_management", args=[open_round[0].pk]),
    ):
        axe_page.goto(f"{live_server.url}{url}")
        axe_page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
        assert serious_violations(axe_page) == [], url
