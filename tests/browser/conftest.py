"""Real-browser tests: Playwright for Python driving Debian's Chromium against live_server.

Without Chromium these tests skip with the reason; with CI=true they fail instead, because CI
installs Chromium (.ci/run) and must run them. `playwright install` is never needed.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    # live_server speaks plain HTTP; newer Chromium would otherwise try HTTPS first.
    "--disable-features=HttpsUpgrades,HttpsFirstBalancedModeAutoEnable",
]
PHONE = {"width": 390, "height": 844}
AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text()


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session", autouse=True)
def _plain_http(django_db_blocker):
    """live_server has no TLS, and its middleware is built once, when it starts: the
    HTTPS-only settings (redirect, secure cookies) must be off before that, for the session."""
    from django.test.utils import override_settings

    with override_settings(
        SECURE_SSL_REDIRECT=False,
        SESSION_COOKIE_SECURE=False,
        CSRF_COOKIE_SECURE=False,
        LANGUAGE_COOKIE_SECURE=False,
        SECURE_HSTS_SECONDS=0,
    ):
        yield


def _unavailable(reason: str):
    if os.environ.get("CI") == "true":
        pytest.fail(f"browser tests must run in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def chromium():
    if not Path(CHROMIUM).exists():
        _unavailable(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed (pip install -r requirements-test.txt)")
    # Playwright's sync API keeps an event loop in this thread; Django's ORM refuses to run
    # beside one unless told this is a test harness. Only while the browser lives (one module),
    # so that no other test or subprocess inherits the switch (check --deploy rejects it).
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
            yield browser
            browser.close()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def phone(chromium):
    """A phone-sized page; CSP enforced as in production."""
    context = chromium.new_context(viewport=PHONE, locale="nl-NL")
    page = context.new_page()
    page.set_default_timeout(15_000)
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    page.on(
        "console",
        lambda msg: (
            problems.append(f"console {msg.type}: {msg.text}") if msg.type == "error" else None
        ),
    )
    page.problems = problems
    yield page
    context.close()


@pytest.fixture
def axe_page(chromium):
    """A desktop page for axe-core; CSP bypassed only so that axe itself can be injected."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def serious_violations(page) -> list[str]:
    page.add_script_tag(content=AXE)
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(f"{n['target']}: {n.get('failureSummary', '')}" for n in v["nodes"][:3])
        for v in result["violations"]
        if v["impact"] in {"serious", "critical"}
    ]
