"""The management view ("het beeld van de leiding"): its own link, its questionnaire, and the
rule that management answers never reach anything of the employees.

alice is HR of Bakkerij A (personas.make_world); the management team answers through the
management link of her open round.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import zipfile

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from hypothesis import given
from hypothesis import strategies as st

from assessments import exports, improvement, reports, services
from assessments.models import (
    Campaign,
    CampaignSummary,
    ManagementAnswer,
    ManagementEstimate,
    ManagementInvitation,
    ManagementResponse,
)
from assessments.results import campaign_results, store_summary

from .factories import make_management_response, make_responses
from .personas import make_world
from .test_bad_input import EXAMPLES, MODES, nasty_text, send

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return make_world()


@pytest.fixture
def link(world) -> str:
    """The path of the open round's management link."""
    view = improvement.management_view(world.open_a, create=True)
    return reverse("assessments:management_entry", args=[view.token()])


def start(link: str, name: str = "Jan de Bakker", role: str = "director") -> Client:
    browser = Client()
    assert browser.get(link).status_code == 302
    response = browser.post(reverse("assessments:management_intro"), {"name": name, "role": role})
    assert response["Location"] == reverse("assessments:management_step", args=[1])
    return browser


def test_the_management_link_is_its_own_and_an_unknown_one_opens_nothing(world, link):
    token = link.split("/")[2]
    assert token != world.open_a.link_token()
    assert Client().get(f"/s/{token}/").status_code == 404  # not an employee link
    assert Client().get(f"/m/{world.open_a.link_token()}/").status_code == 404
    unknown = Client().get("/m/" + "x" * 43 + "/")
    assert unknown.status_code == 404
    assert "not available" in unknown.content.decode() or "niet beschikbaar" in (
        unknown.content.decode()
    )
    # The token is exchanged for a session: the next address holds no token.
    entry = Client().get(link)
    assert token not in entry["Location"]


def test_the_intro_says_plainly_that_answers_are_not_anonymous_within_management(link):
    browser = Client()
    page = browser.get(browser.get(link)["Location"]).content.decode()
    assert "Je antwoorden zijn niet anoniem binnen de leiding" in page
    assert "het beeld van de leiding" in page
    assert "dan is het beeld van de leiding jouw beeld" in page
    assert "tellen nooit mee in de resultaten van de medewerkers" in page


def test_a_management_link_used_after_the_close_says_so_kindly(world, link):
    browser = Client()
    browser.get(link)  # a member who started before the close
    services.close_round(world.open_a)
    for page in (browser.get(link), browser.get(reverse("assessments:management_intro"))):
        assert page.status_code == 200
        html = page.content.decode()
        assert "Deze vragenlijst voor de leiding is gesloten" in html
        assert "Fijn dat je wilt meedoen" in html
    with translation.override("en"):
        english = Client(HTTP_ACCEPT_LANGUAGE="en")
        english.cookies["django_language"] = "en"
        html = english.get(link).content.decode()
    assert "This questionnaire for management has closed" in html


def test_a_management_link_before_the_round_opens_says_when_it_will(world):
    view = improvement.management_view(world.draft_a, create=True)
    page = Client().get(reverse("assessments:management_entry", args=[view.token()]))
    assert page.status_code == 200
    assert "nog niet open" in page.content.decode()


def test_a_page_with_a_missing_statement_keeps_the_other_answers(world, link):
    browser = start(link)
    page = browser.post(
        reverse("assessments:management_step", args=[1]),
        {"item-D1.1": "4", "item-D1.2": "2", "estimate": "3.5", "action": "next"},
    )
    assert page.status_code == 200
    html = page.content.decode()
    assert "Eén stelling heeft nog een antwoord nodig" in html
    assert 'id="item-D1.1-4" value="4" checked' in html
    assert 'id="item-D1.2-2" value="2" checked' in html
    assert '<option value="3.5" selected>3,5</option>' in html
    response = ManagementResponse.objects.get()
    assert dict(response.answers.values_list("item__code", "value")) == {"D1.1": 4, "D1.2": 2}


def test_an_estimate_outside_the_list_is_refused_and_nothing_else_is_lost(world, link):
    browser = start(link)
    url = reverse("assessments:management_step", args=[1])
    browser.post(url, {"item-D1.1": "4", "estimate": "4.0", "action": "back"})
    page = browser.post(
        url,
        {"item-D1.1": "5", "item-D1.2": "3", "item-D1.3": "2", "estimate": "7", "action": "next"},
    )
    assert page.status_code == 200
    assert "Kies een schatting uit de lijst" in page.content.decode()
    assert ManagementEstimate.objects.get().value == 4  # the earlier estimate stays
    assert ManagementAnswer.objects.count() == 3


