"""Issue 13, item 5: sharing the round — the whole link with a copy button, and a short code.

The poster (A4 sheet) prints an 8-character code next to the QR code; employees without a
camera type it at /code/. It is stored only as a keyed hash, changes when the round is copied
and stops working when the round closes. Guessing it is limited like guessing links
(tests/test_ratelimits.py).
"""

from __future__ import annotations

import hashlib
import re

import pytest
from django.test import Client
from django.urls import reverse

from assessments.models import (
    SHORT_CODE_ALPHABET,
    Campaign,
    hash_short_code,
    normalize_short_code,
)
from assessments.services import close_round

from .personas import make_world

pytestmark = pytest.mark.django_db

CODE_URL = "/code/"


@pytest.fixture(autouse=True)
def _english_ui(settings):
    settings.LANGUAGE_CODE = "en"


def _employee() -> Client:
    return Client(REMOTE_ADDR="198.51.100.7")


def test_a_round_has_an_eight_character_code_from_an_unambiguous_alphabet():
    world = make_world()
    codes = {c.short_code() for c in Campaign.objects.all()}
    assert len(codes) == Campaign.objects.count()
    for code in codes:
        assert len(code) == 8
        assert set(code) <= set(SHORT_CODE_ALPHABET)
    assert not set("01OIL") & set(SHORT_CODE_ALPHABET)
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}", world.open_a.short_code_display())


def test_only_a_keyed_hash_of_the_code_is_stored(settings):
    world = make_world()
    campaign = Campaign.objects.get(pk=world.open_a.pk)
    code = campaign.short_code()
    stored = " ".join(
        str(v) for v in Campaign.objects.filter(pk=campaign.pk).values().get().values()
    )
    assert code not in stored
    assert campaign.code_hash == hash_short_code(code)
    # A plain hash of 8 characters could be found by trying them all on a copy of the database;
    # the stored one needs SECRET_KEY as well.
    assert campaign.code_hash != hashlib.sha256(code.encode()).hexdigest()
    settings.SECRET_KEY = "another-" + settings.SECRET_KEY
    assert hash_short_code(code) != campaign.code_hash


def test_typing_mistakes_in_a_code_are_forgiven():
    assert normalize_short_code(" abcd-efgh ") == "ABCDEFGH"
    assert normalize_short_code("ab cd ef gh") == "ABCDEFGH"
    assert normalize_short_code("ABCD-EFG") == ""
    assert normalize_short_code("ABCD-EFG0") == ""  # 0 is not in the alphabet


def test_the_code_opens_the_questionnaire_at_a_short_address():
    world = make_world()
    employee = _employee()
    page = employee.get(CODE_URL)
    assert page.status_code == 200
    assert 'name="code"' in page.content.decode()
    code = world.open_a.short_code_display().lower().replace("-", " ")
    response = employee.post(CODE_URL, {"code": code})
    assert response.status_code == 302
    assert response["Location"] == reverse("assessments:survey_intro")
    intro = employee.get(response["Location"])
    assert intro.status_code == 200
    assert world.open_a.organisation.name in intro.content.decode()


@pytest.mark.parametrize("language", ["nl", "en"])
def test_an_unknown_or_closed_code_gets_a_clear_message_and_keeps_what_was_typed(
    language, settings
):
    settings.LANGUAGE_CODE = language
    world = make_world()
    closed = world.open_a
    close_round(closed)
    expected = {
        "nl": "We vinden geen open vragenlijst met deze code",
        "en": "We could not find an open questionnaire with this code",
    }[language]
    for typed in ("ZZZZ-ZZZZ", closed.short_code_display()):
        response = _employee().post(CODE_URL, {"code": typed})
        assert response.status_code == 400
        body = response.content.decode()
        assert expected in body
        assert f'value="{typed}"' in body


def test_a_code_of_the_wrong_length_says_what_a_code_looks_like(settings):
    settings.LANGUAGE_CODE = "nl"
    make_world()
    response = _employee().post(CODE_URL, {"code": "ABC"})
    assert response.status_code == 400
    assert "8 letters en cijfers" in response.content.decode()
    assert 'value="ABC"' in response.content.decode()


def test_the_code_changes_when_the_round_is_copied(client):
    world = make_world()
    client.force_login(world.users["hr_a"])
    client.post(reverse("assessments:campaign_copy", args=[world.open_a.pk]))
    copy = Campaign.objects.filter(organisation=world.org_a).order_by("-pk").first()
    assert copy.short_code() != world.open_a.short_code()
    assert copy.code_hash != world.open_a.code_hash


def test_the_code_stops_working_when_the_round_closes(client):
    world = make_world()
    code = world.open_a.short_code()
    assert _employee().post(CODE_URL, {"code": code}).status_code == 302
    client.force_login(world.users["hr_a"])
    client.post(reverse("assessments:campaign_close", args=[world.open_a.pk]))
    assert _employee().post(CODE_URL, {"code": code}).status_code == 400


def test_the_poster_prints_the_code_and_short_address_instead_of_the_long_token(client):
    world = make_world()
    client.force_login(world.users["hr_a"])
    sheet_url = reverse("assessments:campaign_sheet", args=[world.open_a.pk])
    token = world.open_a.link_token()
    for language, words in (("nl", "typ de code"), ("en", "type the code")):
        body = client.get(f"{sheet_url}?lang={language}").content.decode()
        assert world.open_a.short_code_display() in body
        assert "/code/" in body and words in body
        assert token not in body


def test_the_share_page_shows_the_whole_link_to_select_with_a_copy_button(client):
    world = make_world()
    client.force_login(world.users["hr_a"])
    body = client.get(reverse("assessments:campaign_share", args=[world.open_a.pk]))
    html = body.content.decode()
    url = world.open_a.survey_url()
    assert re.search(rf'<code[^>]*id="survey-url"[^>]*>{re.escape(url)}</code>', html)
    assert "readonly" not in html  # no cut-off read-only field
    # The button needs JavaScript, so it stays hidden until the script shows it.
    assert re.search(r'<button[^>]*data-copy="survey-url"[^>]*hidden', html)
    assert "js/copy.js" in html
    assert world.open_a.short_code_display() in html
