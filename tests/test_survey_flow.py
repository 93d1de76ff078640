"""Emma, an employee of Bakkerij De Korenschoof, fills in the questionnaire on her phone."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assessments.models import Answer, Campaign, Invitation, OpenAnswer, Response, SurveyDraft
from assessments.services import close_round
from assessments.survey import normalize_resume_code

from .factories import make_campaign, make_organisation, make_questionnaire

pytestmark = pytest.mark.django_db

STEP_URL = "/survey/step/{}/"


@pytest.fixture
def questionnaire():
    return make_questionnaire(
        dimensions=2,
        items_per_dimension=3,
        reversed_codes=("D1.2",),
        not_applicable_codes=("D2.3",),
    )


@pytest.fixture
def round_and_token(questionnaire):
    organisation = make_organisation(teams=("Bakkerij", "Winkel"))
    return make_campaign(organisation, questionnaire, teams=("Bakkerij", "Winkel"))


@pytest.fixture
def emma(round_and_token):
    """Emma's phone after she opened the round link."""
    _, token = round_and_token
    client = Client()
    response = client.get(f"/s/{token}/")
    assert response.status_code == 302
    return client


def start(client):
    response = client.post(reverse("assessments:survey_intro"))
    assert response.status_code == 302
    return response


def answer_page(client, number, values, action="next"):
    data = {f"item-{code}": value for code, value in values.items()}
    data["action"] = action
    return client.post(STEP_URL.format(number), data)


def complete(client, campaign):
    """Walk every page with valid answers; returns the answers given."""
    start(client)
    given = {"D1.1": "4", "D1.2": "2", "D1.3": "5", "D2.1": "3", "D2.2": "1", "D2.3": "na"}
    team = campaign.teams.get(name="Winkel")
    assert (
        client.post(
            STEP_URL.format(1),
            {"segment-team": team.pk, "segment-role": "employee", "action": "next"},
        ).status_code
        == 302
    )
    answer_page(client, 2, {k: v for k, v in given.items() if k.startswith("D1")})
    answer_page(client, 3, {k: v for k, v in given.items() if k.startswith("D2")})
    client.post(STEP_URL.format(4), {"open-O1": "Meer tijd om te oefenen.", "action": "next"})
    return given


def test_the_round_link_is_exchanged_for_a_session_and_the_token_leaves_the_url(round_and_token):
    _, token = round_and_token
    client = Client()
    response = client.get(f"/s/{token}/", follow=True)
    assert response.status_code == 200
    assert all(token not in url for url, _ in response.redirect_chain)
    assert token not in response.request["PATH_INFO"]
    assert token not in response.content.decode()
    assert response.headers["Cache-Control"].startswith("max-age=0")


def test_the_intro_says_how_long_it_takes_and_what_happens_with_the_answers(emma):
    page = emma.get(reverse("assessments:survey_intro")).content.decode()
    assert "anoniem" in page.lower()
    assert "minstens 5" in page  # the round's threshold k
    assert "minuten" in page


def test_emma_completes_the_questionnaire_and_exactly_one_whole_response_is_stored(
    emma, round_and_token
):
    campaign, _ = round_and_token
    given = complete(emma, campaign)
    review = emma.get(reverse("assessments:survey_review"))
    assert review.status_code == 200
    response = emma.post(reverse("assessments:survey_review"))
    assert response.status_code == 302 and response.url == reverse("assessments:survey_done")

    stored = Response.objects.get(campaign=campaign)
    assert stored.team.name == "Winkel" and stored.role == "employee"
    assert stored.sequence == 1
    answers = {a.item.code: a.value for a in Answer.objects.filter(response=stored)}
    expected = {code: (None if v == "na" else int(v)) for code, v in given.items()}
    assert answers == expected
    assert OpenAnswer.objects.get(response=stored).text == "Meer tijd om te oefenen."
    assert not SurveyDraft.objects.exists()


def test_double_click_and_replayed_submit_store_exactly_one_response(emma, round_and_token):
    campaign, _ = round_and_token
    complete(emma, campaign)
    first = emma.post(reverse("assessments:survey_review"))
    second = emma.post(reverse("assessments:survey_review"))
    assert first.status_code == second.status_code == 302
    assert second.url == reverse("assessments:survey_done")
    # The back button after sending leads to the thank-you page, not a fresh form.
    assert emma.get(STEP_URL.format(2)).url == reverse("assessments:survey_done")
    assert Response.objects.filter(campaign=campaign).count() == 1
    assert Answer.objects.count() == 6


def test_two_employees_on_the_round_link_never_see_each_others_answers(round_and_token, emma):
    _, token = round_and_token
    start(emma)
    emma.post(STEP_URL.format(1), {"action": "next"})
    answer_page(emma, 2, {"D1.1": "5"}, action="save")
    eddie = Client()
    eddie.get(f"/s/{token}/")
    start(eddie)
    html = eddie.get(STEP_URL.format(2)).content.decode()
    assert " checked" not in html
    assert SurveyDraft.objects.count() == 2


def test_a_page_with_a_missing_answer_comes_back_with_the_given_answers_kept(emma):
    start(emma)
    emma.post(STEP_URL.format(1), {"action": "next"})
    page = answer_page(emma, 2, {"D1.1": "4", "D1.3": "2"})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="item-D1.1-4" value="4" checked' in html
    assert 'id="item-D1.3-2" value="2" checked' in html
    assert "item-D1.2-error" in html  # the missing one is marked
    assert html.count(" checked") == 2


