"""Issue 13 in a real browser: the copy button, the header on a 390-pixel phone, the alignment
of "In het kort", and the previous round's line switched on in the radar chart."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from assessments.models import Campaign
from assessments.services import close_round

from ..factories import add_teams, make_campaign, make_questionnaire, make_responses
from ..personas import PASSWORD
from .conftest import FLAGS, PHONE  # noqa: F401  (FLAGS documents the launch options)

pytestmark = pytest.mark.django_db(transaction=True)


def log_in(page, base: str, username: str = "alice", password: str = PASSWORD) -> None:
    page.goto(f"{base}{reverse('login')}")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert "/accounts/login/" not in page.url, f"{username} could not log in"


@pytest.fixture
def alice_and_round(cast):
    organisation = cast.bakery
    add_teams(organisation, "Bakkerij", "Winkel")
    campaign, _ = make_campaign(
        organisation, make_questionnaire(dimensions=6, items_per_dimension=3)
    )
    return cast.alice, campaign


# --- 5. The copy button ----------------------------------------------------------------------


def test_the_copy_button_copies_the_whole_link(live_server, chromium, alice_and_round):
    _, campaign = alice_and_round
    context = chromium.new_context(viewport=PHONE, locale="nl-NL")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    try:
        log_in(page, live_server.url)
        page.goto(f"{live_server.url}{reverse('assessments:campaign_share', args=[campaign.pk])}")
        button = page.locator("button[data-copy]")
        assert button.is_visible()
        button.click()
        page.wait_for_function(
            "() => document.querySelector('.copy-status').textContent.trim() !== ''"
        )
        assert page.evaluate("() => navigator.clipboard.readText()") == campaign.survey_url()
        assert "gekopieerd" in page.locator(".copy-status").inner_text()
        # The whole link is on screen, not cut off in a field.
        link = page.locator("#survey-url")
        box = link.bounding_box()
        assert box["x"] + box["width"] <= PHONE["width"]
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        assert problems == []
    finally:
        context.close()


def test_without_javascript_the_link_stays_selectable_and_the_button_hidden(
    live_server, chromium, alice_and_round
):
    _, campaign = alice_and_round
    context = chromium.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    try:
        log_in(page, live_server.url)
        page.goto(f"{live_server.url}{reverse('assessments:campaign_share', args=[campaign.pk])}")
        assert not page.locator("button[data-copy]").is_visible()
        assert page.locator("#survey-url").inner_text() == campaign.survey_url()
        assert page.locator("#survey-url").evaluate("e => getComputedStyle(e).userSelect") in {
            "all",
            "text",
            "auto",
        }
    finally:
        context.close()


# --- 8. The header on a phone ----------------------------------------------------------------


def _header_on_one_line(page) -> None:
    tops = page.evaluate(
        """() => Array.from(document.querySelectorAll('.site-header nav > *'))
            .filter(e => e.offsetParent !== null)
            .map(e => { const r = e.getBoundingClientRect();
                        return [e.textContent.trim().slice(0, 20), r.top, r.bottom, r.right]; })"""
    )
    first_top = tops[0][1]
    assert all(abs(top - first_top) < 12 for _, top, _, _ in tops), tops
    assert all(right <= PHONE["width"] for *_, right in tops), tops
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_header_fits_on_one_line_on_a_390_pixel_phone(
    live_server, chromium, alice_and_round, language
):
    _, campaign = alice_and_round
    context = chromium.new_context(viewport=PHONE)
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}{reverse('login')}")
        _header_on_one_line(page)
        log_in(page, live_server.url)
        for url in (
            reverse("assessments:home"),
            reverse("assessments:campaign_detail", args=[campaign.pk]),
        ):
            page.goto(f"{live_server.url}{url}")
            _header_on_one_line(page)
            # Every control is still there and reachable.
            assert page.locator(".site-header .lang-switch button").is_visible()
            assert page.locator(".site-header form[action$='/logout/'] button").is_visible()
    finally:
        context.close()


# --- 8. "In het kort" ------------------------------------------------------------------------


@pytest.fixture
def demo():
    call_command("seed_demo", verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115
    return Campaign.objects.get(name="Nulmeting voorjaar 2026")


@pytest.mark.parametrize("width", [390, 800, 1024, 1280])
def test_in_het_kort_keeps_its_columns_on_every_row(live_server, chromium, demo, width):
    context = chromium.new_context(viewport={"width": width, "height": 900}, locale="nl-NL")
    page = context.new_page()
    try:
        log_in(page, live_server.url, "hr", "demo-hr-2026")
        page.goto(f"{live_server.url}{reverse('assessments:campaign_results', args=[demo.pk])}")
        rows = page.evaluate(
            """() => Array.from(document.querySelectorAll('.summary-bands .summary-row'))
                .map(row => { const dt = row.querySelector('dt').getBoundingClientRect();
                              const dd = row.querySelector('dd').getBoundingClientRect();
                              return {dtTop: dt.top, dtBottom: dt.bottom, dtLeft: dt.left,
                                      ddTop: dd.top, ddLeft: dd.left}; })"""
        )
        assert len(rows) >= 3  # the demo has strong, middle, vulnerable and weak dimensions
        lefts = {round(r["ddLeft"]) for r in rows}
        assert len(lefts) == 1, rows  # every row's dimensions start at the same x
        beside = [r["ddLeft"] > r["dtLeft"] + 20 and r["ddTop"] < r["dtBottom"] for r in rows]
        # Either every row has its dimensions beside the band, or every row below it.
        assert all(beside) or not any(beside), rows
        if width >= 800:
            assert all(beside), rows
    finally:
        context.close()


# --- 7. The previous round on by default -----------------------------------------------------


def test_the_previous_rounds_line_is_switched_on_when_there_is_one(live_server, chromium, cast):
    organisation = cast.bakery
    questionnaire = make_questionnaire(dimensions=6, items_per_dimension=2)
    today = timezone.localdate()
    rounds = []
    for name, days_ago in (("Nulmeting", 60), ("Vervolgmeting", 1)):
        campaign, _ = make_campaign(
            organisation,
            questionnaire,
            name=name,
            opens_on=today - dt.timedelta(days=days_ago + 14),
            closes_on=today - dt.timedelta(days=days_ago),
        )
        # next_sequence locks the round, which needs a transaction (these tests run without one).
        with transaction.atomic():
            make_responses(campaign, 6, seed=days_ago)
        close_round(campaign)
        rounds.append(campaign)
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="nl-NL")
    page = context.new_page()
    try:
        log_in(page, live_server.url)
        url = reverse("assessments:campaign_results", args=[rounds[1].pk])
        page.goto(f"{live_server.url}{url}")
        page.wait_for_selector("#chart-radar svg.main-svg", state="attached")
        page.wait_for_selector(".overlay-toggles:not(.d-none)")
        visible = page.evaluate(
            """() => Object.fromEntries(document.getElementById('chart-radar').data
                .map(t => [t.meta, t.visible]))"""
        )
        assert visible["previous"] is True
        assert visible.get("benchmark") in (None, "legendonly")
        box = page.locator(".overlay-toggles input[data-trace='1']")
        assert box.is_checked()
    finally:
        context.close()
