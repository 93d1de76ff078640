"""Issue 13: the round workflow as a new HR manager or consultant meets it.

Consultants, closing with a confirmation and a history, extending an open round, the expected
headcount, invitation lists with bad lines, reminders that wait, the share page and the login.
"""

from __future__ import annotations

import datetime as dt
import re
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from assessments.access import CONSULTANT_GROUP, is_consultant
from assessments.models import Campaign, CampaignEvent, Invitation
from assessments.selectors import response_progress

from .factories import make_responses
from .personas import PASSWORD, make_world


@pytest.fixture(autouse=True)
def _english_ui(settings):
    # These tests read the English messages; the Dutch ones are checked where they matter.
    settings.LANGUAGE_CODE = "en"


pytestmark = pytest.mark.django_db


# --- 1. Consultants --------------------------------------------------------------------------


def test_the_demo_consultant_can_create_a_client_organisation(client):
    call_command("seed_demo", stdout=StringIO())
    assert client.login(username="adviseur", password="demo-adviseur-2026")
    home = client.get(reverse("assessments:home")).content.decode()
    assert reverse("assessments:organisation_create") in home
    response = client.post(
        reverse("assessments:organisation_create"),
        {"name": "Bakkerij De Korenschoof", "sector": "trade", "size_band": "10-49"},
    )
    assert response.status_code == 302


def test_staff_make_an_existing_account_a_consultant_from_the_workspace(client):
    world = make_world()
    alice = world.users["hr_a"]
    client.force_login(world.users["staff"])
    page = client.get(reverse("assessments:consultants")).content.decode()
    assert reverse("assessments:consultant_promote") in page
    response = client.post(
        reverse("assessments:consultant_promote"), {"account": "  ALICE@example.com "}
    )
    assert response.status_code == 302
    assert is_consultant(alice)
    page = client.get(response["Location"]).content.decode()
    assert "alice@example.com is now a consultant" in page
    # By username as well, and a second time changes nothing.
    client.post(reverse("assessments:consultant_promote"), {"account": "alice"})
    assert alice.groups.filter(name=CONSULTANT_GROUP).count() == 1


