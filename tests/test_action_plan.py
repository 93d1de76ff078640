"""The action plan: focus, actions and their bad input, e-mails when an action is due, the
plan's export and the team dialogue kit (alice is HR of Bakkerij A, bert of Garage B)."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from assessments import dialogue, mailing, services, tasks
from assessments.models import ActionPlan, Membership, PlanAction

from .factories import make_campaign, make_responses
from .personas import make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return make_world()


@pytest.fixture
def alice(world) -> Client:
    client = Client()
    client.force_login(world.users["hr_a"])
    return client


def action_data(**changes) -> dict:
    today = timezone.localdate()
    data = {
        "dimension": "D1",
        "title": "Taakroulatie in de winkel",
        "owner": "Eva de Vries",
        "starts_on": today.isoformat(),
        "due_on": (today + dt.timedelta(days=30)).isoformat(),
        "status": "planned",
        "note": "Eerst met het team bespreken.",
    }
    data.update(changes)
    return data


# --- Bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("nl", "Schrijf op wat jullie gaan doen: de actie heeft een titel nodig."),
        ("en", "Write down what you are going to do: the action needs a title."),
    ],
)
def test_an_action_without_a_title_gets_a_clear_message_and_keeps_what_was_typed(
    world, alice, language, message
):
    alice.cookies["django_language"] = language
    url = reverse("assessments:action_create", args=[world.closed_a.pk])
    page = alice.post(url, action_data(title="   "))
    html = page.content.decode()
    assert page.status_code == 200
    assert message in html
    assert 'value="Eva de Vries"' in html and "Eerst met het team bespreken." in html
    assert world.plan_a.actions.count() == 1


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("nl", "De datum waarop de actie klaar moet zijn, ligt vóór de startdatum."),
        ("en", "The date it should be ready is before the start date."),
    ],
)
def test_a_due_date_before_the_start_gets_a_clear_message_and_keeps_what_was_typed(
    world, alice, language, message
):
    alice.cookies["django_language"] = language
    url = reverse("assessments:action_create", args=[world.closed_a.pk])
    page = alice.post(url, action_data(starts_on="2027-03-01", due_on="2027-02-01"))
    html = page.content.decode()
    assert page.status_code == 200
    assert message in html
    assert 'value="2027-03-01"' in html and 'value="2027-02-01"' in html
    assert 'value="Taakroulatie in de winkel"' in html


@pytest.mark.parametrize("field", ["dimension", "intervention"])
def test_a_code_with_a_nul_byte_is_an_unknown_choice_not_a_server_error(world, alice, field):
    # PostgreSQL refuses NUL in a text lookup; the form must answer before the query is made.
    url = reverse("assessments:action_create", args=[world.closed_a.pk])
    page = alice.post(url, action_data(**{field: "D1\x00"}))
    assert page.status_code == 200
    assert 'value="Eva de Vries"' in page.content.decode()
    assert world.plan_a.actions.count() == 1


def test_editing_an_action_keeps_its_dimension_and_library_idea(world, alice):
    action = world.action_a
    page = alice.get(reverse("assessments:action_edit", args=[action.pk])).content.decode()
    assert re.search(r'<option value="D1"[^>]*selected', page)
    response = alice.post(
        reverse("assessments:action_edit", args=[action.pk]),
        action_data(title="Taakroulatie, ook in de winkel", status="in_progress"),
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert (action.title, action.status) == ("Taakroulatie, ook in de winkel", "in_progress")


@pytest.mark.parametrize(
    ("focus", "message"),
    [
        ([], "Kies minstens één dimensie om aan te werken."),
        (["D1", "D7"], "Kies dimensies uit de lijst."),
    ],
)
def test_the_focus_takes_one_to_three_dimensions(world, alice, focus, message):
    page = alice.post(reverse("assessments:plan", args=[world.closed_a.pk]), {"focus": focus})
    assert page.status_code == 200
    assert message.lower() in page.content.decode().lower()


def test_more_than_three_focus_dimensions_are_refused(world, alice):
    questionnaire = world.open_a.questionnaire
    for code in ("D3", "D4"):
        dimension = questionnaire.dimensions.first()
        dimension.pk, dimension.code, dimension.position = None, code, int(code[1:])
        dimension.save()
    page = alice.post(
        reverse("assessments:plan", args=[world.closed_a.pk]), {"focus": ["D1", "D2", "D3", "D4"]}
    )
    assert "Kies hoogstens 3 dimensies" in page.content.decode()
    assert [d.code for d in world.plan_a.focus_dimensions()] == ["D1"]


def test_a_focus_dimension_with_actions_is_not_dropped_silently(world, alice):
    url = reverse("assessments:plan", args=[world.closed_a.pk])
    page = alice.post(url, {"focus": ["D2"]})
    assert "heeft nog acties" in page.content.decode()
    assert [d.code for d in world.plan_a.focus_dimensions()] == ["D1"]
    assert alice.post(url, {"focus": ["D1", "D2"]}).status_code == 302
    assert [d.code for d in world.plan_a.focus_dimensions()] == ["D1", "D2"]


def test_the_plan_waits_for_the_round_to_close(world, alice):
    page = alice.get(reverse("assessments:plan", args=[world.open_a.pk])).content.decode()
    assert 'id="plan-not-yet"' in page
    response = alice.post(reverse("assessments:plan", args=[world.open_a.pk]), {"focus": ["D1"]})
    assert response.status_code == 200 and not ActionPlan.objects.filter(campaign=world.open_a)
    new = alice.get(reverse("assessments:action_create", args=[world.open_a.pk]))
    assert new["Location"] == reverse("assessments:plan", args=[world.open_a.pk])


def test_another_organisations_plan_is_a_404(world):
    bert = Client()
    bert.force_login(world.users["hr_b"])
    action = world.action_a
    for method, url in [
        ("get", reverse("assessments:plan", args=[world.closed_a.pk])),
        ("post", reverse("assessments:plan", args=[world.closed_a.pk])),
        ("get", reverse("assessments:action_create", args=[world.closed_a.pk])),
        ("get", reverse("assessments:action_edit", args=[action.pk])),
        ("post", reverse("assessments:action_edit", args=[action.pk])),
        ("post", reverse("assessments:action_delete", args=[action.pk])),
        ("get", reverse("assessments:export_plan", args=[world.closed_a.pk, "csv"])),
        ("get", reverse("assessments:dialogue_kit", args=[world.closed_a.pk, "D1"])),
    ]:
        assert getattr(bert, method)(url, {"focus": ["D1"]}).status_code == 404, url
    assert PlanAction.objects.filter(pk=action.pk).exists()


# --- E-mail when an action is due ----------------------------------------------------------


def due_action(world, **changes) -> PlanAction:
    action = world.action_a
    today = timezone.localdate()
    fields = {"starts_on": today - dt.timedelta(days=30), "due_on": today, **changes}
    PlanAction.objects.filter(pk=action.pk).update(**fields)
    action.refresh_from_db()
    return action


def test_a_due_action_sends_one_email_to_hr_and_never_again(world):
    action = due_action(world)
    mail.outbox.clear()
    assert mailing.deliver_due_action_notices() == 1
    assert mailing.deliver_due_action_notices() == 0
    assert tasks.notify_due_actions.call() == 0
    (message,) = mail.outbox
    assert message.to == [world.users["hr_a"].email]
    assert action.title in message.subject and action.owner in message.body
    assert reverse("assessments:action_edit", args=[action.pk]) in message.body


def test_a_done_or_stopped_or_future_action_sends_nothing(world):
    today = timezone.localdate()
    for changes in (
        {"status": "done"},
        {"status": "stopped"},
        {"due_on": today + dt.timedelta(days=1)},
    ):
        due_action(world, **changes)
        mail.outbox.clear()
        assert mailing.deliver_due_action_notices() == 0
    assert not mail.outbox


def test_a_new_due_date_is_a_new_occasion(world):
    action = due_action(world)
    mailing.deliver_due_action_notices()
    mail.outbox.clear()
    later = timezone.localdate() + dt.timedelta(days=14)
    PlanAction.objects.filter(pk=action.pk).update(due_on=later)
    assert mailing.deliver_due_action_notices() == 0
    assert mailing.deliver_due_action_notices(today=later) == 1
    assert len(mail.outbox) == 1


def test_without_an_hr_manager_the_consultant_hears_about_due_actions(world):
    Membership.objects.filter(organisation=world.org_a, role="hr").delete()
    due_action(world)
    mail.outbox.clear()
    mailing.deliver_due_action_notices()
    assert mail.outbox[0].to == [world.users["consultant_a"].email]


def test_due_actions_are_checked_every_morning(settings):
    assert tasks.PERIODIC["notify_due_actions"].at == dt.time(7, 0)


# --- Export and dialogue kit ---------------------------------------------------------------


def test_the_plan_exports_as_csv_and_xlsx(world, alice):
    csv = alice.get(reverse("assessments:export_plan", args=[world.closed_a.pk, "csv"]))
    text = csv.content.decode("utf-8-sig")
    assert "Taakroulatie in de bakkerij;Alice" in text and ";gepland;" in text
    xlsx = alice.get(reverse("assessments:export_plan", args=[world.closed_a.pk, "xlsx"]))
    assert xlsx.content.startswith(b"PK")


def test_a_round_without_a_plan_has_no_plan_export(world, alice):
    page = alice.get(reverse("assessments:export_plan", args=[world.open_a.pk, "csv"]))
    assert page.status_code == 409
    assert "nog geen actieplan" in page.content.decode()


def pdf_text(pdf: bytes) -> str:
    text = "\n".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf)).pages)
    return re.sub(r"\s+", " ", text)


def test_the_dialogue_kit_shows_the_organisation_only_with_questions_and_chosen_actions(world):
    call_command("loaddata", "interventions", verbosity=0)
    organisation = world.org_a
    campaign, _ = make_campaign(
        organisation, world.open_a.questionnaire, name="Teams", teams=("Bakkerij", "Winkel")
    )
    teams = {t.name: t for t in campaign.teams.all()}
    make_responses(campaign, 10, seed=1, team=teams["Bakkerij"])
    make_responses(campaign, 10, seed=2, team=teams["Winkel"])
    services.close_round(campaign)
    plan = ActionPlan.objects.create(campaign=campaign)
    plan.focus.set(campaign.questionnaire.dimensions.filter(code="D1"))
    today = timezone.localdate()
    PlanAction.objects.create(
        plan=plan,
        dimension=campaign.questionnaire.dimensions.get(code="D1"),
        title="Meeloopdag in de winkel",
        owner="Eva",
        starts_on=today,
        due_on=today,
    )
    kit = dialogue.build_kit(campaign, "D1", "nl")
    assert kit.content.startswith(b"%PDF") and kit.filename.startswith("teamgesprek-d1-")
    text = pdf_text(kit.content)
    assert "Dimensie 1" in text and "de hele organisatie, 20 deelnemers" in text
    assert "Bij welke klus heb je de afgelopen maand iets nieuws geleerd?" in text
    assert "Meeloopdag in de winkel" in text and "Onze afspraken" in text
    # No team, only the organisation (whose name may hold a team's word).
    assert "Bakkerij" not in text.replace(organisation.name, "") and "Winkel" not in text
    assert len(PdfReader(io.BytesIO(kit.content)).pages) == 1
    english = pdf_text(dialogue.build_kit(campaign, "D1", "en").content)
    assert "Three questions for the conversation" in english


def test_the_dialogue_kit_waits_for_the_round_to_close(world, alice):
    page = alice.get(reverse("assessments:dialogue_kit", args=[world.open_a.pk, "D1"]))
    assert page.status_code == 409
    assert "als de meting gesloten is" in page.content.decode()


def test_the_dialogue_kit_is_refused_below_k(world, alice):
    campaign, _ = make_campaign(world.org_a, world.open_a.questionnaire, name="Klein")
    make_responses(campaign, 3)
    services.close_round(campaign)
    page = alice.get(reverse("assessments:dialogue_kit", args=[campaign.pk, "D1"]))
    assert page.status_code == 409
    assert "minder dan 5 reacties" in page.content.decode()


def test_the_command_sends_what_the_task_sends_once(world):
    from io import StringIO

    due_action(world)
    mail.outbox.clear()
    out = StringIO()
    call_command("notify_due_actions", stdout=out)
    call_command("notify_due_actions", stdout=out)
    assert out.getvalue().splitlines() == ["Sent 1 message(s).", "Sent 0 message(s)."]
    assert len(mail.outbox) == 1
