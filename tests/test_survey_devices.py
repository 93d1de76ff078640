"""Issue 13, item 6: after sending, this browser knows; a shared device can start afresh; a
device that still holds sent answers (or their resume code) says they were sent.

What the browser keeps says only "this round was sent from this browser": nothing links it to
the stored response.
"""

from __future__ import annotations

import re

import pytest
from django.http import HttpRequest
from django.test import Client
from django.urls import reverse

from assessments.models import Invitation, Response, SurveyDraft
from assessments.services import close_round
from assessments.views.survey import SENT_COOKIE, SENT_COOKIE_SALT

from .factories import make_campaign, make_organisation, make_questionnaire
from .test_survey_flow import STEP_URL, answer_page, complete, start

pytestmark = pytest.mark.django_db

ALREADY_NL = "Je hebt deze vragenlijst al ingevuld op dit apparaat"
SOMEONE_ELSE_NL = "Iemand anders wil invullen op dit apparaat"


@pytest.fixture
def round_and_token():
    questionnaire = make_questionnaire(
        dimensions=2, items_per_dimension=3, not_applicable_codes=("D2.3",)
    )
    organisation = make_organisation(teams=("Bakkerij", "Winkel"))
    return make_campaign(organisation, questionnaire, teams=("Bakkerij", "Winkel"))


def send(client, campaign) -> None:
    complete(client, campaign)
    response = client.post(reverse("assessments:survey_review"))
    assert response.url == reverse("assessments:survey_done")


def test_the_same_browser_sees_it_already_filled_in_on_this_device(round_and_token):
    campaign, token = round_and_token
    phone = Client()
    phone.get(f"/s/{token}/")
    send(phone, campaign)
    done = phone.get(reverse("assessments:survey_done")).content.decode()
    assert SOMEONE_ELSE_NL in done

    again = phone.get(f"/s/{token}/", follow=True)
    body = again.content.decode()
    assert again.status_code == 200
    assert ALREADY_NL in body
    assert SOMEONE_ELSE_NL in body
    assert 'action="/survey/again/"' in body
    assert not SurveyDraft.objects.exists()
    # Also through the short code on the poster.
    by_code = phone.post("/code/", {"code": campaign.short_code()}, follow=True)
    assert ALREADY_NL in by_code.content.decode()


def test_someone_else_on_a_shared_device_starts_an_empty_questionnaire(round_and_token):
    campaign, token = round_and_token
    kiosk = Client()
    kiosk.get(f"/s/{token}/")
    send(kiosk, campaign)
    kiosk.get(f"/s/{token}/")
    response = kiosk.post(reverse("assessments:survey_again"))
    assert response.url == reverse("assessments:survey_intro")
    intro = kiosk.get(response.url).content.decode()
    assert ALREADY_NL not in intro
    send(kiosk, campaign)
    assert Response.objects.filter(campaign=campaign).count() == 2


def test_the_browser_keeps_only_which_round_was_sent(round_and_token):
    campaign, token = round_and_token
    phone = Client()
    phone.get(f"/s/{token}/")
    send(phone, campaign)
    stored = Response.objects.get()
    value = phone.cookies[SENT_COOKIE].value
    request = HttpRequest()
    request.COOKIES[SENT_COOKIE] = value
    assert request.get_signed_cookie(SENT_COOKIE, salt=SENT_COOKIE_SALT) == str(campaign.pk)
    assert phone.cookies[SENT_COOKIE]["httponly"]
    assert set(phone.session["survey"]) <= {"campaign", "done", "link"}
    assert str(stored.pk) not in value + repr(dict(phone.session))


def test_a_forged_cookie_is_ignored(round_and_token):
    campaign, token = round_and_token
    phone = Client()
    phone.cookies[SENT_COOKIE] = str(campaign.pk)
    response = phone.get(f"/s/{token}/", follow=True)
    assert ALREADY_NL not in response.content.decode()


def test_a_used_personal_invitation_opened_again_on_the_same_device_says_so(round_and_token):
    campaign, _ = round_and_token
    invitation = Invitation(campaign=campaign, email="emma@example.com")
    token = invitation.set_token()
    invitation.save()
    phone = Client()
    phone.get(f"/i/{token}/")
    send(phone, campaign)
    again = phone.get(f"/i/{token}/", follow=True)
    body = again.content.decode()
    assert ALREADY_NL in body
    # A personal link is one person's: no fresh start for someone else from here.
    assert SOMEONE_ELSE_NL not in body
    assert phone.post(reverse("assessments:survey_again")).status_code == 404
    assert Client().get(f"/i/{token}/").status_code == 404  # another browser learns nothing


def test_a_personal_invitation_on_a_device_that_sent_the_round_link_still_works(
    round_and_token,
):
    campaign, link = round_and_token
    kiosk = Client()
    kiosk.get(f"/s/{link}/")
    send(kiosk, campaign)
    invitation = Invitation(campaign=campaign, email="bram@example.com")
    token = invitation.set_token()
    invitation.save()
    response = kiosk.get(f"/i/{token}/", follow=True)
    assert ALREADY_NL not in response.content.decode()
    start(kiosk)
    assert SurveyDraft.objects.get().invitation == invitation


def _pause_with_code(client) -> str:
    start(client)
    client.post(STEP_URL.format(1), {"action": "next"})
    answer_page(client, 2, {"D1.1": "5"}, action="save")
    paused = client.get(reverse("assessments:survey_paused")).content.decode()
    return re.search(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", paused).group(0)


def test_the_first_device_says_its_answers_were_sent_from_another_device(round_and_token):
    campaign, token = round_and_token
    phone = Client()
    phone.get(f"/s/{token}/")
    code = _pause_with_code(phone)
    laptop = Client()
    assert laptop.post(reverse("assessments:survey_resume"), {"code": code}).status_code == 302
    send(laptop, campaign)

    page = phone.get(reverse("assessments:survey_paused"), follow=True)
    body = page.content.decode()
    assert "Deze antwoorden zijn verstuurd" in body
    assert code not in body  # the code that no longer works is not shown any more
    assert SOMEONE_ELSE_NL in body  # the phone may be a shared one


def test_the_resume_code_of_sent_answers_says_they_were_sent(round_and_token):
    campaign, token = round_and_token
    phone = Client()
    phone.get(f"/s/{token}/")
    code = _pause_with_code(phone)
    laptop = Client()
    laptop.post(reverse("assessments:survey_resume"), {"code": code})
    send(laptop, campaign)

    response = Client().post(reverse("assessments:survey_resume"), {"code": code})
    assert response.status_code == 200
    assert "De antwoorden met deze code zijn al verstuurd" in response.content.decode()


def test_closing_the_round_forgets_which_drafts_were_sent(round_and_token):
    campaign, token = round_and_token
    phone = Client()
    phone.get(f"/s/{token}/")
    send(phone, campaign)
    assert campaign.sent_drafts.exists()
    close_round(campaign)
    assert not campaign.sent_drafts.exists()