def test_an_invalid_value_is_not_stored_and_the_item_is_marked(emma):
    start(emma)
    page = answer_page(emma, 2, {"D1.1": "7", "D1.2": "na", "D1.3": "<script>"})
    html = page.content.decode()
    # D1.2 does not offer n.v.t., so "na" is invalid there too.
    for code in ("D1.1", "D1.2", "D1.3"):
        assert f"item-{code}-error" in html
    assert SurveyDraft.objects.get().data["answers"] == {}


def test_pausing_gives_a_code_that_resumes_on_another_device(emma):
    start(emma)
    emma.post(STEP_URL.format(1), {"action": "next"})
    answer_page(emma, 2, {"D1.1": "5", "D1.2": "4"}, action="save")
    paused = emma.get(reverse("assessments:survey_paused")).content.decode()
    code = re.search(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", paused).group(0)

    laptop = Client()
    typed = code.lower().replace("-", " ")  # as someone might type it from paper
    response = laptop.post(reverse("assessments:survey_resume"), {"code": typed})
    assert response.status_code == 302 and response.url == STEP_URL.format(2)
    html = laptop.get(STEP_URL.format(2)).content.decode()
    assert 'id="item-D1.1-5" value="5" checked' in html
    assert 'id="item-D1.2-4" value="4" checked' in html


def test_a_wrong_resume_code_gets_a_clear_message_and_keeps_what_was_typed(client):
    response = client.post(reverse("assessments:survey_resume"), {"code": "ABCD-EFGH"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "ABCD-EFGH" in html
    assert "code" in html.lower()


def test_resume_codes_survive_common_typing_mistakes():
    assert normalize_resume_code("abcd efgh jkmn pqrs") == "ABCD-EFGH-JKMN-PQRS"
    assert normalize_resume_code("OOOO-IIII-LLLL-0000") == "0000-1111-1111-0000"
    assert normalize_resume_code("too short") == ""


@pytest.mark.parametrize("state", ["closed", "not_yet_open", "unknown"])
def test_closed_future_and_unknown_rounds_get_the_same_friendly_page(state, questionnaire):
    organisation = make_organisation()
    today = timezone.localdate()
    if state == "closed":
        _, token = make_campaign(organisation, questionnaire, status=Campaign.Status.CLOSED)
    elif state == "not_yet_open":
        _, token = make_campaign(
            organisation,
            questionnaire,
            opens_on=today + dt.timedelta(days=3),
            closes_on=today + dt.timedelta(days=10),
        )
    else:
        token = "x" * 43
    response = Client().get(f"/s/{token}/")
    reference = Client().get(f"/s/{'y' * 43}/")
    assert response.status_code == reference.status_code == 404

    def without_csrf(html: bytes) -> bytes:
        return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", html)

    assert without_csrf(response.content) == without_csrf(reference.content)
    assert "niet beschikbaar" in response.content.decode()


def test_a_round_that_closes_while_emma_answers_does_not_accept_her_submission(
    emma, round_and_token
):
    campaign, _ = round_and_token
    complete(emma, campaign)
    close_round(campaign)
    response = emma.post(reverse("assessments:survey_review"))
    assert response.status_code == 404
    assert not Response.objects.exists()


def test_a_personal_invitation_is_one_time(questionnaire):
    campaign, _ = make_campaign(make_organisation(), questionnaire, ask_team=False, ask_role=False)
    invitation = Invitation(campaign=campaign, email="emma@example.com")
    token = invitation.set_token()
    invitation.save()
    phone, laptop = Client(), Client()
    for device in (phone, laptop):
        assert device.get(f"/i/{token}/").status_code == 302
    start(phone)
    answer_page(phone, 1, {"D1.1": "4", "D1.2": "4", "D1.3": "4"})
    # The same personal link on the laptop continues the same answers.
    start(laptop)
    html = laptop.get(STEP_URL.format(1)).content.decode()
    assert 'id="item-D1.1-4" value="4" checked' in html
    answer_page(laptop, 2, {"D2.1": "2", "D2.2": "3", "D2.3": "5"})
    laptop.post(STEP_URL.format(3), {"action": "next"})
    assert laptop.post(reverse("assessments:survey_review")).status_code == 302
    assert phone.post(reverse("assessments:survey_review")).status_code in (302, 404)
    assert Response.objects.count() == 1
    invitation.refresh_from_db()
    assert invitation.is_used
    assert Client().get(f"/i/{token}/").status_code == 404


def test_the_review_sends_emma_back_to_an_incomplete_page(emma):
    start(emma)
    answer_page(emma, 2, {"D1.1": "4", "D1.2": "4", "D1.3": "4"})
    response = emma.post(reverse("assessments:survey_review"))
    assert response.status_code == 302 and response.url == STEP_URL.format(3)
    assert not Response.objects.exists()


def test_the_questionnaire_switches_to_english(emma):
    emma.post(reverse("set_language"), {"language": "en", "next": "/survey/"})
    page = emma.get(reverse("assessments:survey_intro")).content.decode()
    assert "anonymous" in page
    start(emma)
    page = emma.get(STEP_URL.format(2)).content.decode()
    assert "Statement D1.1" in page and "Strongly agree" in page


def test_every_item_is_a_fieldset_with_a_legend_and_labelled_radios(emma):
    start(emma)
    html = emma.get(STEP_URL.format(2)).content.decode()
    assert html.count("<fieldset") == 3 == html.count("<legend")
    for radio_id in re.findall(r'<input type="radio" name="[^"]+" id="([^"]+)"', html):
        assert f'<label for="{radio_id}">' in html
    assert "<script" not in html  # no JavaScript needed


def test_an_open_answer_that_is_too_long_is_kept_and_explained(emma):
    start(emma)
    text = "lang " * 500
    page = emma.post(STEP_URL.format(4), {"open-O1": text, "action": "next"})
    assert page.status_code == 200
    assert text.strip() in page.content.decode()
    assert "2000" in page.content.decode()
