"""Emma fills in the real 48-statement questionnaire on her phone, once by touch and once with
the keyboard only; axe-core checks every page she sees."""

from __future__ import annotations

import random

import pytest
from django.core.management import call_command

from assessments.models import Answer, Campaign, Questionnaire, Response

from ..factories import make_campaign, make_organisation
from .conftest import serious_violations

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def open_round():
    call_command("loaddata", "questionnaire", verbosity=0)
    organisation = make_organisation("Bakkerij De Korenschoof", teams=("Bakkerij", "Winkel"))
    campaign, token = make_campaign(
        organisation,
        Questionnaire.objects.get(version=1, code="leercultuur-mkb"),
        teams=("Bakkerij", "Winkel"),
        ask_tenure=True,
    )
    return campaign, token


def stored_whole(campaign: Campaign) -> None:
    responses = list(Response.objects.filter(campaign=campaign))
    assert len(responses) == 1
    items = campaign.questionnaire.ordered_items()
    assert Answer.objects.filter(response=responses[0]).count() == len(items) == 48


def test_emma_completes_the_questionnaire_on_her_phone(live_server, phone, open_round):
    campaign, token = open_round
    rng = random.Random(7)
    page = phone
    page.goto(f"{live_server.url}/s/{token}/")
    assert page.url.endswith("/survey/")
    page.locator("main form button[type=submit]").first.click()
    pages = 0
    while "/survey/step/" in page.url:
        pages += 1
        for group in page.locator("fieldset.likert").all():
            options = group.locator("label")
            options.nth(rng.randrange(options.count())).click()
        for area in page.locator("textarea").all():
            area.fill("Meer tijd om van elkaar te leren.")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"page {pages} scrolls sideways ({width}px)"
        page.locator("button[name=action][value=next]").click()
        page.wait_for_load_state()
    assert page.url.endswith("/survey/review/"), page.url
    assert pages == 8  # about you, six themes, own words
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/survey/done/")
    stored_whole(campaign)
    assert page.problems == []


def _focused(page) -> dict:
    return page.evaluate(
        """() => { const e = document.activeElement;
        return {tag: e.tagName, type: e.type || '', name: e.name || '', value: e.value || '',
                checked: !!e.checked}; }"""
    )


def _tab_until(page, wanted, limit: int = 400) -> dict:
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = _focused(page)
        if wanted(focused):
            return focused
    raise AssertionError("the keyboard never reached the control")


def _submit_button(f: dict) -> bool:
    return f["tag"] == "BUTTON" and f["type"] == "submit" and not f["name"]


def test_emma_completes_the_questionnaire_with_the_keyboard_only(live_server, phone, open_round):
    campaign, token = open_round
    rng = random.Random(11)
    page = phone
    page.goto(f"{live_server.url}/s/{token}/")
    _tab_until(page, _submit_button)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    while "/survey/step/" in page.url:
        answered: set[str] = set()
        for _ in range(400):
            page.keyboard.press("Tab")
            f = _focused(page)
            if f["type"] == "radio" and f["name"] not in answered:
                page.keyboard.press("Space")
                for _ in range(rng.randrange(4)):
                    page.keyboard.press("ArrowRight")
                answered.add(f["name"])
            elif f["tag"] == "TEXTAREA":
                page.keyboard.type("Samen leren werkt.")
            elif f["tag"] == "BUTTON" and f["name"] == "action" and f["value"] == "next":
                with page.expect_navigation():
                    page.keyboard.press("Enter")
                break
        else:
            raise AssertionError(f"no way to the next button on {page.url}")
    assert page.url.endswith("/survey/review/"), page.url
    _tab_until(page, _submit_button)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/survey/done/")
    stored_whole(campaign)


def test_the_questionnaire_pages_have_no_serious_accessibility_violations(
    live_server, axe_page, open_round
):
    _, token = open_round
    page = axe_page
    found: dict[str, list[str]] = {}

    def check(label: str) -> None:
        found[label] = serious_violations(page)

    page.goto(f"{live_server.url}/s/{token}/")
    check("intro")
    page.locator("main form button[type=submit]").first.click()
    check("about you")
    page.locator("button[name=action][value=next]").click()
    check("first theme")
    page.locator("button[name=action][value=next]").click()  # nothing answered
    check("first theme with errors")
    page.goto(f"{live_server.url}/survey/step/8/")
    check("own words")
    page.goto(f"{live_server.url}/survey/review/")
    check("review")
    page.locator("button[name=action][value=save]").count()
    page.goto(f"{live_server.url}/survey/paused/")
    check("paused")
    page.goto(f"{live_server.url}/survey/resume/")
    check("resume")
    page.goto(f"{live_server.url}/s/not-a-token/")
    check("unavailable")
    page.goto(f"{live_server.url}/privacy/")
    check("privacy")
    assert {k: v for k, v in found.items() if v} == {}
