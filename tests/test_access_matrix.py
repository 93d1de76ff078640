"""Every URL pattern × every persona, built from the URL resolver.

A new URL pattern without a row in ROWS fails `test_every_url_pattern_has_a_row`: add a row
(or a PUBLIC marker for pages anyone may open, such as the questionnaire and the privacy page).
Rows name the object of organisation A whose id goes into the URL; HR and consultant of
organisation B must get a 404 for every one of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from .personas import make_world


@pytest.fixture(autouse=True)
def _english_ui(settings):
    # These tests read the English messages; Dutch (the default) is checked in test_i18n.py.
    settings.LANGUAGE_CODE = "en"


pytestmark = pytest.mark.django_db

PERSONAS = ("anonymous", "hr_a", "hr_b", "consultant_a", "consultant_b", "staff")
LOGIN = 302  # anonymous visitors are sent to the login page


@dataclass(frozen=True)
class Row:
    expected: dict[str, int]
    obj: str | None = None  # attribute of the World whose pk goes into the URL
    method: str = "get"
    data: dict = field(default_factory=dict)
    kwargs: dict = field(default_factory=dict)  # URL arguments besides pk


PUBLIC = "public"  # anyone may open it; tested by the module that owns it


def everyone(status: int = 200) -> Row:
    return Row({p: LOGIN if p == "anonymous" else status for p in PERSONAS})


def members_of_a(obj: str, ok: int = 200, method: str = "get", hr: int | None = None, **kw):
    """An object of organisation A: its HR and consultant (and staff) may, B's people get 404."""
    return Row(
        {
            "anonymous": LOGIN,
            "hr_a": ok if hr is None else hr,
            "hr_b": 404,
            "consultant_a": ok,
            "consultant_b": 404,
            "staff": ok,
        },
        obj=obj,
        method=method,
        **kw,
    )


ROWS: dict[str, Row | str] = {
    # Accounts and public pages
    "login": PUBLIC,
    "logout": PUBLIC,
    "password_reset": PUBLIC,
    "password_reset_done": PUBLIC,
    "password_reset_confirm": PUBLIC,
    "password_reset_complete": PUBLIC,
    "set_password": PUBLIC,
    "set_language": PUBLIC,
    "assessments:survey_entry": PUBLIC,
    "assessments:invitation_entry": PUBLIC,
    "assessments:code_entry": PUBLIC,  # tests/test_short_code.py, tests/test_ratelimits.py
    "assessments:privacy": PUBLIC,
    # The questionnaire pages after the token exchange: public, scoped by the session only
    # (tests/test_survey_flow.py).
    "assessments:survey_intro": PUBLIC,
    "assessments:survey_step": PUBLIC,
    "assessments:survey_paused": PUBLIC,
    "assessments:survey_review": PUBLIC,
    "assessments:survey_done": PUBLIC,
    "assessments:survey_resume": PUBLIC,
    "assessments:survey_again": PUBLIC,  # tests/test_survey_devices.py
    # Workspace
    "assessments:home": everyone(),
    "assessments:consultants": Row(
        {
            "anonymous": LOGIN,
            "hr_a": 403,
            "hr_b": 403,
            "consultant_a": 403,
            "consultant_b": 403,
            "staff": 200,
        }
    ),
    # An empty form comes back to staff with its message; nobody else may make consultants.
    "assessments:consultant_promote": Row(
        {
            "anonymous": LOGIN,
            "hr_a": 403,
            "hr_b": 403,
            "consultant_a": 403,
            "consultant_b": 403,
            "staff": 200,
        },
        method="post",
    ),
    "assessments:organisation_create": Row(
        {
            "anonymous": LOGIN,
            "hr_a": 403,
            "hr_b": 403,
            "consultant_a": 200,
            "consultant_b": 200,
            "staff": 200,
        }
    ),
    "assessments:organisation_detail": members_of_a("org_a"),
    "assessments:organisation_edit": members_of_a("org_a", hr=403),
    "assessments:member_add": members_of_a("org_a", hr=403),
    "assessments:team_create": members_of_a("org_a"),
    "assessments:team_edit": members_of_a("team_a"),
    "assessments:team_delete": members_of_a("team_a", 302, "post"),
    "assessments:campaign_create": members_of_a("org_a"),
    "assessments:campaign_detail": members_of_a("open_a"),
    "assessments:campaign_edit": members_of_a("draft_a"),
    "assessments:campaign_open": members_of_a("draft_a", 302, "post"),
    # GET is the confirmation page; the POST that closes is in test_round_workflow.py.
    "assessments:campaign_close": members_of_a("open_a"),
    "assessments:campaign_copy": members_of_a("open_a", 302, "post"),
    "assessments:campaign_progress": members_of_a("open_a"),
    "assessments:campaign_results": members_of_a("open_a"),
    "assessments:campaign_share": members_of_a("open_a"),
    "assessments:campaign_qr_png": members_of_a("open_a"),
    "assessments:campaign_qr_svg": members_of_a("open_a"),
    "assessments:campaign_sheet": members_of_a("open_a"),
    "assessments:invitations": members_of_a("open_a"),
    "assessments:invitation_send": members_of_a("open_a", 302, "post"),
    "assessments:invitation_remind": members_of_a("open_a", 302, "post"),
    "assessments:invitation_clear": members_of_a("open_a", 302, "post"),
    # Without a checked list in the session both send members back to the invitations page.
    "assessments:invitation_add_valid": members_of_a("open_a", 302, "post"),
    "assessments:invitation_problems": members_of_a("open_a", 302),
    # Exports (downloads themselves: tests/test_exports.py). The world's round has fewer than
    # k responses, so members get the friendly 409 page; HR may not have the response file.
    "assessments:export_aggregate": members_of_a("open_a", 409, kwargs={"fmt": "csv"}),
    "assessments:export_responses": members_of_a("open_a", 409, hr=403, kwargs={"fmt": "xlsx"}),
    "assessments:organisation_delete": members_of_a("org_a", hr=403),
    # PDF report: the open round has fewer than k responses, so members get the friendly page.
    "assessments:campaign_report": members_of_a("open_a"),
    # The management view (issue 12): its link and questionnaire are public, behind the link
    # and the session (tests/test_management_view.py); the page that hands out the link is
    # for the round's organisation.
    "assessments:management_entry": PUBLIC,
    "assessments:management_intro": PUBLIC,
    "assessments:management_step": PUBLIC,
    "assessments:management_review": PUBLIC,
    "assessments:management_done": PUBLIC,
    "assessments:campaign_management": members_of_a("open_a"),
    # The action plan of a closed round of A: another organisation's plan is a 404.
    "assessments:plan": members_of_a("closed_a"),
    "assessments:action_create": members_of_a("closed_a"),
    "assessments:action_edit": members_of_a("action_a"),
    "assessments:action_delete": members_of_a("action_a", 302, "post"),
    "assessments:export_plan": members_of_a("closed_a", kwargs={"fmt": "csv"}),
    "assessments:dialogue_kit": members_of_a("closed_a", kwargs={"code": "D1"}),
}

