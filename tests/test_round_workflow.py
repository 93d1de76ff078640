"""Issue 13: the round workflow as a new HR manager or consultant meets it.

Consultants, closing with a confirmation and a history, extending an open round, the expected
headcount, invitation lists with bad lines, reminders that wait, the share page and the login.
"""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from assessments.access import CONSULTANT_GROUP, is_consultant

from .factories import make_user
from .personas import make_world


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


def test_the_login_accepts_a_username_or_an_email_address(client):
    make_user("adviseur", password="demo-adviseur-2026")
    for name in ("adviseur", "adviseur@example.com", "Adviseur@Example.com"):
        response = client.post(
            reverse("login"), {"username": name, "password": "demo-adviseur-2026"}
        )
        assert response.status_code == 302, name
        client.logout()
    wrong = client.post(reverse("login"), {"username": "adviseur@example.com", "password": "x"})
    assert wrong.status_code == 200


def test_an_email_address_shared_by_two_accounts_does_not_pick_one(client):
    make_user("adviseur", password="demo-adviseur-2026")
    twin = make_user("tweeling", password="demo-adviseur-2026")
    twin.email = "adviseur@example.com"
    twin.save()
    response = client.post(
        reverse("login"), {"username": "adviseur@example.com", "password": "demo-adviseur-2026"}
    )
    assert response.status_code == 200
    assert (
        client.post(
            reverse("login"), {"username": "tweeling", "password": "demo-adviseur-2026"}
        ).status_code
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