def fill_all(browser: Client, values: dict[str, int], estimate: str = "") -> None:
    step = 1
    while True:
        url = reverse("assessments:management_step", args=[step])
        codes = re.findall(r'name="item-(D\d\.\d)"', browser.get(url).content.decode())
        data = {f"item-{c}": str(values.get(c, 3)) for c in dict.fromkeys(codes)}
        response = browser.post(url, {**data, "estimate": estimate, "action": "next"})
        if response["Location"] == reverse("assessments:management_review"):
            break
        step += 1
    assert browser.post(reverse("assessments:management_review")).status_code == 302


def test_a_member_sends_once_and_someone_else_can_start_on_the_same_device(world, link):
    browser = start(link)
    fill_all(browser, {"D1.1": 5})
    assert ManagementResponse.objects.submitted().count() == 1
    # Sending again is not possible: the review sends the member back to the start.
    again = browser.post(reverse("assessments:management_review"))
    assert again["Location"] == reverse("assessments:management_intro")
    page = browser.get(reverse("assessments:management_intro") + "?new=1")
    assert 'name="name"' in page.content.decode()
    browser.post(reverse("assessments:management_intro"), {"name": "Eva", "role": "team_leader"})
    fill_all(browser, {})
    assert sorted(ManagementResponse.objects.submitted().values_list("name", flat=True)) == [
        "Eva",
        "Jan de Bakker",
    ]


def _employee_outputs(campaign: Campaign) -> dict:
    """Everything of the employees: results, the kept summary (made again), the response
    file, the benchmark and previous-round figures other rounds read."""
    cache.clear()
    CampaignSummary.objects.filter(campaign=campaign).delete()
    store_summary(campaign)
    built = exports.build_response_export(campaign, "csv", "nl").content
    with zipfile.ZipFile(io.BytesIO(built)) as archive:
        # The rows come in a fresh random order with fresh row numbers on every export.
        files = {
            name: sorted(
                line.split(";", 1)[-1]
                for line in archive.read(name).decode("utf-8-sig").splitlines()
            )
            for name in archive.namelist()
        }
    return {
        "results": campaign_results(campaign, "nl").to_json(),
        "summary": CampaignSummary.objects.get(campaign=campaign).data,
        "responses": files,
    }


def test_management_answers_never_enter_anything_of_the_employees(world):
    campaign = world.open_a
    make_responses(campaign, 6, seed=3)
    services.close_round(campaign)
    before = _employee_outputs(campaign)
    make_management_response(campaign, "Jan", values=dict.fromkeys(("D1.1", "D2.1"), 1))
    make_management_response(campaign, "Eva", values=dict.fromkeys(("D1.1", "D2.1"), 5))
    after = _employee_outputs(campaign)
    assert after == before
    text = "".join(line for lines in after["responses"].values() for line in lines)
    assert "Jan" not in text and "Eva" not in text


def test_one_persons_view_is_shown_as_that_persons_view(world):
    campaign = world.open_a
    make_responses(campaign, 6, seed=3)
    make_management_response(campaign, "Jan de Bakker", role="director")
    services.close_round(campaign)
    client = Client()
    client.force_login(world.users["hr_a"])
    html = client.get(reverse("assessments:campaign_results", args=[campaign.pk])).content
    html = html.decode()
    assert "Het beeld van de leiding is hier het beeld van Jan de Bakker" in html
    figures = json.loads(re.search(r'id="chart-data"[^>]*>(.*?)</script>', html, re.S)[1])
    names = [trace["name"] for trace in figures["chart-management"]["data"]]
    assert names == ["Medewerkers (n = 6)", "Beeld van Jan de Bakker (Directeur of eigenaar)"]


def test_no_gap_is_shown_while_the_employee_results_are_hidden_and_the_page_says_why(world):
    campaign = world.open_a  # open, no interim results: nothing of the employees is shown
    make_responses(campaign, 12, seed=3)
    make_management_response(campaign, "Jan de Bakker")
    client = Client()
    client.force_login(world.users["hr_a"])
    html = client.get(reverse("assessments:campaign_results", args=[campaign.pk])).content
    html = html.decode()
    hidden = re.search(r'id="management-hidden"(.*?)</div>', html, re.S)[1]
    assert "De resultaten verschijnen als de meting sluit" in hidden
    assert "chart-management" not in html and "gaps-management-higher" not in html
    comparison = improvement.management_comparison(campaign, campaign_results(campaign, "nl"))
    assert all(d.gap is None and d.employees is None for d in comparison.dimensions)


def test_suppressed_statements_of_the_employees_have_no_gap(world):
    campaign = world.open_a
    # D1.1 answered by 4 of 6 employees (k = 5): its employee figures are hidden.
    make_responses(campaign, 4, seed=3)
    make_responses(campaign, 2, seed=4, values={"D1.1": None})
    make_management_response(campaign, "Jan", values={"D1.1": 5})
    services.close_round(campaign)
    results = campaign_results(campaign, "nl")
    assert results.item("D1.1").mean is None
    comparison = improvement.management_comparison(campaign, results)
    codes = {g.code for g in comparison.management_higher + comparison.employees_higher}
    assert "D1.1" not in codes


