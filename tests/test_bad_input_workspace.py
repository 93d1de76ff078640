"""Hostile and broken input on every workspace and account form: never a server error, and when
the form comes back with a message, what the user typed into the other fields is still there."""

from __future__ import annotations

import html
import re

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .personas import make_world
from .test_bad_input import MODES, SPECIAL_VALUES, nasty_text, send

pytestmark = pytest.mark.django_db

# URL name, object of organisation A in its URL, who fills it in.
FORMS = [
    ("assessments:organisation_create", None, "carol"),
    ("assessments:organisation_edit", "org_a", "carol"),
    ("assessments:member_add", "org_a", "carol"),
    ("assessments:team_create", "org_a", "alice"),
    ("assessments:team_edit", "team_a", "alice"),
    ("assessments:campaign_create", "org_a", "alice"),
    ("assessments:campaign_edit", "draft_a", "alice"),
    ("assessments:campaign_edit", "open_a", "alice"),  # closing date and headcount only
    ("assessments:invitations", "open_a", "alice"),
    ("assessments:campaign_management", "open_a", "alice"),
    ("assessments:plan", "closed_a", "alice"),
    ("assessments:action_create", "closed_a", "alice"),
    ("assessments:action_edit", "action_a", "alice"),
    ("login", None, None),
    ("password_reset", None, None),
]
PLAUSIBLE = [
    "Bakkerij De Korenschoof",
    "alice@example.com",
    "2026-03-01",
    "2026-02-30",
    "01-03-2026",
    "5",
    "3",
    "50",
    "-5",
    "on",
    "nl",
    "en",
    "trade",
    "10-49",
    "hr",
    "Winkel",
]
TEXT_INPUT = re.compile(
    r'<input[^>]*type="(?:text|email|number|date|password)"[^>]*name="([^"]+)"'
    r'|<input[^>]*name="([^"]+)"[^>]*type="(?:text|email|number|date)"'
    r'|<textarea[^>]*name="([^"]+)"'
)
ANY_FIELD = re.compile(r'<(?:input|select|textarea)[^>]*name="([^"]+)"')


def form_fields(page: str) -> tuple[list[str], set[str]]:
    names = sorted(set(ANY_FIELD.findall(page)) - {"csrfmiddlewaretoken", "next", "language"})
    text = {a or b or c for a, b, c in TEXT_INPUT.findall(page)}
    return names, text


def clean(value: str) -> bool:
    return (
        0 < len(value) <= 80
        and value.isprintable()
        and value == value.strip()
        and not any(0xD800 <= ord(ch) <= 0xDFFF for ch in value)
    )


@pytest.mark.parametrize(("name", "obj", "persona"), FORMS)
def test_every_workspace_form_survives_hostile_input(name, obj, persona, settings_fixture):
    world = make_world()
    client = Client()
    if persona:
        client.force_login(world.users[{"carol": "consultant_a", "alice": "hr_a"}[persona]])
    url = reverse(name, kwargs={"pk": getattr(world, obj).pk} if obj else {})
    page = client.get(url)
    assert page.status_code == 200, f"{name}: {page.status_code}"
    names, text_fields = form_fields(page.content.decode())
    assert names, f"no form fields found on {name}"

    values = st.one_of(nasty_text, st.sampled_from(PLAUSIBLE))
    pairs = st.lists(st.tuples(st.one_of(st.sampled_from(names), nasty_text), values), max_size=14)

    @given(pairs=pairs, mode=MODES)
    @settings(
        max_examples=15,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    def check(pairs, mode):
        response = send(client, url, pairs, mode)
        assert response.status_code < 500, f"{name}: {response.status_code}"
        if response.status_code != 200 or mode != "urlencoded":
            return
        body = response.content.decode()
        for field in text_fields & {n for n, _ in pairs}:
            if field == "password":
                continue  # never echoed, on purpose
            last = [v for n, v in pairs if n == field][-1]
            if clean(last):
                assert html.escape(last) in body, f"{name}: {field}={last!r} was not kept"

    check()


ACTIONS = [
    ("assessments:team_delete", "team_a"),
    ("assessments:campaign_open", "draft_a"),
    ("assessments:campaign_close", "open_a"),
    ("assessments:campaign_copy", "open_a"),
    ("assessments:invitation_send", "open_a"),
    ("assessments:invitation_remind", "open_a"),
    ("assessments:invitation_clear", "open_a"),
    ("assessments:invitation_add_valid", "open_a"),
    ("assessments:action_delete", "action_a"),
    ("logout", None),
]


@pytest.mark.parametrize(("name", "obj"), ACTIONS)
def test_every_workspace_button_survives_hostile_input(name, obj):
    world = make_world()
    client = Client()
    client.force_login(world.users["hr_a"])
    url = reverse(name, kwargs={"pk": getattr(world, obj).pk} if obj else {})

    @given(pairs=st.lists(st.tuples(nasty_text, nasty_text), max_size=8), mode=MODES)
    @settings(
        max_examples=8,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    def check(pairs, mode):
        client.force_login(world.users["hr_a"])
        response = send(client, url, pairs, mode)
        assert response.status_code < 500, f"{name}: {response.status_code}"

    check()


@pytest.fixture
def settings_fixture(settings):
    settings.RATELIMIT_ENABLE = False  # about input, not about guessing
    return settings


@pytest.mark.parametrize("value", SPECIAL_VALUES[:8])
def test_the_login_form_takes_any_username_without_a_server_error(value, settings_fixture):
    response = send(
        Client(), "/accounts/login/", [("username", value), ("password", value)], "urlencoded"
    )
    assert response.status_code == 200
