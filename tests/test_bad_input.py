"""Hostile and broken input on every form: never a server error, never a lost answer.

Bodies are built by hand (not by the test client) so that they can hold what browsers and
scripts really send: lone surrogates, NUL bytes, right-to-left marks, megabyte strings,
duplicate and unknown fields, truncated multipart and the wrong content type.
"""

from __future__ import annotations

import html
import json
import re
from urllib.parse import quote_from_bytes, urlsplit

import pytest
from django.conf import settings as django_settings
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assessments.models import SurveyDraft

from .factories import make_campaign, make_organisation, make_questionnaire

pytestmark = pytest.mark.django_db

MEGABYTE = 1_000_000
SPECIAL_VALUES = [
    "",
    "\x00",
    "3\x00",
    "\ud800",
    "\udfff3",
    "\u200f3",
    "\u202e5",
    "\u202bna",
    "\ufeff4",
    " 3",
    "3 ",
    "03",
    "3.0",
    "-1",
    "0",
    "6",
    "NA",
    "%00",
    "٣",
    "１",
    "<script>alert(1)</script>",
    "'; DROP TABLE assessments_answer; --",
    "x" * MEGABYTE,
    "\u200f" * (MEGABYTE // 3),
]
EXAMPLES = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

nasty_text = st.one_of(
    st.text(st.characters(codec=None, exclude_categories=()), max_size=40),
    st.sampled_from(SPECIAL_VALUES),
)


def _raw(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


def encode(pairs: list[tuple[str, str]], mode: str) -> tuple[bytes, str]:
    """A request body and content type; `mode` picks the (possibly broken) encoding."""
    if mode == "urlencoded":
        body = "&".join(
            f"{quote_from_bytes(_raw(n))}={quote_from_bytes(_raw(v))}" for n, v in pairs
        )
        return body.encode(), "application/x-www-form-urlencoded"
    if mode.startswith("multipart"):
        boundary = "----hardening7Boundary"
        parts = [
            b"--" + boundary.encode() + b"\r\n"
            b'Content-Disposition: form-data; name="' + _raw(n).replace(b'"', b"%22") + b'"\r\n'
            b"\r\n" + _raw(v) + b"\r\n"
            for n, v in pairs
        ]
        body = b"".join(parts) + b"--" + boundary.encode() + b"--\r\n"
        if mode == "multipart-truncated":
            body = body[: len(body) // 2]
        if mode == "multipart-no-boundary":
            return body, "multipart/form-data"
        return body, f"multipart/form-data; boundary={boundary}"
    if mode == "json":
        return json.dumps(dict(pairs), ensure_ascii=True).encode(), "application/json"
    if mode == "text":
        return b"\n".join(_raw(f"{n}={v}") for n, v in pairs), "text/plain"
    return b"".join(_raw(n + v) for n, v in pairs), ""


MODES = st.sampled_from(
    [
        "urlencoded",
        "urlencoded",
        "urlencoded",
        "multipart",
        "multipart-truncated",
        "multipart-no-boundary",
        "json",
        "text",
        "none",
    ]
)


def send(client: Client, path: str, pairs: list[tuple[str, str]], mode: str):
    body, content_type = encode(pairs, mode)
    return client.generic("POST", path, body, content_type=content_type)


@pytest.fixture
def survey_round():
    questionnaire = make_questionnaire(
        dimensions=2, items_per_dimension=3, not_applicable_codes=("D2.3",), open_questions=1
    )
    organisation = make_organisation(teams=("Bakkerij", "Winkel"))
    campaign, token = make_campaign(
        organisation, questionnaire, teams=("Bakkerij", "Winkel"), ask_tenure=True
    )
    return campaign, token


EARLIER = {
    "answers": {"D1.1": 4, "D1.2": 2, "D1.3": 5, "D2.1": 3, "D2.2": 1, "D2.3": None},
    "segments": {"team": "", "role": "employee", "tenure": "x"},
    "open": {"O1": "Meer tijd om van elkaar te leren."},
}


def employee_with_answers(token: str, campaign) -> tuple[Client, SurveyDraft]:
    """Emma's phone, every page answered, somewhere in the middle of the questionnaire."""
    client = Client(REMOTE_ADDR="198.51.100.7")
    assert client.get(f"/s/{token}/").status_code == 302
    assert client.post("/survey/").status_code == 302
    draft = SurveyDraft.objects.get(pk=client.session["survey"]["draft"])
    data = json.loads(json.dumps(EARLIER))
    data["segments"]["team"] = str(campaign.teams.get(name="Winkel").pk)
    draft.data = data
    draft.save()
    return client, draft


ITEM_PAGES = {2: ["D1.1", "D1.2", "D1.3"], 3: ["D2.1", "D2.2", "D2.3"]}
VALID = {"1", "2", "3", "4", "5"}


def page_names(number: int) -> list[str]:
    if number == 1:
        return ["segment-team", "segment-role", "segment-tenure", "segment-contract"]
    if number in ITEM_PAGES:
        return [f"item-{code}" for code in ITEM_PAGES[number]]
    return ["open-O1"]


field_names = st.one_of(
    st.sampled_from(
        [
            "item-D1.1",
            "item-D1.2",
            "item-D2.3",
            "item-D9.9",
            "item-",
            "segment-team",
            "segment-role",
            "segment-tenure",
            "open-O1",
            "open-O9",
            "action",
            "csrfmiddlewaretoken",
        ]
    ),
    nasty_text,
)
field_values = st.one_of(
    nasty_text, st.sampled_from(["1", "2", "3", "4", "5", "na", "x", "employee", "next"])
)
pair_lists = st.lists(st.tuples(field_names, field_values), max_size=12)


def _last_values(pairs, name):
    return [v for n, v in pairs if n == name]


@given(number=st.sampled_from([1, 2, 3, 4]), pairs=pair_lists, mode=MODES)
@EXAMPLES
def test_any_post_to_a_questionnaire_page_keeps_every_earlier_answer(
    survey_round, number, pairs, mode
):
    campaign, token = survey_round
    client, draft = employee_with_answers(token, campaign)
    before = SurveyDraft.objects.get(pk=draft.pk).data

    response = send(client, f"/survey/step/{number}/", pairs, mode)

    assert response.status_code < 500
    after = SurveyDraft.objects.get(pk=draft.pk).data
    for code, value in before["answers"].items():
        posted = _last_values(pairs, f"item-{code}")
        if number in ITEM_PAGES and code in ITEM_PAGES[number] and posted:
            allowed = {value} | {int(v) for v in posted if v in VALID}
            if code == "D2.3":
                allowed |= {None} if "na" in posted else set()
            assert after["answers"][code] in allowed
            # A body over Django's upload limit cannot be read at all (a friendly 400).
            readable = len(encode(pairs, mode)[0]) <= django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            if mode == "urlencoded" and readable:
                last = posted[-1]
                if last in VALID:
                    assert after["answers"][code] == int(last)
                elif last == "na" and code == "D2.3":
                    assert after["answers"][code] is None
                else:
                    assert after["answers"][code] == value
        else:
            assert after["answers"][code] == value, f"{code} changed by a post to {number}"
    if number != 1:
        assert after["segments"] == before["segments"]
    if number != 4:
        assert after["open"] == before["open"]
    else:
        assert "\x00" not in after["open"]["O1"]
        assert len(after["open"]["O1"]) <= 4000

    if response.status_code == 200:
        # The page came back with a message: what is stored for it is shown again.
        page = response.content.decode()
        if number in ITEM_PAGES:
            for code in ITEM_PAGES[number]:
                value = after["answers"][code]
                shown = "na" if value is None else str(value)
                assert re.search(
                    rf'name="item-{re.escape(code)}" id="[^"]+" value="{shown}" checked', page
                ), f"{code} not shown as answered"
        elif number == 1:
            for name, value in after["segments"].items():
                if value:
                    assert re.search(
                        rf'name="segment-{name}" id="[^"]+" value="{re.escape(value)}" checked',
                        page,
                    )
        else:
            assert html.escape(after["open"]["O1"]) in page


@given(pairs=pair_lists, mode=MODES)
@EXAMPLES
def test_any_post_to_the_review_stores_a_whole_response_or_nothing(survey_round, pairs, mode):
    from assessments.models import Answer, Response

    campaign, token = survey_round
    client, _ = employee_with_answers(token, campaign)
    responses = Response.objects.count()
    response = send(client, "/survey/review/", pairs, mode)
    assert response.status_code < 500
    assert Response.objects.count() in {responses, responses + 1}
    for stored in Response.objects.all():
        assert Answer.objects.filter(response=stored).count() == 6


@given(pairs=pair_lists, mode=MODES)
@EXAMPLES
def test_any_post_to_the_start_page_is_handled(survey_round, pairs, mode):
    campaign, token = survey_round
    client, draft = employee_with_answers(token, campaign)
    response = send(client, "/survey/", pairs, mode)
    assert response.status_code < 500
    assert SurveyDraft.objects.get(pk=draft.pk).data["answers"] == EARLIER["answers"]


resume_pairs = st.lists(
    st.tuples(
        st.one_of(st.sampled_from(["code", "carry-step", "item-D1.1", "open-O1"]), nasty_text),
        field_values,
    ),
    max_size=8,
)


@given(pairs=resume_pairs, mode=MODES)
@EXAMPLES
def test_any_post_to_the_resume_form_is_handled(survey_round, pairs, mode, settings):
    settings.RATELIMIT_ENABLE = False  # this test is about input, not about guessing
    campaign, token = survey_round
    _, draft = employee_with_answers(token, campaign)
    response = send(Client(), "/survey/resume/", pairs, mode)
    assert response.status_code < 500
    assert SurveyDraft.objects.get(pk=draft.pk).data["answers"] == EARLIER["answers"]


code_pairs = st.lists(
    st.tuples(st.one_of(st.just("code"), nasty_text), field_values),
    max_size=6,
)


@given(pairs=code_pairs, mode=MODES)
@EXAMPLES
def test_any_post_to_the_round_code_form_is_handled(survey_round, pairs, mode, settings):
    settings.RATELIMIT_ENABLE = False  # this test is about input, not about guessing
    response = send(Client(), "/code/", pairs, mode)
    assert response.status_code in {200, 302, 400}


@given(pairs=pair_lists, mode=MODES)
@EXAMPLES
def test_any_post_to_someone_else_fills_in_is_handled(survey_round, pairs, mode):
    campaign, token = survey_round
    client, draft = employee_with_answers(token, campaign)
    response = send(client, "/survey/again/", pairs, mode)
    assert response.status_code < 500
    # Without a sent questionnaire in this session there is nothing to start afresh.
    assert SurveyDraft.objects.get(pk=draft.pk).data["answers"] == EARLIER["answers"]


lang_pairs = st.lists(
    st.tuples(st.one_of(st.sampled_from(["language", "next"]), nasty_text), field_values),
    max_size=6,
)


@given(pairs=lang_pairs, mode=MODES)
@EXAMPLES
def test_any_post_to_the_language_switch_is_handled(pairs, mode):
    response = send(Client(), "/i18n/setlang/", pairs, mode)
    assert response.status_code < 500
    if response.status_code == 302:
        # Never an open redirect: wherever it points, it stays on this site.
        location = urlsplit(response["Location"])
        assert location.netloc in {"", "testserver"} and location.scheme in {"", "http"}


@given(pairs=pair_lists, mode=MODES, path=st.sampled_from(["/s/{token}/", "/i/{token}/"]))
@EXAMPLES
def test_posts_to_the_token_links_are_refused_politely(survey_round, pairs, mode, path):
    _, token = survey_round
    response = send(Client(), path.format(token=token), pairs, mode)
    assert response.status_code == 405


@pytest.mark.parametrize("number", [1, 2, 4])
def test_more_fields_than_django_accepts_get_a_friendly_400_and_lose_nothing(
    survey_round, number, settings
):
    campaign, token = survey_round
    client, draft = employee_with_answers(token, campaign)
    limit = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
    pairs = [(f"item-D1.{i % 3 + 1}", "1") for i in range(limit + 5)]
    response = send(client, f"/survey/step/{number}/", pairs, "urlencoded")
    assert response.status_code == 400
    assert b"Traceback" not in response.content
    assert b'lang="' in response.content  # our page, not a bare one
    assert SurveyDraft.objects.get(pk=draft.pk).data["answers"] == EARLIER["answers"]


def test_a_body_larger_than_django_accepts_gets_a_friendly_400_and_loses_nothing(survey_round):
    campaign, token = survey_round
    client, draft = employee_with_answers(token, campaign)
    response = send(client, "/survey/step/4/", [("open-O1", "x" * 3 * MEGABYTE)], "urlencoded")
    assert response.status_code == 400
    assert b'lang="' in response.content
    assert SurveyDraft.objects.get(pk=draft.pk).data["open"] == EARLIER["open"]


def test_a_megabyte_open_answer_is_kept_shortened_and_the_page_says_so(survey_round):
    campaign, token = survey_round
    client, draft = employee_with_answers(token, campaign)
    text = "Meer tijd.\u200f\x00" + "x" * MEGABYTE
    pairs = [("open-O1", text), ("action", "next")]
    response = send(client, "/survey/step/4/", pairs, "urlencoded")
    assert response.status_code == 200
    stored = SurveyDraft.objects.get(pk=draft.pk).data
    assert stored["open"]["O1"].startswith("Meer tijd.\u200f")
    assert "\x00" not in stored["open"]["O1"]
    assert stored["answers"] == EARLIER["answers"]