def test_hr_can_email_the_management_link_and_the_addresses_go_at_close(world):
    client = Client()
    client.force_login(world.users["hr_a"])
    url = reverse("assessments:campaign_management", args=[world.open_a.pk])
    mail.outbox.clear()
    response = client.post(url, {"pasted": "directeur@bakkerij.nl; Teamleider@bakkerij.nl"})
    assert response.status_code == 302
    assert sorted(m.to[0] for m in mail.outbox) == [
        "directeur@bakkerij.nl",
        "teamleider@bakkerij.nl",
    ]
    view = improvement.management_view(world.open_a)
    assert all(view.url() in m.body for m in mail.outbox)
    assert "niet anoniem binnen de leiding" in mail.outbox[0].body
    services.close_round(world.open_a)
    assert set(ManagementInvitation.objects.values_list("email", flat=True)) == {""}


def test_a_bad_address_list_gets_a_clear_message_and_is_kept(world):
    client = Client()
    client.force_login(world.users["hr_a"])
    url = reverse("assessments:campaign_management", args=[world.open_a.pk])
    page = client.post(url, {"pasted": "directeur@bakkerij.nl\nteamleider bij bakkerij"})
    html = page.content.decode()
    assert page.status_code == 200
    assert "Regel 2" in html and "teamleider bij bakkerij" in html
    assert not ManagementInvitation.objects.exists()


def test_retention_deletes_the_management_answers_with_the_employees(world):
    campaign = world.open_a
    make_responses(campaign, 6, seed=3)
    make_management_response(campaign, "Jan")
    services.close_round(campaign)
    deleted = services.delete_answers(campaign, timezone.localdate() + dt.timedelta(days=800))
    assert deleted["management_responses"] == 1
    assert not ManagementAnswer.objects.exists()


def test_the_results_export_carries_the_management_view(world):
    campaign = world.open_a
    make_responses(campaign, 6, seed=3)
    make_management_response(campaign, "Jan de Bakker", estimates={"D1": 4.5})
    services.close_round(campaign)
    content = exports.build_aggregate_export(campaign, "csv", "nl").content.decode("utf-8-sig")
    assert "Het beeld van de leiding" in content
    assert "Jan de Bakker;Directeur of eigenaar" in content
    assert "Grootste verschillen" in content


def test_the_report_replaces_the_empty_comparisons_page_with_the_management_view(world):
    campaign = world.open_a
    make_responses(campaign, 6, seed=3)
    services.close_round(campaign)
    assert reports.report_context(campaign, "nl")["show_comparisons"] is True
    key = reports.report_cache_key(campaign, "nl")
    make_management_response(campaign, "Jan")
    context = reports.report_context(campaign, "nl")
    assert context["show_comparisons"] is False  # roles not shown, no earlier round
    assert context["management"]["comparison"].single
    assert reports.report_cache_key(campaign, "nl") != key


@given(
    pairs=st.lists(
        st.tuples(
            st.one_of(
                st.sampled_from(["item-D1.1", "item-D1.2", "estimate", "action"]), nasty_text
            ),
            st.one_of(nasty_text, st.sampled_from(["1", "5", "na", "3.5", "next", "back"])),
        ),
        max_size=8,
    ),
    mode=MODES,
)
@EXAMPLES
def test_any_post_to_a_management_page_keeps_every_earlier_answer(world, link, pairs, mode):
    browser = start(link, name="Eva")
    browser.post(
        reverse("assessments:management_step", args=[1]),
        {"item-D1.1": "4", "item-D1.2": "2", "item-D1.3": "5", "estimate": "3.0", "action": "back"},
    )
    for path in (
        reverse("assessments:management_step", args=[1]),
        reverse("assessments:management_intro"),
        reverse("assessments:management_review"),
    ):
        response = send(browser, path, pairs, mode)
        assert response.status_code < 500
    answers = dict(
        ManagementAnswer.objects.filter(response__name="Eva").values_list("item__code", "value")
    )
    assert set(answers) >= {"D1.1", "D1.2", "D1.3"}
    assert all(v in {1, 2, 3, 4, 5, None} for v in answers.values())


def test_another_organisations_people_get_a_404_for_the_management_page(world):
    client = Client()
    client.force_login(world.users["hr_b"])
    url = reverse("assessments:campaign_management", args=[world.open_a.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"pasted": "x@example.com"}).status_code == 404
    assert not ManagementInvitation.objects.exists()
    assert Campaign.objects.get(pk=world.open_a.pk).status == "open"


def test_after_a_secret_key_rotation_the_page_shows_a_link_that_works(world, settings):
    improvement.management_view(world.open_a, create=True)
    settings.SECRET_KEY = "another-" + settings.SECRET_KEY
    view = improvement.management_view(world.open_a, create=True)
    response = Client().get(reverse("assessments:management_entry", args=[view.token()]))
    assert response.status_code == 302
