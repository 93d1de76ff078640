"""Anonymity end to end: a team of 4 in a round with k = 5 leaks through no output at all.

Bakkerij (8 people) answer 4 or 5, Winkel (7) answer 3 or 4, and the four of Bezorging answer
1, 1, 2 and 3 on every statement: a mean of 1.75, a standard deviation of 0.96 and a
distribution of [2, 1, 1, 0, 0] that no other group, item or total can produce. They also leave
a recognisable comment. Every page, JSON, CSV, XLSX and PDF an HR manager or consultant (alice
and carol of the cast in tests/personas.py) can get is then searched for those numbers, the
team's name next to a figure, and the comment under the team; and the shown groups must never
allow Bezorging to be derived from the total.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from assessments.models import Answer, Campaign, OpenAnswer, Response
from assessments.services import close_round

from .factories import add_teams, make_campaign, make_questionnaire

pytestmark = pytest.mark.django_db

SMALL = "Bezorging"
COMMENT = "ZEBRA4417 bezorgbus altijd te laat"
K = 5
SIZES = {"Bakkerij": 8, "Winkel": 7, SMALL: 4}

# Bezorging's figures in every notation an output might use.
SMALL_FIGURES = [
    r"1[.,]75",
    r"1[.,]8(?![\d])",
    r"0[.,]96",
    r"2,\s*1,\s*1,\s*0,\s*0",
    r"\[2, ?1, ?1, ?0, ?0\]",
]


@pytest.fixture
def world(cast):
    questionnaire = make_questionnaire(dimensions=6, items_per_dimension=3, open_questions=1)
    organisation = cast.bakery
    add_teams(organisation, *SIZES)
    campaign, _ = make_campaign(
        organisation,
        questionnaire,
        teams=tuple(SIZES),
        threshold=K,
        ask_role=False,
        ask_tenure=False,
        ask_contract=False,
    )
    items = questionnaire.ordered_items()
    question = questionnaire.open_questions.first()
    teams = {t.name: t for t in campaign.teams.all()}
    patterns = {
        "Bakkerij": lambda i, j: 4 + (i + j) % 2,
        "Winkel": lambda i, j: 3 + (i * 3 + j) % 2,
        SMALL: lambda i, j: (1, 1, 2, 3)[i],
    }
    for name, size in SIZES.items():
        for i in range(size):
            response = Response.objects.create(
                campaign=campaign,
                sequence=Response.objects.next_sequence(campaign),
                team=teams[name],
            )
            Answer.objects.bulk_create(
                Answer(response=response, item=item, value=patterns[name](i, j))
                for j, item in enumerate(items)
            )
            text = COMMENT if name == SMALL else f"Meer overleg nummer {i} in {name}."
            OpenAnswer.objects.create(response=response, question=question, text=text)
    close_round(campaign)
    campaign.refresh_from_db()
    return campaign, cast.alice, cast.carol


def visible_text(html: str) -> str:
    html = re.sub(r"(?s)<(script|style)\b.*?</\1>", " ", html)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def assert_no_small_team_figures(label: str, text: str) -> None:
    for pattern in SMALL_FIGURES:
        match = re.search(pattern, text)
        assert match is None, f"{label}: {match.group(0)!r} (Bezorging's figure) is shown"


def assert_name_not_beside_figures(label: str, lines: list[str]) -> None:
    """A row or line naming the team may say it is too small, never give it a number."""
    for line in lines:
        if SMALL in line:
            rest = line.replace(SMALL, "")
            numbers = [n for n in re.findall(r"\d+(?:[.,]\d+)?", rest) if n != str(K)]
            assert not numbers, f"{label}: {line.strip()[:200]!r} gives Bezorging a figure"
        if COMMENT in line:
            assert SMALL not in line, f"{label}: the comment is tied to Bezorging"


def outputs(campaign: Campaign, alice, carol) -> dict[str, str]:
    """Every rendering of the round's results, as text."""
    found: dict[str, str] = {}
    for persona in (alice, carol):
        client = Client()
        client.force_login(persona)
        pages = {
            "home": reverse("assessments:home"),
            "organisation": reverse(
                "assessments:organisation_detail", args=[campaign.organisation_id]
            ),
            "round": reverse("assessments:campaign_detail", args=[campaign.pk]),
            "progress.json": reverse("assessments:campaign_progress", args=[campaign.pk]),
            "dashboard": reverse("assessments:campaign_results", args=[campaign.pk]),
        }
        for by in ("team", "role", "tenure", "contract", SMALL):
            pages[f"dashboard by {by}"] = pages["dashboard"] + f"?by={by}"
        for label, url in pages.items():
            response = client.get(url)
            assert response.status_code == 200, f"{label}: {response.status_code}"
            found[f"{persona.username} {label}"] = response.content.decode("utf-8", "replace")
        for kind in ("aggregate", "responses"):
            for fmt in ("csv", "xlsx"):
                url = reverse(f"assessments:export_{kind}", args=[campaign.pk, fmt])
                response = client.get(url)
                if response.status_code != 200:
                    assert kind == "responses" and persona == alice
                    continue
                body = (
                    b"".join(response.streaming_content) if response.streaming else response.content
                )
                found[f"{persona.username} {kind}.{fmt}"] = file_text(body, fmt)
        response = client.get(reverse("assessments:campaign_report", args=[campaign.pk]))
        assert response.status_code == 200
        body = b"".join(response.streaming_content) if response.streaming else response.content
        found[f"{persona.username} report.pdf"] = pdf_text(body)
    out = StringIO()
    call_command("campaign_results", str(campaign.pk), "--json", stdout=out)
    found["campaign_results --json"] = out.getvalue()
    return found


