"""A failed CSRF check, an expired session and Django's error handlers show our own pages, and
the employee's answers survive every one of them."""

from __future__ import annotations

import re

import pytest
from django.contrib.sessions.models import Session
from django.test import Client, RequestFactory
from django.views import defaults

from assessments.models import SurveyDraft

from .factories import make_campaign, make_organisation, make_questionnaire

pytestmark = pytest.mark.django_db


@pytest.fixture
def round_and_token():
    questionnaire = make_questionnaire(dimensions=2, items_per_dimension=3, open_questions=1)
    organisation = make_organisation(teams=("Bakkerij", "Winkel"))
    return make_campaign(organisation, questionnaire, teams=("Bakkerij", "Winkel"))


def csrf_token(client: Client) -> str:
    return client.cookies["csrftoken"].value


def post(client: Client, path: str, data: dict, **extra):
    return client.post(path, {**data, "csrfmiddlewaretoken": csrf_token(client)}, **extra)


@pytest.fixture
def emma(round_and_token):
    """Emma, with CSRF checks on as in a real browser, has answered the first two pages."""
    _, token = round_and_token
    client = Client(enforce_csrf_checks=True)
    assert client.get(f"/s/{token}/").status_code == 302
    client.get("/survey/")
    assert post(client, "/survey/", {}).status_code == 302
    client.get("/survey/step/1/")
    assert post(client, "/survey/step/1/", {"segment-role": "employee"}).status_code == 302
    page2 = {"item-D1.1": "4", "item-D1.2": "2", "item-D1.3": "5", "action": "next"}
    assert post(client, "/survey/step/2/", page2).status_code == 302
    return client


def draft_of(client: Client) -> SurveyDraft:
    return SurveyDraft.objects.get(pk=client.session["survey"]["draft"])


def hidden_fields(page: str) -> dict[str, str]:
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page))


PAGE3 = {"item-D2.1": "3", "item-D2.2": "1", "item-D2.3": "5", "action": "next"}


def test_a_page_sent_with_a_stale_csrf_token_comes_back_with_its_answers_to_send_again(emma):
    response = emma.post("/survey/step/3/", {**PAGE3, "csrfmiddlewaretoken": "x" * 64})
    assert response.status_code == 403
    page = response.content.decode()
    assert "Deze pagina was verlopen" in page or "This page had expired" in page
    carried = hidden_fields(page)
    assert {k: carried[k] for k in PAGE3} == PAGE3
    assert "D2.1" not in draft_of(emma).data["answers"]  # nothing stored from a failed check

    again = emma.post("/survey/step/3/", carried)  # the page's "Continue" button
    assert again.status_code == 302
    answers = draft_of(emma).data["answers"]
    assert answers == {"D1.1": 4, "D1.2": 2, "D1.3": 5, "D2.1": 3, "D2.2": 1, "D2.3": 5}


def test_a_cross_site_form_gets_the_friendly_page_but_its_fields_are_not_carried(emma):
    response = emma.post(
        "/survey/step/3/",
        {**PAGE3, "csrfmiddlewaretoken": csrf_token(emma)},
        HTTP_ORIGIN="https://evil.example",
    )
    assert response.status_code == 403
    carried = hidden_fields(response.content.decode())
    assert not set(carried) & set(PAGE3)


def test_a_page_sent_after_the_session_expired_leads_to_the_resume_code_with_its_answers(emma):
    code = emma.session["survey"]["code"]
    Session.objects.all().delete()  # the session expired on the server

    response = post(emma, "/survey/step/3/", PAGE3)
    assert response.status_code == 400
    page = response.content.decode()
    assert 'action="/survey/resume/"' in page
    carried = hidden_fields(page)
    assert carried["carry-step"] == "3"
    assert carried["item-D2.1"] == "3"

    wrong = post(emma, "/survey/resume/", {**carried, "code": "AAAA-AAAA-AAAA-AAAA"})
    assert wrong.status_code == 400
    assert hidden_fields(wrong.content.decode())["item-D2.2"] == "1"  # still carried

    resumed = post(emma, "/survey/resume/", {**carried, "code": code.lower()})
    assert resumed.status_code == 302
    assert resumed["Location"].endswith("/survey/step/3/")
    answers = draft_of(emma).data["answers"]
    assert answers == {"D1.1": 4, "D1.2": 2, "D1.3": 5, "D2.1": 3, "D2.2": 1, "D2.3": 5}


def test_a_csrf_failure_without_a_session_offers_the_resume_code_with_the_answers(emma):
    code = emma.session["survey"]["code"]
    Session.objects.all().delete()
    emma.cookies.pop("csrftoken")
    response = emma.post("/survey/step/3/", PAGE3)
    assert response.status_code == 403
    page = response.content.decode()
    assert 'action="/survey/resume/"' in page
    carried = hidden_fields(page)
    assert carried["carry-step"] == "3"
    resumed = post(emma, "/survey/resume/", {**carried, "code": code})
    assert resumed.status_code == 302
    assert draft_of(emma).data["answers"]["D2.2"] == 1


def test_sending_after_the_session_expired_offers_the_resume_code(emma):
    Session.objects.all().delete()
    response = post(emma, "/survey/review/", {})
    assert response.status_code == 400
    assert 'action="/survey/resume/"' in response.content.decode()


def test_a_csrf_failure_elsewhere_is_a_friendly_page_and_carries_no_fields():
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/i18n/setlang/", {"language": "en", "next": "/privacy/"}, HTTP_REFERER="/privacy/"
    )
    assert response.status_code == 403
    page = response.content.decode()
    assert "<!doctype html>" in page.lower()
    assert 'type="hidden" name="language"' not in page
    assert "CSRF" not in page


@pytest.mark.parametrize(
    ("handler", "status"),
    [
        (defaults.bad_request, 400),
        (defaults.permission_denied, 403),
        (defaults.page_not_found, 404),
    ],
)
def test_error_pages_are_ours_and_reveal_nothing(handler, status):
    request = RequestFactory().get("/secret/path/")
    from django.core.exceptions import PermissionDenied

    response = handler(request, PermissionDenied("internal detail 42"))
    assert response.status_code == status
    page = response.content.decode()
    assert 'class="site-header' in page
    assert "internal detail 42" not in page
    assert "/secret/path/" not in page


def test_the_server_error_page_is_ours_and_needs_no_request_context():
    response = defaults.server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    page = response.content.decode()
    assert "Leercultuur" in page
    assert "Traceback" not in page


def test_an_unknown_address_shows_our_404(client):
    response = client.get("/does-not-exist/")
    assert response.status_code == 404
    assert 'class="site-header' in response.content.decode()
