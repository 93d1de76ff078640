"""Workspace behaviour: escaping, forms in plain words, frozen teams, closing, sending."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from django.contrib import admin
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from assessments.accounts import add_hr_manager
from assessments.models import Campaign, CampaignTeam, Invitation, Team
from assessments.selectors import response_progress
from assessments.services import close_round

from . import recording_backend
from .factories import make_campaign, make_organisation, make_questionnaire, make_responses
from .personas import make_world


@pytest.fixture(autouse=True)
def _english_ui(settings):
    # These tests read the English messages; Dutch (the default) is checked in test_i18n.py.
    settings.LANGUAGE_CODE = "en"


pytestmark = pytest.mark.django_db

XSS = '<script>alert("x")</script>'


def _invite(campaign, emails):
    invitations = [Invitation(campaign=campaign, email=e) for e in emails]
    for invitation in invitations:
        invitation.set_token()
    Invitation.objects.bulk_create(invitations)


def test_names_with_script_tags_are_escaped_everywhere(client):
    world = make_world()
    world.org_a.name = XSS
    world.org_a.save()
    Team.objects.create(organisation=world.org_a, name=f"Team {XSS}")
    CampaignTeam.objects.create(campaign=world.open_a, name=f"Ploeg {XSS}", position=9)
    world.open_a.name = f"Ronde {XSS}"
    world.open_a.save()
    client.force_login(world.users["hr_a"])
    pk = world.open_a.pk
    pages = [
        reverse("assessments:home"),
        reverse("assessments:organisation_detail", args=[world.org_a.pk]),
        reverse("assessments:campaign_detail", args=[pk]),
        reverse("assessments:campaign_share", args=[pk]),
        reverse("assessments:campaign_sheet", args=[pk]) + "?lang=en",
        reverse("assessments:invitations", args=[pk]),
        reverse("assessments:team_edit", args=[world.team_a.pk]),
    ]
    for page in pages:
        body = client.get(page).content.decode()
        assert "<script>alert" not in body, page
        assert "&lt;script&gt;" in body, page
    _invite(world.open_a, ["x@example.nl"])
    client.post(reverse("assessments:invitation_send", args=[pk]))
    (message,) = mail.outbox
    assert "<script>alert" not in message.alternatives[0][0]


def test_a_bad_pasted_list_stores_nothing_and_keeps_the_text(client):
    world = make_world()
    client.force_login(world.users["hr_a"])
    pasted = "goed@example.nl\nfout.example.nl\nook.goed@example.nl"
    response = client.post(
        reverse("assessments:invitations", args=[world.open_a.pk]), {"pasted": pasted}
    )
    assert response.status_code == 200
    assert world.open_a.invitations.count() == 0
    body = response.content.decode()
    assert "fout.example.nl" in body and "ook.goed@example.nl" in body  # kept in the textarea
    assert [e.line for e in response.context["result"].errors] == [2]


def test_an_empty_upload_form_says_what_to_do(client):
    world = make_world()
    client.force_login(world.users["hr_a"])
    response = client.post(reverse("assessments:invitations", args=[world.open_a.pk]), {})
    assert "Choose a file or paste at least one address." in response.content.decode()


def test_addresses_already_on_the_list_are_not_added_twice(client):
    world = make_world()
    client.force_login(world.users["hr_a"])
    url = reverse("assessments:invitations", args=[world.open_a.pk])
    client.post(url, {"pasted": "a@example.nl\nb@example.nl"})
    client.post(url, {"pasted": "B@example.nl\nc@example.nl"})
    assert sorted(world.open_a.invitations.values_list("email", flat=True)) == [
        "a@example.nl",
        "b@example.nl",
        "c@example.nl",
    ]


def test_round_form_errors_are_in_plain_words(client):
    world = make_world()
    client.force_login(world.users["hr_a"])
    today = timezone.localdate()
    response = client.post(
        reverse("assessments:campaign_create", args=[world.org_a.pk]),
        {
            "name": "",
            "questionnaire": world.open_a.questionnaire_id,
            "opens_on": today.isoformat(),
            "closes_on": (today - dt.timedelta(days=1)).isoformat(),
            "threshold": 2,
            "default_language": "nl",
        },
    )
    form = response.context["form"]
    assert form.errors["name"] == ["Give the round a name, for example “Spring 2026”."]
    assert "at least 3" in form.errors["threshold"][0]
    assert "The closing date must be on or after the opening date." in form.errors["closes_on"]
    assert not Campaign.objects.filter(name="").exists()


def test_the_threshold_defaults_to_five(client):
    world = make_world()
    client.force_login(world.users["hr_a"])
    response = client.get(reverse("assessments:campaign_create", args=[world.org_a.pk]))
    assert response.context["form"]["threshold"].value() == 5


def test_team_edits_after_opening_apply_to_the_next_round_only(client):
    world = make_world()
    client.force_login(world.users["hr_a"])
    client.post(reverse("assessments:campaign_open", args=[world.draft_a.pk]))
    frozen = list(world.draft_a.teams.values_list("name", flat=True))
    assert frozen == ["Bakkerij", "Winkel"]
    response = client.post(
        reverse("assessments:team_create", args=[world.org_a.pk]),
        {"name": "Bezorging"},
        follow=True,
    )
    assert "apply to the next round" in response.content.decode()
    assert list(world.draft_a.teams.values_list("name", flat=True)) == frozen
    response = client.get(reverse("assessments:organisation_detail", args=[world.org_a.pk]))
    assert "changes here apply to the next round" in response.content.decode()


def test_an_open_round_keeps_its_name_and_settings_when_edited(client):
    # Only the closing date and the headcount of an open round change (test_round_workflow).
    world = make_world()
    client.force_login(world.users["hr_a"])
    url = reverse("assessments:campaign_edit", args=[world.open_a.pk])
    response = client.post(url, {"name": "Nieuw", "threshold": 3})
    assert response.status_code == 200  # the closing date is missing
    world.open_a.refresh_from_db()
    assert world.open_a.name != "Nieuw"
    assert world.open_a.threshold == 5


def test_rounds_past_their_closing_date_close_and_lose_their_addresses(client):
    world = make_world()
    today = timezone.localdate()
    Campaign.objects.filter(pk=world.open_a.pk).update(
        opens_on=today - dt.timedelta(days=20), closes_on=today - dt.timedelta(days=1)
    )
    _invite(world.open_a, ["a@example.nl"])
    call_command("close_due_rounds", stdout=open("/dev/null", "w"))  # noqa: SIM115
    world.open_a.refresh_from_db()
    assert world.open_a.status == Campaign.Status.CLOSED
    assert list(world.open_a.invitations.values_list("email", flat=True)) == [""]


def test_the_workspace_page_closes_due_rounds_too(client):
    world = make_world()
    today = timezone.localdate()
    Campaign.objects.filter(pk=world.open_a.pk).update(
        opens_on=today - dt.timedelta(days=20), closes_on=today - dt.timedelta(days=1)
    )
    client.force_login(world.users["hr_a"])
    client.get(reverse("assessments:home"))
    world.open_a.refresh_from_db()
    assert world.open_a.status == Campaign.Status.CLOSED


def test_copy_to_next_round_makes_a_draft_with_the_same_settings(client):
    world = make_world()
    Campaign.objects.filter(pk=world.open_a.pk).update(threshold=7, ask_tenure=True)
    client.force_login(world.users["consultant_a"])
    response = client.post(reverse("assessments:campaign_copy", args=[world.open_a.pk]))
    copy = Campaign.objects.exclude(pk__in=[world.open_a.pk, world.draft_a.pk]).get(
        organisation=world.org_a
    )
    assert response["Location"] == reverse("assessments:campaign_edit", args=[copy.pk])
    assert copy.status == Campaign.Status.DRAFT
    assert (copy.threshold, copy.ask_tenure) == (7, True)
    assert copy.link_token_hash != world.open_a.link_token_hash
    assert not copy.teams.exists()


def test_share_page_offers_png_and_svg_qr_codes_and_a4_sheets(client):
    world = make_world()
    client.force_login(world.users["hr_a"])
    pk = world.open_a.pk
    share = client.get(reverse("assessments:campaign_share", args=[pk])).content.decode()
    assert world.open_a.survey_url() in share
    png = client.get(reverse("assessments:campaign_qr_png", args=[pk]) + "?download=1")
    assert png["Content-Type"] == "image/png" and png.content.startswith(b"\x89PNG")
    assert "attachment" in png["Content-Disposition"]
    svg = client.get(reverse("assessments:campaign_qr_svg", args=[pk]))
    assert svg["Content-Type"] == "image/svg+xml" and b"<svg" in svg.content
    nl = client.get(reverse("assessments:campaign_sheet", args=[pk]) + "?lang=nl").content
    en = client.get(reverse("assessments:campaign_sheet", args=[pk]) + "?lang=en").content
    assert b'lang="nl"' in nl and b"Scan de QR-code" in nl
    assert b'lang="en"' in en and b"Scan the QR code" in en
    assert b"sheet.css" in nl
    from django.contrib.staticfiles import finders

    with open(finders.find("css/sheet.css")) as css:
        assert "size: A4" in css.read()


def test_an_hr_manager_may_belong_to_several_organisations(client):
    world = make_world()
    alice = world.users["hr_a"]
    _, added = add_hr_manager(
        organisation=world.org_b,
        email=alice.email.upper(),
        first_name="Alice",
        last_name="",
        invited_by=world.users["consultant_b"],
    )
    assert added
    client.force_login(alice)
    body = client.get(reverse("assessments:home")).content.decode()
    assert "Bakkerij De Korenschoof" in body and "Garage Van Dijk" in body


def test_invitations_are_not_browsable_in_admin():
    assert Invitation not in admin.site._registry


def test_with_a_production_backend_requests_only_queue_and_the_command_delivers(
    client, settings, caplog, database_queue
):
    settings.EMAIL_BACKEND = "tests.recording_backend.RecordingBackend"
    recording_backend.sent.clear()
    recording_backend.opened.clear()
    world = make_world()
    _invite(world.open_a, [f"p{i}@example.nl" for i in range(150)] + ["refuse@example.nl"])
    client.force_login(world.users["hr_a"])
    response = client.post(
        reverse("assessments:invitation_send", args=[world.open_a.pk]), follow=True
    )
    assert "being sent" in response.content.decode()
    assert recording_backend.sent == []
    assert world.open_a.invitations.filter(pending="invitation").count() == 151
    with caplog.at_level(logging.DEBUG):
        call_command("send_invitations", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert len(recording_backend.sent) == 150
    assert len(recording_backend.opened) == 1  # one connection for all batches
    assert world.open_a.invitations.filter(sent_on__isnull=False).count() == 150
    refused = world.open_a.invitations.get(email="refuse@example.nl")
    assert (refused.pending, refused.send_failures, refused.claim) == ("invitation", 1, "")
    tokens = [i.token() for i in world.open_a.invitations.all()]
    logged = caplog.text
    assert not [t for t in tokens if t in logged]
    assert "p1@example.nl" not in logged


def test_reminders_go_only_to_unused_invitations(client):
    world = make_world()
    _invite(world.open_a, ["a@example.nl", "b@example.nl", "c@example.nl"])
    # Reminders wait REMINDER_AFTER_DAYS (3) after the invitation (test_round_workflow.py).
    world.open_a.invitations.update(sent_on=timezone.localdate() - dt.timedelta(days=3))
    world.open_a.invitations.filter(email="b@example.nl").update(is_used=True)
    client.force_login(world.users["hr_a"])
    client.post(reverse("assessments:invitation_remind", args=[world.open_a.pk]))
    assert sorted(m.to[0] for m in mail.outbox) == ["a@example.nl", "c@example.nl"]
    assert all("Herinnering" in m.subject for m in mail.outbox)


def test_a_closed_round_takes_no_addresses(client):
    world = make_world()
    close_round(world.open_a)
    client.force_login(world.users["hr_a"])
    client.post(
        reverse("assessments:invitations", args=[world.open_a.pk]), {"pasted": "a@example.nl"}
    )
    assert not world.open_a.invitations.exists()


def test_team_counts_below_k_or_revealing_a_small_remainder_are_hidden():
    questionnaire = make_questionnaire(dimensions=1, items_per_dimension=1)
    campaign, _ = make_campaign(
        make_organisation(), questionnaire, teams=("A", "B", "C"), threshold=5
    )
    a, b, c = campaign.teams.all()
    CampaignTeam.objects.filter(pk=a.pk).update(size=10)
    make_responses(campaign, 8, team=a)
    make_responses(campaign, 5, team=b)
    make_responses(campaign, 2, team=c)
    # While the round is open no team count is shown: counts that change per response would
    # show, compared over time, who answered.
    progress = response_progress(campaign)
    assert [t.count for t in progress.teams] == [None, None, None]
    assert progress.teams_reason and progress.responses == 15
    close_round(campaign)
    progress = response_progress(campaign)
    shown = {t.name: t.count for t in progress.teams}
    # C (2) is hidden; B must go too, or 15 − 8 − 5 would give C away.
    assert shown == {"A": 8, "B": None, "C": None}
    assert progress.teams[0].rate == pytest.approx(0.8)
    assert progress.responses == 15 and progress.teams_reason is None


@pytest.mark.parametrize(("without_team", "counts"), [(1, [6, None]), (5, [6, 5])])
def test_team_counts_are_all_shown_when_every_group_is_large_enough(without_team, counts):
    questionnaire = make_questionnaire(dimensions=1, items_per_dimension=1)
    campaign, _ = make_campaign(make_organisation(), questionnaire, teams=("A", "B"))
    a, b = campaign.teams.all()
    make_responses(campaign, 6, team=a)
    make_responses(campaign, 5, team=b)
    # No team: a remainder of 1 would be revealed by showing both teams; 5 ≥ k would not.
    make_responses(campaign, without_team)
    close_round(campaign)
    progress = response_progress(campaign)
    assert [t.count for t in progress.teams] == counts
    assert [t.rate for t in progress.teams] == [None, None]  # sizes unknown


def test_the_progress_json_matches_the_page(client):
    world = make_world()
    make_responses(world.open_a, 3)
    client.force_login(world.users["hr_a"])
    data = client.get(reverse("assessments:campaign_progress", args=[world.open_a.pk])).json()
    assert data["responses"] == 3
    assert all(t["count"] is None for t in data["teams"])
    assert "name" not in data["teams"][0]


def test_progress_script_is_self_hosted_and_the_page_works_without_it(client):
    world = make_world()
    client.force_login(world.users["hr_a"])
    body = client.get(reverse("assessments:campaign_detail", args=[world.open_a.pk])).content
    assert b'src="/static/js/progress.js"' in body
    assert b"<script>" not in body  # no inline script (CSP script-src 'self')
    assert b'data-field="responses">0<' in body


def test_an_invited_account_without_a_password_can_ask_for_a_new_link(client):
    world = make_world()
    user, _ = add_hr_manager(
        organisation=world.org_a,
        email="nieuw@example.nl",
        first_name="Nieuw",
        last_name="",
        invited_by=world.users["consultant_a"],
    )
    assert not user.has_usable_password()
    mail.outbox.clear()
    client.post(reverse("password_reset"), {"email": "Nieuw@example.nl"})
    assert [m.to for m in mail.outbox] == [["nieuw@example.nl"]]


def test_staff_create_consultants_who_get_a_set_password_mail(client):
    world = make_world()
    client.force_login(world.users["staff"])
    client.post(
        reverse("assessments:consultants"),
        {"first_name": "Cees", "last_name": "Adviseur", "email": "cees@advies.example"},
    )
    (message,) = mail.outbox
    assert "/accounts/welcome/" in message.body
    client.logout()
    from django.contrib.auth import get_user_model

    cees = get_user_model().objects.get(email="cees@advies.example")
    client.force_login(cees)
    assert client.get(reverse("assessments:organisation_create")).status_code == 200


def test_queueing_500_invitations_takes_a_handful_of_queries(
    client, settings, django_assert_max_num_queries, database_queue
):
    settings.EMAIL_BACKEND = "tests.recording_backend.RecordingBackend"
    world = make_world()
    _invite(world.open_a, [f"p{i}@example.nl" for i in range(500)])
    client.force_login(world.users["hr_a"])
    with django_assert_max_num_queries(15):
        response = client.post(reverse("assessments:invitation_send", args=[world.open_a.pk]))
    assert response.status_code == 302
    assert world.open_a.invitations.filter(pending="invitation").count() == 500