def test_an_unknown_account_gets_a_clear_message_and_keeps_what_was_typed(client):
    world = make_world()
    client.force_login(world.users["staff"])
    response = client.post(
        reverse("assessments:consultant_promote"), {"account": "nobody@example.nl"}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "There is no account with this e-mail address or username." in body
    assert 'value="nobody@example.nl"' in body


def test_only_staff_make_consultants(client):
    world = make_world()
    client.force_login(world.users["consultant_a"])
    response = client.post(reverse("assessments:consultant_promote"), {"account": "alice"})
    assert response.status_code == 403
    assert not is_consultant(world.users["hr_a"])


# --- 8. Small things a new user sees first ---------------------------------------------------


def test_the_login_accepts_a_username_or_an_email_address(client, cast):
    for name in ("carol", "carol@example.com", "Carol@Example.com"):
        response = client.post(reverse("login"), {"username": name, "password": PASSWORD})
        assert response.status_code == 302, name
        client.logout()
    wrong = client.post(reverse("login"), {"username": "carol@example.com", "password": "x"})
    assert wrong.status_code == 200


def test_an_email_address_shared_by_two_accounts_does_not_pick_one(client, cast):
    twin = cast.chris
    twin.email = "carol@example.com"
    twin.save()
    response = client.post(
        reverse("login"), {"username": "carol@example.com", "password": PASSWORD}
    )
    assert response.status_code == 200
    assert (
        client.post(reverse("login"), {"username": "chris", "password": PASSWORD}).status_code
        == 302
    )


def test_the_login_form_asks_for_an_email_address_or_username_in_dutch(client, settings):
    settings.LANGUAGE_CODE = "nl"
    body = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert "E-mailadres of gebruikersnaam" in body
    failed = client.post(reverse("login"), {"username": "adviseur", "password": "fout"})
    assert "gebruikersnaam" in failed.content.decode()
    assert 'value="adviseur"' in failed.content.decode()


def test_seed_demo_prints_in_dutch(settings):
    settings.LANGUAGE_CODE = "nl"
    out = StringIO()
    call_command("seed_demo", stdout=out)
    output = out.getvalue()
    assert "Demogegevens klaar" in output
    assert "Adviseur" in output and "adviseur / demo-adviseur-2026" in output
    assert "Metingen" in output and "gesloten" in output
    assert "Accounts (log in at" not in output
    assert (
        get_user_model()
        .objects.get(username="adviseur")
        .groups.filter(name=CONSULTANT_GROUP)
        .exists()
    )


# --- 2. Closing and extending ----------------------------------------------------------------


def _invite(campaign, emails):
    invitations = [Invitation(campaign=campaign, email=e) for e in emails]
    for invitation in invitations:
        invitation.set_token()
    Invitation.objects.bulk_create(invitations)


def test_closing_asks_for_confirmation_and_says_what_happens(client):
    world = make_world()
    _invite(world.open_a, ["a@example.nl", "b@example.nl"])
    client.force_login(world.users["hr_a"])
    close_url = reverse("assessments:campaign_close", args=[world.open_a.pk])
    detail = client.get(reverse("assessments:campaign_detail", args=[world.open_a.pk]))
    assert f'href="{close_url}"' in detail.content.decode()
    assert f'action="{close_url}"' not in detail.content.decode()

    page = client.get(close_url)
    assert page.status_code == 200
    body = page.content.decode()
    assert "The results become final" in body
    assert "The 2 e-mail addresses of this round are deleted" in body
    assert "stop working" in body
    assert date_format(world.open_a.closes_on, "j F Y") in body  # when it would close by itself
    assert reverse("assessments:campaign_edit", args=[world.open_a.pk]) in body  # or extend
    world.open_a.refresh_from_db()
    assert world.open_a.status == Campaign.Status.OPEN


def test_closing_is_logged_in_the_rounds_history_with_who_and_when(client):
    world = make_world()
    alice = world.users["hr_a"]
    alice.first_name, alice.last_name = "Alice", "de Bakker"
    alice.save()
    client.force_login(alice)
    response = client.post(reverse("assessments:campaign_close", args=[world.open_a.pk]))
    assert response.status_code == 302
    world.open_a.refresh_from_db()
    assert world.open_a.status == Campaign.Status.CLOSED
    (event,) = world.open_a.events.all()
    assert (event.kind, event.actor) == (CampaignEvent.Kind.CLOSED, alice)
    assert abs((timezone.now() - event.at).total_seconds()) < 60
    body = client.get(response["Location"]).content.decode()
    assert "Closed by Alice de Bakker" in body
    assert date_format(timezone.localtime(event.at), "j F Y") in body


def test_a_round_that_closes_by_itself_is_logged_as_closed_automatically(client):
    world = make_world()
    today = timezone.localdate()
    Campaign.objects.filter(pk=world.open_a.pk).update(
        opens_on=today - dt.timedelta(days=20), closes_on=today - dt.timedelta(days=1)
    )
    client.force_login(world.users["hr_a"])
    body = client.get(reverse("assessments:campaign_detail", args=[world.open_a.pk])).content
    (event,) = world.open_a.events.all()
    assert (event.kind, event.actor) == (CampaignEvent.Kind.CLOSED_AUTOMATICALLY, None)
    assert "Closed automatically after the closing date" in body.decode()


def test_an_open_round_can_be_extended_but_its_locked_settings_stay(client):
    world = make_world()
    campaign = world.open_a
    client.force_login(world.users["hr_a"])
    url = reverse("assessments:campaign_edit", args=[campaign.pk])
    detail = client.get(reverse("assessments:campaign_detail", args=[campaign.pk]))
    assert f'href="{url}"' in detail.content.decode()
    page = client.get(url)
    assert page.status_code == 200
    fields = set(page.context["form"].fields)
    assert {"closes_on", "expected_respondents"} <= fields
    assert not fields & {"name", "opens_on", "questionnaire", *Campaign.LOCKED_ONCE_OPEN}

    old = campaign.closes_on
    new = old + dt.timedelta(days=14)
    response = client.post(
        url,
        {"closes_on": new.isoformat(), "expected_respondents": "", "threshold": 3, "name": "X"},
    )
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert (campaign.closes_on, campaign.threshold, campaign.name) == (new, 5, "Meting voorjaar")
    (event,) = campaign.events.all()
    assert (event.kind, event.old_value, event.new_value) == (
        CampaignEvent.Kind.CLOSING_DATE,
        old.isoformat(),
        new.isoformat(),
    )
    body = client.get(reverse("assessments:campaign_detail", args=[campaign.pk])).content
    assert date_format(new, "j F Y") in body.decode()


def test_the_closing_date_may_move_earlier_but_not_before_today(client, settings):
    settings.LANGUAGE_CODE = "nl"
    world = make_world()
    campaign = world.open_a
    client.force_login(world.users["hr_a"])
    url = reverse("assessments:campaign_edit", args=[campaign.pk])
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    response = client.post(url, {"closes_on": yesterday.isoformat(), "expected_respondents": "17"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "De einddatum kan niet in het verleden liggen" in body
    assert f'value="{yesterday.isoformat()}"' in body and 'value="17"' in body
    campaign.refresh_from_db()
    assert campaign.closes_on > yesterday and campaign.expected_respondents is None
    client.cookies["django_language"] = "en"
    english = client.post(url, {"closes_on": yesterday.isoformat()}).content.decode()
    assert "The closing date cannot be in the past" in english
    del client.cookies["django_language"]

    today = timezone.localdate()
    response = client.post(url, {"closes_on": today.isoformat(), "expected_respondents": ""})
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.closes_on == today


def test_a_closed_round_cannot_be_edited(client):
    world = make_world()
    client.force_login(world.users["hr_a"])
    client.post(reverse("assessments:campaign_close", args=[world.open_a.pk]))
    response = client.get(reverse("assessments:campaign_edit", args=[world.open_a.pk]))
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "This round is closed, so its settings can no longer be changed." in page


# --- 3. Response rate ------------------------------------------------------------------------


def test_an_open_round_without_a_headcount_says_what_to_fill_in_with_a_working_link(client):
    world = make_world()
    campaign = world.open_a
    make_responses(campaign, 3)
    client.force_login(world.users["hr_a"])
    detail_url = reverse("assessments:campaign_detail", args=[campaign.pk])
    body = client.get(detail_url).content.decode()
    assert "fill in how many employees were invited" in body
    edit_url = reverse("assessments:campaign_edit", args=[campaign.pk])
    assert f'href="{edit_url}#id_expected_respondents"' in body
    assert "edit the draft round" not in body
    # With the teams' sizes known, those give the response rate (3 of 20).
    campaign.teams.filter(name="Bakkerij").update(size=12)
    campaign.teams.filter(name="Winkel").update(size=8)
    body = client.get(detail_url).content.decode()
    assert "fill in how many employees were invited" not in body
    assert "15</span>%" in body and "teams of the round" in body

    form_page = client.get(edit_url)
    assert form_page.status_code == 200
    assert form_page.context["form"]["expected_respondents"].value() == 20  # the team sizes
    assert "The teams of this round add up to 20 employees." in form_page.content.decode()
    response = client.post(
        edit_url,
        {
            "closes_on": campaign.closes_on.isoformat(),
            **{
                "expected_respondents": "25",
            },
        },
    )
    assert response.status_code == 302
    body = client.get(detail_url).content.decode()
    assert "fill in how many employees were invited" not in body
    assert response_progress(Campaign.objects.get(pk=campaign.pk)).invited == 25
    (event,) = campaign.events.all()
    assert (event.kind, event.old_value, event.new_value) == ("headcount", "", "25")


def test_the_team_sizes_of_an_open_round_can_be_corrected(client):
    world = make_world()
    campaign = world.open_a
    client.force_login(world.users["consultant_a"])
    url = reverse("assessments:campaign_edit", args=[campaign.pk])
    bakkerij, winkel = campaign.teams.order_by("position")
    page = client.get(url)
    assert f"team-{bakkerij.pk}" in page.context["form"].fields
    response = client.post(
        url,
        {
            "closes_on": campaign.closes_on.isoformat(),
            f"team-{bakkerij.pk}": "14",
            f"team-{winkel.pk}": "",
        },
    )
    assert response.status_code == 302
    bakkerij.refresh_from_db()
    winkel.refresh_from_db()
    assert (bakkerij.size, winkel.size) == (14, None)
    # The organisation's own team list is not touched: it is for the next round.
    assert world.org_a.teams.get(name="Bakkerij").size is None
    assert campaign.events.get().kind == CampaignEvent.Kind.TEAM_SIZES


def test_a_team_size_below_one_gets_a_clear_message(client):
    world = make_world()
    campaign = world.open_a
    client.force_login(world.users["hr_a"])
    bakkerij = campaign.teams.order_by("position").first()
    response = client.post(
        reverse("assessments:campaign_edit", args=[campaign.pk]),
        {"closes_on": campaign.closes_on.isoformat(), f"team-{bakkerij.pk}": "0"},
    )
    assert response.status_code == 200
    assert "A team has at least 1 employee; or leave this empty." in response.content.decode()


# --- 4. Invitation lists with bad lines, and reminders that wait -----------------------------

MIXED = "goed@example.nl\nfout.example.nl\nook.goed@example.nl\nderde@example.nl"


def _invitations_url(campaign) -> str:
    return reverse("assessments:invitations", args=[campaign.pk])


def test_a_list_with_a_bad_line_offers_to_add_the_valid_ones_in_one_click(client):
    world = make_world()
    campaign = world.open_a
    client.force_login(world.users["hr_a"])
    response = client.post(_invitations_url(campaign), {"pasted": MIXED})
    assert response.status_code == 200
    assert not campaign.invitations.exists()
    body = response.content.decode()
    add_url = reverse("assessments:invitation_add_valid", args=[campaign.pk])
    assert f'action="{add_url}"' in body
    assert "Add the 3 valid addresses" in body
    assert "fout.example.nl" in body  # the bad line is listed, and the textarea keeps it all

    response = client.post(add_url)
    assert response.status_code == 302
    assert sorted(campaign.invitations.values_list("email", flat=True)) == [
        "derde@example.nl",
        "goed@example.nl",
        "ook.goed@example.nl",
    ]
    page = client.get(response["Location"]).content.decode()
    assert "3 addresses added." in page
    assert f'action="{add_url}"' not in page  # the checked list is used up
    again = client.post(add_url)
    assert campaign.invitations.count() == 3
    assert "no longer available" in client.get(again["Location"]).content.decode()


def test_an_uploaded_file_is_kept_until_its_valid_addresses_are_added(client):
    world = make_world()
    campaign = world.open_a
    client.force_login(world.users["hr_a"])
    upload = SimpleUploadedFile(
        "medewerkers.csv", ("e-mail\n" + MIXED + "\n").encode(), content_type="text/csv"
    )
    response = client.post(_invitations_url(campaign), {"file": upload})
    body = response.content.decode()
    assert "medewerkers.csv" in body
    # Coming back to the page later still offers the checked file.
    assert "Add the 3 valid addresses" in client.get(_invitations_url(campaign)).content.decode()
    client.post(reverse("assessments:invitation_add_valid", args=[campaign.pk]))
    assert campaign.invitations.count() == 3


def test_the_bad_lines_download_as_a_csv_that_can_be_fixed_and_added_again(client):
    world = make_world()
    campaign = world.open_a
    client.force_login(world.users["hr_a"])
    client.post(_invitations_url(campaign), {"pasted": MIXED + "\n=HYPERLINK(1)"})
    response = client.get(reverse("assessments:invitation_problems", args=[campaign.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0] == "line,e-mail,problem"
    assert lines[1] == "2,fout.example.nl,has no @ sign"
    assert lines[2].startswith("5,'=HYPERLINK(1),")  # a spreadsheet never runs it
    assert "goed@example.nl" not in text

    fixed = "\n".join([lines[0], lines[1].replace("fout.example.nl", "fout@example.nl")])
    upload = SimpleUploadedFile("fixed.csv", fixed.encode("utf-8-sig"), content_type="text/csv")
    client.post(_invitations_url(campaign), {"file": upload})
    assert list(campaign.invitations.values_list("email", flat=True)) == ["fout@example.nl"]


def test_a_list_of_only_bad_lines_says_so_in_dutch_and_keeps_the_text(client, settings):
    settings.LANGUAGE_CODE = "nl"
    world = make_world()
    campaign = world.open_a
    client.force_login(world.users["hr_a"])
    response = client.post(_invitations_url(campaign), {"pasted": "fout\nook fout.nl"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Geen enkele regel bevat een bruikbaar e-mailadres" in body
    assert "ook fout.nl" in body
    assert reverse("assessments:invitation_add_valid", args=[campaign.pk]) not in body
    assert reverse("assessments:invitation_problems", args=[campaign.pk]) in body
    # The same for a file: it cannot be put back in the file field, so the page names it.
    upload = SimpleUploadedFile("lijst.csv", b"fout\nook fout.nl\n", content_type="text/csv")
    body = client.post(_invitations_url(campaign), {"file": upload}).content.decode()
    assert "Geen enkele regel bevat een bruikbaar e-mailadres" in body
    assert "lijst.csv" in body and "ook fout.nl" in body
    assert not campaign.invitations.exists()
    client.cookies["django_language"] = "en"
    english = client.post(_invitations_url(campaign), {"pasted": "fout"}).content.decode()
    assert "None of the lines has a usable e-mail address" in english


def test_a_checked_list_belongs_to_its_own_round(client):
    world = make_world()
    client.force_login(world.users["hr_a"])
    client.post(_invitations_url(world.open_a), {"pasted": MIXED})
    response = client.post(reverse("assessments:invitation_add_valid", args=[world.draft_a.pk]))
    assert response.status_code == 302
    assert not Invitation.objects.exists()


def _sent(campaign, days_ago: int, *, reminded_days_ago: int | None = None) -> None:
    today = timezone.localdate()
    campaign.invitations.update(
        sent_on=today - dt.timedelta(days=days_ago),
        reminded_on=None
        if reminded_days_ago is None
        else today - dt.timedelta(days=reminded_days_ago),
    )


def test_reminders_are_offered_only_three_days_after_the_last_email(client):
    world = make_world()
    campaign = world.open_a
    _invite(campaign, ["a@example.nl", "b@example.nl"])
    client.force_login(world.users["hr_a"])
    client.post(reverse("assessments:invitation_send", args=[campaign.pk]))
    assert len(mail.outbox) == 2
    today = timezone.localdate()

    page = client.get(_invitations_url(campaign)).content.decode()
    assert re.search(r'<button[^>]*name="remind"[^>]*disabled', page)
    assert f"from {date_format(today + dt.timedelta(days=3), 'j F Y')}" in page
    assert f"The last invitations went out on {date_format(today, 'j F Y')}" in page
    response = client.post(reverse("assessments:invitation_remind", args=[campaign.pk]))
    assert len(mail.outbox) == 2  # nothing more went out
    assert "from " in client.get(response["Location"]).content.decode()

    _sent(campaign, 3)
    page = client.get(_invitations_url(campaign)).content.decode()
    assert not re.search(r'<button[^>]*name="remind"[^>]*disabled', page)
    client.post(reverse("assessments:invitation_remind", args=[campaign.pk]))
    assert len(mail.outbox) == 4
    page = client.get(_invitations_url(campaign)).content.decode()
    assert f"The last reminder went out on {date_format(today, 'j F Y')}" in page
    assert re.search(r'<button[^>]*name="remind"[^>]*disabled', page)


def test_a_reminder_waits_for_each_address_own_last_email(client):
    world = make_world()
    campaign = world.open_a
    _invite(campaign, ["oud@example.nl", "nieuw@example.nl"])
    _sent(campaign, 5)
    campaign.invitations.filter(email="nieuw@example.nl").update(sent_on=timezone.localdate())
    client.force_login(world.users["hr_a"])
    client.post(reverse("assessments:invitation_remind", args=[campaign.pk]))
    assert [m.to for m in mail.outbox] == [["oud@example.nl"]]


def test_the_waiting_time_for_reminders_is_a_setting(client, settings):
    settings.REMINDER_AFTER_DAYS = 0
    world = make_world()
    _invite(world.open_a, ["a@example.nl"])
    _sent(world.open_a, 0)
    client.force_login(world.users["hr_a"])
    client.post(reverse("assessments:invitation_remind", args=[world.open_a.pk]))
    assert len(mail.outbox) == 1
