"""Issue 11: every number and word a client reads is right, and the same in every output.

One test per defect the issue names, through the real views, files and e-mails.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import translation

from assessments.models import Campaign, Invitation
from assessments.services import close_round

from .factories import make_campaign, make_questionnaire, make_responses
from .personas import make_world

pytestmark = pytest.mark.django_db


def page(client: Client, url: str, language: str = "nl") -> str:
    return client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()


def visible(html: str) -> str:
    html = re.sub(r"(?s)<(script|style)\b.*?</\1>", " ", html)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def world():
    return make_world()


@pytest.fixture
def alice(world):
    client = Client()
    client.force_login(world.users["hr_a"])
    return client


def closed_round_with(world, *, responses: int, invitations: int = 0, **fields) -> Campaign:
    campaign, _ = make_campaign(
        world.org_a,
        make_questionnaire(dimensions=2, items_per_dimension=3, reversed_codes=("D1.2",)),
        name="Najaar",
        opens_on=dt.date(2026, 12, 1),
        closes_on=dt.date(2026, 12, 18),
        **fields,
    )
    for i in range(invitations):
        Invitation.objects.create(
            campaign=campaign, email=f"p{i}@example.nl", sent_on=dt.date(2026, 12, 1)
        )
    make_responses(campaign, responses)
    close_round(campaign)
    return campaign


# --- 1. The response rate never exceeds 100% --------------------------------------------------


def test_the_response_rate_counts_link_respondents_and_never_exceeds_a_hundred_percent(
    world, alice
):
    # 8 responses came in, through the round link, while 3 personal invitations went out.
    campaign = closed_round_with(world, responses=8, invitations=3)
    for url in (
        reverse("assessments:campaign_detail", args=[campaign.pk]),
        reverse("assessments:campaign_results", args=[campaign.pk]),
    ):
        text = visible(page(alice, url))
        assert "267" not in text and "267%" not in text
        percents = [int(p) for p in re.findall(r"(\d+)\s?%", text)]
        assert all(p <= 100 for p in percents), percents
    data = alice.get(reverse("assessments:campaign_progress", args=[campaign.pk])).json()
    assert data["rate_percent"] <= 100


def test_more_responses_than_the_headcount_reads_one_hundred_percent_not_more(world, alice):
    campaign = closed_round_with(world, responses=12, expected_respondents=10)
    text = visible(page(alice, reverse("assessments:campaign_results", args=[campaign.pk])))
    assert "120" not in text
    assert "100%" in text.replace(" %", "%")


def test_the_low_response_warning_follows_the_real_rate(world, alice):
    # 8 of 61 employees (13%) with 3 invitations: indicative, whatever the invitations say.
    campaign = closed_round_with(world, responses=8, invitations=3, expected_respondents=61)
    with translation.override("en"):
        text = visible(
            page(alice, reverse("assessments:campaign_results", args=[campaign.pk]), "en")
        )
    assert "13%" in text.replace(" %", "%")
    assert "ndicative" in text


# --- 2. "% agree" is about the statement as worded --------------------------------------------


def test_agree_and_disagree_are_shown_for_the_statement_as_worded(world, alice):
    questionnaire = make_questionnaire(
        dimensions=1, items_per_dimension=3, reversed_codes=("D1.2",)
    )
    campaign, _ = make_campaign(world.org_a, questionnaire, name="Najaar")
    # Everyone agrees (4) with the negatively worded D1.2 and disagrees (2) with D1.1.
    make_responses(campaign, 6, values={"D1.1": 2, "D1.2": 4, "D1.3": 3})
    close_round(campaign)
    from pypdf import PdfReader

    response = alice.get(reverse("assessments:campaign_report", args=[campaign.pk]), {"lang": "en"})
    pdf = b"".join(response.streaming_content) if response.streaming else response.content
    text = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages))
    # The statements table: as worded, 100% agree and 0% disagree (not the reverse-scored
    # 0% / 100%); D1.1 the other way round.
    shares = {
        code: re.findall(r"(\d+)%", text[text.rindex(f"Statement {code}") :])[:2]
        for code in ("D1.1", "D1.2")
    }
    assert shares == {"D1.2": ["100", "0"], "D1.1": ["0", "100"]}, shares
    assert "counts reversed" in text.lower()


# --- 4. The e-mail subject is plain text ------------------------------------------------------


def test_an_organisation_name_with_an_ampersand_and_apostrophe_stays_literal_in_the_e_mail(
    world,
):
    from assessments import mailing

    world.org_a.name = "Bakker & Zn's"
    world.org_a.save()
    campaign = world.open_a
    invitation = Invitation.objects.create(
        campaign=campaign, email="jan@example.nl", pending=Invitation.Pending.INVITATION
    )
    message = mailing.build_message(invitation, campaign)
    assert message.subject.startswith("Bakker & Zn's:")
    assert "&amp;" not in message.subject and "&#x27;" not in message.subject
    assert "Bakker & Zn's" in message.body
    assert not mail.outbox or all("&amp;" not in m.subject for m in mail.outbox)


# --- 5. Dates are Dutch -----------------------------------------------------------------------


def test_dates_are_written_the_dutch_way_on_the_workspace_pages(world, alice):
    campaign = closed_round_with(world, responses=5)
    Campaign.objects.filter(pk=campaign.pk).update(
        opens_on=dt.date(2026, 3, 9), closes_on=dt.date(2026, 12, 1)
    )
    for url in (
        reverse("assessments:home"),
        reverse("assessments:organisation_detail", args=[world.org_a.pk]),
    ):
        text = visible(page(alice, url))
        assert "Mrt" not in text and "Dec" not in text, text[:500]
        assert re.search(r"9 (mrt|maart) 2026", text), text[:2000]


# --- 6. Exports open as columns in Dutch Excel ------------------------------------------------


def dutch_excel_cells(data: bytes) -> list[list[str]]:
    """Read a CSV as Dutch Excel does: list separator ';', decimal comma (Babel's nl rules)."""
    text = data.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def test_the_dutch_results_csv_has_columns_and_decimal_commas_in_dutch_excel(world, alice):
    from babel.numbers import NumberFormatError, parse_decimal

    campaign = closed_round_with(world, responses=12)
    response = alice.get(
        reverse("assessments:export_aggregate", args=[campaign.pk, "csv"]),
        HTTP_ACCEPT_LANGUAGE="nl",
    )
    rows = dutch_excel_cells(response.content)
    header = next(r for r in rows if "Gem." in r and "Code" in r)
    assert len(header) > 5, header  # split into columns, not one long text
    means = []
    for row in rows[rows.index(header) + 1 :]:
        if not row or len(row) < len(header):
            break
        means.append(row[header.index("Gem.")])
    assert means
    for value in means:
        try:
            number = parse_decimal(value, locale="nl")
        except NumberFormatError:
            pytest.fail(f"Dutch Excel would read {value!r} as text")
        assert 1 <= number <= 5, value  # "3.42" would read as 342 in Dutch Excel
    assert "TRUE" not in response.content.decode("utf-8-sig")


def test_the_english_results_csv_stays_comma_separated(world, alice):
    campaign = closed_round_with(world, responses=12)
    with translation.override("en"):
        response = alice.get(
            reverse("assessments:export_aggregate", args=[campaign.pk, "csv"]),
            HTTP_ACCEPT_LANGUAGE="en",
        )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header = next(r for r in rows if "Mean" in r)
    assert len(header) > 5


def test_the_dutch_response_file_has_dutch_sheet_names(world):
    from openpyxl import load_workbook

    from assessments import exports

    campaign = closed_round_with(world, responses=12)
    content = exports.build_response_export(campaign, "xlsx", "nl").content
    names = load_workbook(io.BytesIO(content), read_only=True).sheetnames
    assert names == ["Antwoorden", "Codeboek"]
    content = exports.build_response_export(campaign, "xlsx", "en").content
    assert load_workbook(io.BytesIO(content), read_only=True).sheetnames == [
        "Responses",
        "Codebook",
    ]


# --- 7. One time promise ----------------------------------------------------------------------


def test_the_intro_the_poster_and_the_e_mail_promise_the_same_number_of_minutes(world, alice):
    from assessments import mailing

    campaign = world.open_a
    token = campaign.set_link_token()
    campaign.save()
    phone = Client()
    phone.get(f"/s/{token}/")
    intro = visible(page(phone, reverse("assessments:survey_intro")))
    poster = visible(page(alice, reverse("assessments:campaign_sheet", args=[campaign.pk])))
    invitation = Invitation.objects.create(
        campaign=campaign, email="jan@example.nl", pending=Invitation.Pending.INVITATION
    )
    body = mailing.build_message(invitation, campaign).body
    minutes = {
        name: set(re.findall(r"(\d+) minuten", text))
        for name, text in (("intro", intro), ("poster", poster), ("e-mail", body))
    }
    assert all(minutes.values()), minutes
    assert len(set().union(*minutes.values())) == 1, minutes


# --- 8. Plain words on the HR pages ----------------------------------------------------------


def test_technical_terms_on_the_results_page_are_explained_in_plain_words(world, alice):
    from assessments.presentation import glossary

    campaign = closed_round_with(world, responses=12)
    html = page(alice, reverse("assessments:campaign_results", args=[campaign.pk]))
    text = visible(html)
    assert "Zo lees je dit" in text
    section = visible(html[html.index("Zo lees je dit") :])
    with translation.override("nl"):
        for term in glossary():
            assert term["term"] in section and term["explanation"] in section, term["key"]
    # The academic wording never stands alone on the page.
    assert "Cronbach" not in text or "Betrouwbaarheid" in text


def test_indicator_names_are_plain_dutch_with_the_models_wording_kept():
    from assessments.models import Indicator

    indicator = Indicator(
        name_nl="Werkplekinrichting ten behoeve van kennisuitwisseling",
        name_en="Workplace layout that supports knowledge sharing",
        plain_name_nl="Een werkplek waar je makkelijk kennis deelt",
        plain_name_en="A workplace that makes sharing knowledge easy",
    )
    with translation.override("nl"):
        assert indicator.plain_name == "Een werkplek waar je makkelijk kennis deelt"
        assert indicator.name == "Werkplekinrichting ten behoeve van kennisuitwisseling"
    with translation.override("en"):
        assert indicator.plain_name == "A workplace that makes sharing knowledge easy"


# --- 3. One word for one concept ------------------------------------------------------------


def test_the_dutch_texts_call_a_round_a_meting_everywhere():
    import polib
    from django.conf import settings

    catalogue = polib.pofile(str(settings.BASE_DIR / "locale/nl/LC_MESSAGES/django.po"))
    rondes = [e.msgstr for e in catalogue if re.search(r"\b[Rr]onde\b", e.msgstr)]
    assert rondes == []


def test_the_css_colours_are_the_vocabularys_palette():
    from django.conf import settings

    from assessments.presentation import BANDS, DISTRIBUTION_COLOURS, PALETTE

    css = (settings.BASE_DIR / "static/css/app.css").read_text()
    declared = dict(re.findall(r"--lc-([a-z-]+):\s*(#[0-9a-fA-F]{6})", css))
    for name in ("primary", "primary-dark", "accent", "low", "vulnerable", "middle", "high"):
        assert declared[name].lower() == PALETTE[name.replace("-", "_")].lower(), name
    for band in BANDS.values():
        rule = re.search(rf"\.band-badge\.band-{band.code} {{ background: (#[0-9a-f]{{6}})", css)
        badge = rule.group(1) if rule else declared[band.code]
        assert badge.lower() == band.badge_colour.lower(), band.code
    swatches = dict(re.findall(r"\.swatch-(\d) { background: (#[0-9a-fA-F]{6}); }", css))
    assert [swatches[str(v)].lower() for v in range(1, 6)] == [
        c.lower() for c in DISTRIBUTION_COLOURS
    ]
