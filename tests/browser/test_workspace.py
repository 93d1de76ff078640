"""Alice, HR manager of Bakkerij De Korenschoof, logs in and looks at her round."""

from __future__ import annotations

import pytest
from django.urls import NoReverseMatch, reverse

from assessments.services import close_round

from ..factories import add_teams, make_campaign, make_questionnaire, make_responses
from ..personas import PASSWORD
from .conftest import serious_violations

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def alice_and_round(cast):
    organisation = cast.bakery
    add_teams(organisation, "Bakkerij", "Winkel")
    campaign, _ = make_campaign(
        organisation,
        make_questionnaire(dimensions=6, items_per_dimension=3),
        teams=("Bakkerij", "Winkel"),
        threshold=5,
    )
    bakkerij, winkel = campaign.teams.order_by("position")
    make_responses(campaign, 6, team=bakkerij, seed=1, open_text="Meer tijd om te leren.")
    make_responses(campaign, 5, team=winkel, seed=2)
    close_round(campaign)
    return cast.alice, campaign


def log_in(page, base: str) -> None:
    page.goto(f"{base}{reverse('login')}")
    page.fill("#id_username", "alice@example.com")
    page.fill("#id_password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    if "/accounts/login/" in page.url:  # usernames rather than e-mail addresses
        page.fill("#id_username", "alice")
        page.fill("#id_password", PASSWORD)
        page.locator("main form button[type=submit]").click()
        page.wait_for_load_state()
    assert "/accounts/login/" not in page.url, "Alice could not log in"


def test_the_login_page_has_no_serious_accessibility_violations(live_server, axe_page):
    axe_page.goto(f"{live_server.url}{reverse('login')}")
    assert serious_violations(axe_page) == []
    axe_page.fill("#id_username", "alice@example.com")
    axe_page.fill("#id_password", "wrong")
    axe_page.locator("main form button[type=submit]").click()
    axe_page.wait_for_load_state()
    assert serious_violations(axe_page) == []  # with the error message


def test_alice_logs_in_opens_her_round_and_sees_its_progress(live_server, phone, alice_and_round):
    _, campaign = alice_and_round
    log_in(phone, live_server.url)
    phone.goto(f"{live_server.url}{reverse('assessments:campaign_detail', args=[campaign.pk])}")
    assert campaign.name in phone.content()
    assert phone.problems == []


def _results_url(campaign) -> str:
    try:
        return reverse("assessments:campaign_results", args=[campaign.pk])
    except NoReverseMatch:
        pytest.skip("the dashboard (assessments:campaign_results) is not merged yet")


def test_alice_sees_the_dashboard_with_its_charts_and_downloads_the_pdf(
    live_server, chromium, alice_and_round
):
    _, campaign = alice_and_round
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    page.on(
        "console",
        lambda msg: problems.append(msg.text) if msg.type in {"error", "warning"} else None,
    )
    try:
        log_in(page, live_server.url)
        page.goto(f"{live_server.url}{reverse('assessments:campaign_detail', args=[campaign.pk])}")
        page.locator(f"a[href='{_results_url(campaign)}']").first.click()
        page.wait_for_url(f"**{_results_url(campaign)}")
        # plotly drew the radar under the production CSP: an SVG inside the chart element.
        page.wait_for_selector("#chart-radar svg.main-svg", state="attached")
        assert not [p for p in problems if "Content Security Policy" in p or "error" in p]
        with page.expect_download() as download_info:
            page.locator("a[href*='report.pdf']").first.click()
        download = download_info.value
        path = download.path()
        data = path.read_bytes()
        assert data.startswith(b"%PDF-")
        assert download.suggested_filename.endswith(".pdf")
    finally:
        context.close()


def test_the_dashboard_has_no_serious_accessibility_violations(
    live_server, axe_page, alice_and_round
):
    _, campaign = alice_and_round
    log_in(axe_page, live_server.url)
    axe_page.goto(f"{live_server.url}{_results_url(campaign)}")
    axe_page.wait_for_selector("#chart-radar svg.main-svg", state="attached")
    assert serious_violations(axe_page) == []
    axe_page.goto(f"{live_server.url}{_results_url(campaign)}?by=team")
    assert serious_violations(axe_page) == []
    axe_page.goto(f"{live_server.url}{reverse('assessments:campaign_detail', args=[campaign.pk])}")
    assert serious_violations(axe_page) == []