SKIPPED_NAMESPACES = {"admin"}


def _walk(patterns, prefix: str = "", namespace: str | None = None):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace in SKIPPED_NAMESPACES:
                continue
            ns = entry.namespace or namespace
            if namespace and entry.namespace:
                ns = f"{namespace}:{entry.namespace}"
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            route = prefix + str(entry.pattern)
            if route.startswith(("static/", "media/", "^static", "^media")):
                continue
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            yield name or f"<unnamed {route}>", entry


def url_patterns() -> dict[str, URLPattern]:
    return dict(_walk(get_resolver().url_patterns))


PATTERNS = url_patterns()
CHECKED = sorted(name for name, row in ROWS.items() if row != PUBLIC and name in PATTERNS)


def test_every_url_pattern_has_a_row():
    missing = sorted(set(PATTERNS) - set(ROWS))
    assert not missing, f"Add rows to tests/test_access_matrix.py ROWS for: {missing}"


def test_every_row_is_a_url_pattern():
    stale = sorted(set(ROWS) - set(PATTERNS))
    assert not stale, f"Rows without a URL pattern: {stale}"


def _url(name: str, row: Row, world) -> str:
    pattern = PATTERNS[name]
    kwargs = {}
    if "pk" in pattern.pattern.converters:
        assert row.obj, f"{name} takes an id: say which object in its row"
        kwargs["pk"] = getattr(world, row.obj).pk
    return reverse(name, kwargs={**kwargs, **row.kwargs})


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", CHECKED)
def test_access_matrix(client, name, persona):
    world = make_world()
    row = ROWS[name]
    user = world.users[persona]
    if user is not None:
        client.force_login(user)
    url = _url(name, row, world)
    response = getattr(client, row.method)(url, row.data)
    assert response.status_code == row.expected[persona], (
        f"{persona} {row.method.upper()} {name}: {response.status_code}, "
        f"expected {row.expected[persona]}"
    )
    if response.status_code == LOGIN and persona == "anonymous":
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", [n for n in CHECKED if ROWS[n].obj])
@pytest.mark.parametrize("persona", ["hr_b", "consultant_b"])
def test_people_of_another_organisation_get_404_for_any_method(client, name, persona):
    world = make_world()
    client.force_login(world.users[persona])
    url = _url(name, ROWS[name], world)
    for method in ("get", "post"):
        response = getattr(client, method)(url)
        assert response.status_code in {404, 405}, (method, name, response.status_code)
        if response.status_code == 405:
            continue  # the view refuses the method before it looks anything up
    # The objects of A are untouched by B's attempts.
    world.open_a.refresh_from_db()
    assert world.open_a.status == "open"
    assert world.org_a.teams.filter(pk=world.team_a.pk).exists()