def file_text(data: bytes, fmt: str) -> str:
    if fmt == "xlsx":
        return xlsx_text(data)
    if data.startswith(b"PK"):  # the response file: a ZIP of the data and its codebook
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "\n".join(archive.read(name).decode("utf-8-sig") for name in archive.namelist())
    return data.decode("utf-8-sig")


def xlsx_text(data: bytes) -> str:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    lines = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows(values_only=True):
            lines.append("\t".join("" if v is None else str(v) for v in row))
    # Charts and defined names live outside the cells: search the raw parts too.
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/charts/") or name == "xl/workbook.xml":
                lines.append(archive.read(name).decode(errors="replace"))
    return "\n".join(lines)


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def test_a_team_of_four_appears_with_no_figure_anywhere(world):
    campaign, alice, carol = world
    found = outputs(campaign, alice, carol)
    assert len(found) >= 20
    for label, content in found.items():
        text = visible_text(content) if "<html" in content[:500].lower() else content
        # Raw HTML too: chart data attributes and inline JSON count as shown.
        assert_no_small_team_figures(label, content)
        assert_no_small_team_figures(label, text)
        lines = (
            content.splitlines()
            if "<html" not in content[:500].lower()
            else (re.split(r"</(?:tr|li|p|div|h\d|td|th|dd|dt)>", content))
        )
        assert_name_not_beside_figures(label, [visible_text(line) for line in lines])


def test_the_comment_is_shown_only_for_the_whole_organisation(world):
    campaign, alice, carol = world
    found = outputs(campaign, alice, carol)
    data = json.loads(found["campaign_results --json"])
    blob = json.dumps(data.get("breakdowns", {}))
    assert COMMENT not in blob
    assert SMALL not in json.dumps(
        [g for b in data.get("breakdowns", {}).values() for g in b.get("groups", [])]
    )


def test_the_small_team_cannot_be_derived_by_subtracting_shown_teams(world):
    campaign, _, _ = world
    out = StringIO()
    call_command("campaign_results", str(campaign.pk), "--json", stdout=out)
    data = json.loads(out.getvalue())
    teams = data["breakdowns"].get("team")
    total = data["respondents"]
    assert total == sum(SIZES.values())
    if not teams or not teams.get("allowed"):
        return
    shown = {g["key"]: g["n"] for g in teams["groups"]}
    assert SMALL not in shown
    hidden = total - sum(shown.values())
    # Whatever is not shown, taken together, is itself a group of at least k people.
    assert hidden == 0 or hidden >= K, f"total minus shown teams leaves {hidden} people"
    assert hidden >= SIZES[SMALL]
    # Bezorging's mean would be (total·mean − Σ shown n·mean) / 4 if only it were hidden.
    assert len(shown) <= len(SIZES) - 2, "only one team hidden: it can be derived"
