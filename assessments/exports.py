"""CSV and XLSX exports of a round; every builder returns ``(filename, mimetype, bytes)``.

Two exports:

* the aggregated export (HR and consultants): the tables of the dashboard, built only from
  :func:`assessments.results.campaign_results`, so it shows exactly the dashboard's numbers;
* the response-level export (consultants and staff): one row per response for analysis in
  SPSS, R or Excel, plus a codebook. It has no response IDs, no dates and rows in random order;
  a segmentation column (team, role, …) shows a respondent's group only when the dashboard's
  plan shows that group, and a column is left blank for everyone when, together with the
  columns before it, it would single out fewer than k respondents (k-anonymity across columns,
  because a file, unlike the dashboard, lets its reader cross the columns).

Formula injection: spreadsheet programs run a text cell that starts with ``=``, ``+``, ``-``,
``@``, a tab, CR (or NUL, which some strip first) as a formula. Every text cell goes through
:func:`safe_text`, which prefixes such text with ``'``; numbers are written as numbers, so a
negative number stays a number. In XLSX, strings are inline strings (``assessments.xlsx``
cannot write a formula at all).
"""

from __future__ import annotations

import csv
import io
import random
import re
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import chain
from typing import Any

from django.db.models import CharField
from django.db.models.functions import Cast
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import anonymity, xlsx
from .models import (
    Answer,
    Campaign,
    Contract,
    Item,
    Response,
    Role,
    Tenure,
    localized,
)
from .presentation import reason_text
from .results import campaign_results
from .results.queries import group_orders
from .survey import scale_labels

ExportFile = tuple[str, str, bytes]
Cell = str | int | float | bool | None

FORMATS = ("csv", "xlsx")
CSV_MIMETYPE = "text/csv; charset=utf-8"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ZIP_MIMETYPE = "application/zip"

_FORMULA_START = frozenset("=+-@\t\r\n\x00")
# XML 1.0 cannot hold these, and no questionnaire text needs them.
_CONTROL_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

SEGMENTS = anonymity.PREFERENCE
SEGMENT_CHOICES = {"role": Role, "tenure": Tenure, "contract": Contract}
SEGMENT_LABELS = {
    "team": gettext_lazy("Team"),
    anonymity.LEADERSHIP: gettext_lazy("Leadership or employee"),
    "role": gettext_lazy("Role"),
    "tenure": gettext_lazy("Years of service"),
    "contract": gettext_lazy("Type of contract"),
}
NOT_ASKED = gettext_lazy("not asked in this round")
BANDS = {
    "low": gettext_lazy("Point of attention"),
    "vulnerable": gettext_lazy("Basis present (vulnerable)"),
    "middle": gettext_lazy("Basis present"),
    "high": gettext_lazy("Strong point"),
}


class ExportUnavailable(Exception):
    """Nothing may be exported (too few responses, round still open, answers deleted)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def safe_text(value: object) -> str:
    """Text that no spreadsheet program runs as a formula (see the module docstring)."""
    text = str(value)
    cleaned = _CONTROL_CHARS.sub("", text)
    if text[:1] in _FORMULA_START or cleaned[:1] in _FORMULA_START:
        return "'" + cleaned
    return cleaned


def safe_cell(value: Any) -> Cell:
    if value is None or isinstance(value, bool | int | float):
        return value
    return safe_text(value)


@dataclass
class Table:
    """One sheet in XLSX, one section (or file) in CSV."""

    title: str
    header: list[str]
    rows: Iterable[Sequence[Cell]] = field(default_factory=list)
    # Rows are already made safe (the response matrix: numbers and sanitised labels only).
    trusted: bool = False
    # The same rows as ready CSV lines, when the table can make them much faster itself.
    csv_lines: Callable[[], Iterable[str]] | None = None


# --- Writers -----------------------------------------------------------------------------


def _csv_value(value: Cell) -> Cell:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return value
    return safe_text(value)


def write_csv(tables: Sequence[Table], *, titles: bool) -> bytes:
    """UTF-8 with BOM (so Excel reads accents), comma-separated, one section per table."""
    out = io.StringIO()
    writer = csv.writer(out)
    for index, table in enumerate(tables):
        if titles:
            if index:
                writer.writerow([])
            writer.writerow([safe_text(table.title)])
        writer.writerow([safe_text(h) for h in table.header])
        if table.csv_lines is not None:
            for line in table.csv_lines():
                out.write(line)
                out.write("\r\n")
        elif table.trusted:
            writer.writerows(table.rows)
        else:
            writer.writerows([_csv_value(v) for v in row] for row in table.rows)
    return out.getvalue().encode("utf-8-sig")


def csv_field(text: str) -> str:
    """One CSV field as the csv module writes it (minimal quoting)."""
    if any(char in text for char in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def write_xlsx(tables: Sequence[Table]) -> bytes:
    used: set[str] = set()
    sheets = []
    for table in tables:
        rows = table.rows if table.trusted else ([safe_cell(v) for v in row] for row in table.rows)
        header = [safe_text(title) for title in table.header]
        sheets.append(xlsx.Sheet(_sheet_name(table.title, used), header, rows))
    return xlsx.write_workbook(sheets)


def _sheet_name(title: str, used: set[str]) -> str:
    # Excel: at most 31 characters, none of []:*?/\ and unique within the workbook.
    base = re.sub(r"[\[\]:*?/\\]", " ", safe_text(title)).strip("' ")[:31] or "Sheet"
    name, n = base, 2
    while name.lower() in used:
        suffix = f" ({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(name.lower())
    return name


def _file_stem(campaign: Campaign, kind: str) -> str:
    slug = slugify(f"{campaign.organisation.name} {campaign.name}")[:60].strip("-")
    return f"{slug or f'round-{campaign.pk}'}-{kind}"


# --- Aggregated export -------------------------------------------------------------------


def aggregate_tables(results: dict[str, Any]) -> list[Table]:
    """The dashboard's tables, from a ``campaign_results`` dict only."""
    if not results["visible"]:
        raise ExportUnavailable(results["reason_text"])
    round_ = results["round"]
    dims = results["dimensions"]
    codes = [d["code"] for d in dims]
    names = {d["code"]: d["short_name"] for d in dims}
    previous = results.get("previous") or {}
    summary = [
        ("organisation", _("Organisation"), round_["organisation"]),
        ("round", _("Round"), round_["name"]),
        ("opens_on", _("Opens on"), round_["opens_on"]),
        ("closes_on", _("Closes on"), round_["closes_on"]),
        ("status", _("Status"), str(Campaign.Status(round_["status"]).label)),
        ("respondents", _("Respondents"), results["respondents"]),
        ("received", _("Responses received"), results["received"]),
        ("invited", _("Invited"), results["invited"]),
        ("response_rate", _("Response rate (%)"), results["response_rate"]),
        ("indicative", _("Indicative (response rate below 40%)"), results["indicative"]),
        ("threshold", _("Minimum group size (k)"), results["threshold"]),
        ("overall_index", _("Overall index"), results["overall_index"]),
        (
            "previous_round",
            _("Previous round"),
            previous.get("campaign", {}).get("name"),
        ),
        (
            "previous_respondents",
            _("Respondents in the previous round"),
            previous.get("respondents"),
        ),
        ("previous_overall", _("Overall index of the previous round"), previous.get("overall")),
    ]
    tables = [
        Table(_("Round"), [_("Key"), _("Description"), _("Value")], [list(r) for r in summary])
    ]

    dist = [_("Scored %(value)d (count)") % {"value": v} for v in range(1, 6)]
    tables.append(
        Table(
            _("Dimensions"),
            [
                _("Code"),
                _("Dimension"),
                _("Respondents (n)"),
                _("Mean"),
                _("SD"),
                _("95% CI low"),
                _("95% CI high"),
                _("% positive"),
                _("% negative"),
                *dist,
                _("Band"),
                _("Band code"),
                _("Needs attention"),
                _("Cronbach's alpha"),
                _("Alpha n"),
                _("Alpha indicative (n < 30)"),
                _("Suppressed"),
            ],
            [
                [
                    d["code"],
                    d["name"],
                    d["n"],
                    d["mean"],
                    d["sd"],
                    d["ci_low"],
                    d["ci_high"],
                    d["pct_positive"],
                    d["pct_negative"],
                    *(d["distribution"] or [None] * 5),
                    str(BANDS[d["band"]]) if d["band"] else None,
                    d["band"],
                    d["attention"],
                    d["alpha"],
                    d["alpha_n"],
                    d["alpha_warning"],
                    d["suppressed"],
                ]
                for d in dims
            ],
        )
    )
    tables.append(
        Table(
            _("Indicators"),
            [_("Dimension"), _("Indicator"), _("Mean"), _("Suppressed")],
            [
                [d["code"], ind["name"], ind["mean"], ind["suppressed"]]
                for d in dims
                for ind in d["indicators"]
            ],
        )
    )
    tables.append(
        Table(
            _("Items"),
            [
                _("Dimension"),
                _("Item"),
                _("Statement"),
                _("Reverse scored"),
                _("Valid answers"),
                _("Don't know / not applicable"),
                _("Mean"),
                _("% positive"),
                _("% negative"),
                *dist,
                _("Suppressed"),
            ],
            [
                [
                    d["code"],
                    i["code"],
                    i["text"],
                    i["is_reversed"],
                    i["n_valid"],
                    i["n_not_applicable"],
                    i["mean"],
                    i["pct_positive"],
                    i["pct_negative"],
                    *(i["distribution"] or [None] * 5),
                    i["suppressed"],
                ]
                for d in dims
                for i in d["items"]
            ],
        )
    )
    item_means = {i["code"]: i["mean"] for d in dims for i in d["items"]}
    texts = results.get("item_texts", {})
    tables.append(
        Table(
            _("Strongest and weakest"),
            [_("List"), _("Rank"), _("Item"), _("Statement"), _("Mean")],
            [
                [label, rank, code, texts.get(code, ""), item_means.get(code)]
                for key, label in (("strongest", _("Strongest")), ("weakest", _("Weakest")))
                for rank, code in enumerate(results[key], start=1)
            ],
        )
    )

    means_header = [_("Overall index"), *(f"{c} {names[c]}" for c in codes)]
    role = results["role_comparison"]
    role_rows: list[list[Cell]] = []
    if role["allowed"]:
        for key, label in (
            ("leadership", _("Managers and directors")),
            ("employees", _("Employees")),
        ):
            group = role[key]
            role_rows.append(
                [
                    label,
                    group["n"],
                    group["overall"],
                    *(group["dimensions"].get(c) for c in codes),
                    "",
                ]
            )
    else:
        role_rows.append(["", None, None, *([None] * len(codes)), role.get("reason_text") or ""])
    tables.append(
        Table(
            _("Managers vs. employees"),
            [_("Group"), _("Respondents (n)"), *means_header, _("Note")],
            role_rows,
        )
    )

    breakdown_rows: list[list[Cell]] = []
    for name, breakdown in results["breakdowns"].items():
        label = str(SEGMENT_LABELS[name])
        if not breakdown["allowed"]:
            breakdown_rows.append(
                [label, "", None, None, *([None] * len(codes)), breakdown["reason_text"] or ""]
            )
            continue
        for group in breakdown["groups"]:
            breakdown_rows.append(
                [
                    label,
                    group["label"],
                    group["n"],
                    group["overall"],
                    *(group["dimensions"].get(c) for c in codes),
                    "",
                ]
            )
        for group in breakdown["suppressed"]:
            breakdown_rows.append(
                [
                    label,
                    group["label"],
                    None,
                    None,
                    *([None] * len(codes)),
                    group["reason_text"],
                ]
            )
    tables.append(
        Table(
            _("Breakdowns"),
            [_("Breakdown"), _("Group"), _("Respondents (n)"), *means_header, _("Note")],
            breakdown_rows,
        )
    )

    if previous:
        tables.append(
            Table(
                _("Previous round"),
                [
                    _("Dimension"),
                    _("Previous mean"),
                    _("Difference"),
                    _("95% CI low"),
                    _("95% CI high"),
                    _("Meaningful difference"),
                ],
                [
                    [
                        code,
                        change["previous_mean"],
                        change["difference"],
                        change["ci_low"],
                        change["ci_high"],
                        change["is_meaningful"],
                    ]
                    for code, change in previous["dimensions"].items()
                ],
            )
        )
    benchmark = results.get("benchmark")
    if benchmark:
        sector = benchmark.get("sector_dimensions") or {}
        tables.append(
            Table(
                _("Benchmark"),
                [
                    _("Dimension"),
                    _("Organisations"),
                    _("First quartile"),
                    _("Median"),
                    _("Third quartile"),
                    _("Organisations in the sector"),
                    _("Sector: first quartile"),
                    _("Sector: median"),
                    _("Sector: third quartile"),
                ],
                [
                    [
                        code,
                        q["n"],
                        q["q1"],
                        q["median"],
                        q["q3"],
                        sector.get(code, {}).get("n"),
                        sector.get(code, {}).get("q1"),
                        sector.get(code, {}).get("median"),
                        sector.get(code, {}).get("q3"),
                    ]
                    for code, q in benchmark["dimensions"].items()
                ],
            )
        )
    open_rows: list[list[Cell]] = []
    for question in results["open_answers"]:
        if not question["visible"]:
            open_rows.append(
                [question["code"], question["question"], "", question["reason_text"] or ""]
            )
        for text in question["texts"]:
            open_rows.append([question["code"], question["question"], text, ""])
    tables.append(
        Table(
            _("Open answers"),
            [_("Question code"), _("Question"), _("Answer"), _("Note")],
            open_rows,
        )
    )
    return tables


def build_aggregate_export(campaign: Campaign, fmt: str, language: str = "nl") -> ExportFile:
    """What the dashboard shows, as CSV (one file, a section per table) or XLSX."""
    _check_format(fmt)
    with translation.override(language):
        tables = aggregate_tables(campaign_results(campaign, language))
        stem = _file_stem(campaign, "results")
        if fmt == "csv":
            return f"{stem}.csv", CSV_MIMETYPE, write_csv(tables, titles=True)
        return f"{stem}.xlsx", XLSX_MIMETYPE, write_xlsx(tables)


# --- Response-level export ---------------------------------------------------------------


@dataclass
class ResponseMatrix:
    items: list[Item]
    values: list[list[int | None]]  # per response in submission order, per item
    profiles: list[dict[str, str | None]]  # per response in submission order: segment answers


def load_response_matrix(campaign: Campaign) -> ResponseMatrix:
    """Every answer of the round in one query over answers (plus items and responses)."""
    items = list(
        Item.objects.filter(dimension__questionnaire_id=campaign.questionnaire_id)
        .select_related("dimension", "indicator")
        .order_by("dimension__position", "position")
    )
    column = {item.pk: i for i, item in enumerate(items)}
    # Response ids as text: converting ~50 UUID objects per response costs more than the query.
    responses = list(
        Response.objects.filter(campaign=campaign)
        .order_by("sequence")
        .values_list(Cast("id", CharField()), "team_id", "role", "tenure", "contract")
    )
    row_of = {row[0]: i for i, row in enumerate(responses)}
    width = len(items)
    values: list[list[int | None]] = [[None] * width for _ in responses]
    answers = (
        Answer.objects.filter(response__campaign=campaign)
        .values_list(Cast("response_id", CharField()), "item_id", "value")
        .iterator(chunk_size=20000)
    )
    get_row = row_of.get
    for response_id, item_id, value in answers:
        row = get_row(response_id)
        # A response stored between the two queries is left out rather than half-filled.
        if row is not None:
            values[row][column[item_id]] = value
    profiles = [
        {
            "team": str(r[1]) if r[1] else None,
            "role": r[2] or None,
            "tenure": r[3] or None,
            "contract": r[4] or None,
        }
        for r in responses
    ]
    return ResponseMatrix(items, values, profiles)


@dataclass
class SegmentColumn:
    name: str
    values: list[str | None]  # released value per response (None = blank)
    labels: dict[str, str]  # value → label, for the codebook
    note: str = ""  # what was left out, and why


def released_segments(
    campaign: Campaign, matrix: ResponseMatrix, names: Sequence[str]
) -> list[SegmentColumn]:
    """The group columns: per row, only a group the final results show, else blank.

    The labels come from the round's publication plan (anonymity.py), so every label is a
    published group and the columns crossed add nothing to what the results already publish:
    linking the rows to a published mean finds no smaller group than the plan allows.
    """
    k = campaign.threshold
    specs = anonymity.breakdown_specs(
        asked=campaign.segment_questions(), group_orders=group_orders(campaign)
    )
    plan = anonymity.plan_round(
        matrix.profiles,
        threshold=k,
        interim=campaign.interim_results,
        closed=True,
        breakdowns=specs,
    )
    look = plan.current
    released = plan.released_labels(matrix.profiles)
    team_names = dict(campaign.teams.values_list("pk", "name"))
    choice_labels = {
        "team": {str(pk): safe_text(name) for pk, name in team_names.items()},
        anonymity.LEADERSHIP: {
            anonymity.LEADERSHIP: safe_text(_("Leadership (managers and directors)")),
            anonymity.EMPLOYEES: safe_text(_("Employees")),
        },
        **{
            name: {value: safe_text(label) for value, label in SEGMENT_CHOICES[name].choices}
            for name in ("role", "tenure", "contract")
        },
    }
    columns = []
    for name in names:
        labels = choice_labels[name]
        breakdown = look.breakdown(name) if look else None
        if breakdown is None:
            columns.append(SegmentColumn(name, [None] * len(released), labels, str(NOT_ASKED)))
            continue
        if not breakdown.allowed:
            columns.append(
                SegmentColumn(
                    name, [None] * len(released), labels, reason_text(breakdown.reason, k)
                )
            )
            continue
        values = [row[name] for row in released]
        left_out = "; ".join(
            f"{labels.get(group.label, group.label)}: {reason_text(group.reason, k)}"
            for group in breakdown.suppressed
        )
        note = (
            _("blank: not answered, or in a group that is not shown (%(groups)s)")
            % {"groups": left_out}
            if left_out
            else _("blank: not answered")
        )
        # Team columns carry the team's name; the others a stable code listed in the codebook.
        if name == "team":
            values = [labels[value] if value else None for value in values]
        columns.append(
            SegmentColumn(
                name,
                values,
                {g.label: labels.get(g.label, g.label) for g in breakdown.shown},
                note,
            )
        )
    return columns


def response_tables(
    campaign: Campaign, language: str = "nl", *, segments: Sequence[str] | None = None
) -> tuple[Table, Table]:
    """The response table and its codebook (call inside ``translation.override``)."""
    if campaign.status != Campaign.Status.CLOSED:
        # Two exports of an open round would differ by the rows of whoever answered in
        # between, which ties those rows to a moment someone may remember.
        raise ExportUnavailable(_("The answers can be exported once the round is closed."))
    if campaign.answers_deleted_on:
        raise ExportUnavailable(
            _(
                "The individual answers of this round were deleted on %(date)s, at the end of "
                "its retention period. The aggregated results are kept."
            )
            % {"date": campaign.answers_deleted_on.isoformat()}
        )
    matrix = load_response_matrix(campaign)
    n = len(matrix.values)
    if not anonymity.round_results_visible(n, campaign.threshold):
        raise ExportUnavailable(
            _(
                "This round has fewer than %(k)d responses, so its answers cannot be exported "
                "anonymously."
            )
            % {"k": campaign.threshold}
        )
    names = (
        list(segments)
        if segments is not None
        else [
            name
            for name in SEGMENTS
            if (name if name != anonymity.LEADERSHIP else "role") in campaign.segment_questions()
        ]
    )
    unknown = [name for name in names if name not in SEGMENTS]
    if unknown:
        raise ValueError(f"Unknown segmentation: {', '.join(unknown)}.")
    columns = released_segments(campaign, matrix, names)
    items = matrix.items

    header = ["row", *(c.name for c in columns)]
    for item in items:
        header += [item.code, f"{item.code}_scored"]

    # A fresh random order on every export: row numbers say nothing about who answered when.
    order = list(range(n))
    random.SystemRandom().shuffle(order)

    # Per item, answer → (raw, scored) cells; looked up in C (map) rather than branched on.
    plain = {None: ("", ""), **{v: (v, v) for v in range(1, 6)}}
    reverse = {None: ("", ""), **{v: (v, 6 - v) for v in range(1, 6)}}
    tables = [reverse if item.is_reversed else plain for item in items]
    lookup = dict.__getitem__
    segment_values = [column.values for column in columns]
    values = matrix.values

    def rows() -> Iterable[list[Cell]]:
        for number, index in enumerate(order, start=1):
            row: list[Cell] = [number, *[column[index] or "" for column in segment_values]]
            row.extend(chain.from_iterable(map(lookup, tables, values[index])))
            yield row

    # The same as CSV text: one join per row instead of a csv call per cell (5× faster).
    text_tables = [{v: ",".join(map(str, pair)) for v, pair in t.items()} for t in tables]
    segment_fields = [[csv_field(v or "") for v in column] for column in segment_values]

    def csv_lines() -> Iterable[str]:
        for number, index in enumerate(order, start=1):
            yield ",".join(
                [
                    str(number),
                    *[column[index] for column in segment_fields],
                    *map(lookup, text_tables, values[index]),
                ]
            )

    # Fixed sheet names, so that scripts can read them (readxl: sheet = "Codebook").
    data = Table("Responses", header, rows(), trusted=True, csv_lines=csv_lines)
    return data, codebook_table(campaign, items, columns, n, language)


def codebook_table(
    campaign: Campaign, items: list[Item], columns: list[SegmentColumn], n: int, language: str
) -> Table:
    scale = "; ".join(f"{value} = {label}" for value, label in scale_labels())
    empty = _("empty = don't know / not applicable, or not answered (treat as missing)")
    rows: list[list[Cell]] = [
        [
            "row",
            _("Row number; the rows are in random order"),
            "",
            "",
            "",
            None,
            None,
            f"1–{n}",
        ]
    ]
    for column in columns:
        values = "; ".join(
            label if column.name == "team" else f"{value} = {label}"
            for value, label in column.labels.items()
        )
        description = str(SEGMENT_LABELS[column.name])
        if column.note:
            description = f"{description} ({column.note})"
        rows.append(
            [column.name, description, "", "", "", None, None, f"{values}; {_('empty = blank')}"]
        )
    for item in items:
        common = [
            item.dimension.code,
            localized(item.dimension, "name", language),
            localized(item.indicator, "name", language),
            int(item.is_reversed),
            int(item.allows_not_applicable),
        ]
        rows.append([item.code, localized(item, "text", language), *common, f"{scale}; {empty}"])
        rows.append(
            [
                f"{item.code}_scored",
                _("%(code)s as scored: 6 − answer for a reverse-scored item, else the answer")
                % {"code": item.code},
                *common,
                _("1–5, higher = more favourable for the learning culture; %(empty)s")
                % {"empty": empty},
            ]
        )
    notes = [
        (_("Organisation"), campaign.organisation.name),
        (_("Round"), campaign.name),
        (_("Period"), f"{campaign.opens_on.isoformat()} – {campaign.closes_on.isoformat()}"),
        (_("Respondents"), n),
        (_("Minimum group size (k)"), campaign.threshold),
        (_("Exported on"), timezone.localdate().isoformat()),
        (
            _("Dimension score"),
            _(
                "A respondent's dimension score is the mean of the _scored values of the "
                "dimension's items, only when at least 2/3 of those items have a value; the "
                "group score is the mean of the respondents' scores."
            ),
        ),
        (
            _("Privacy"),
            _(
                "No names, e-mail addresses, dates or response IDs. Groups are shown only where "
                "they have at least k respondents. Open answers are not in this file (they are "
                "in the results export, detached from the other answers). Do not share this "
                "file beyond the analysis."
            ),
        ),
        (
            _("Reading the CSV"),
            _(
                "UTF-8 with BOM, comma-separated. R: read.csv(file, fileEncoding = "
                '"UTF-8-BOM"); SPSS: GET DATA /TYPE=TXT /ENCODING=\'UTF8\' /DELIMITERS="," '
                "/FIRSTCASE=2."
            ),
        ),
    ]
    rows.append([None] * 8)
    rows.extend([key, value, "", "", "", None, None, ""] for key, value in notes)
    return Table(
        "Codebook",
        [
            "variable",
            _("Description"),
            _("Dimension"),
            _("Dimension name"),
            _("Indicator"),
            _("Reverse scored (1 = yes)"),
            _("Don't know / n.a. offered (1 = yes)"),
            _("Values"),
        ],
        rows,
    )


def build_response_export(
    campaign: Campaign,
    fmt: str,
    language: str = "nl",
    *,
    segments: Sequence[str] | None = None,
) -> ExportFile:
    """The anonymised responses: XLSX with a Codebook sheet, or a ZIP of two CSV files."""
    _check_format(fmt)
    with translation.override(language):
        data, codebook = response_tables(campaign, language, segments=segments)
        stem = _file_stem(campaign, "responses")
        if fmt == "xlsx":
            return f"{stem}.xlsx", XLSX_MIMETYPE, write_xlsx([data, codebook])
        data_csv, codebook_csv = (
            write_csv([data], titles=False),
            write_csv([codebook], titles=False),
        )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr(f"{stem}.csv", data_csv)
        archive.writestr(f"{stem}-codebook.csv", codebook_csv)
    return f"{stem}.zip", ZIP_MIMETYPE, buffer.getvalue()


def build_response_csv_files(
    campaign: Campaign, language: str = "nl", *, segments: Sequence[str] | None = None
) -> tuple[bytes, bytes]:
    """The data CSV and the codebook CSV, for writing them side by side (management command)."""
    with translation.override(language):
        data, codebook = response_tables(campaign, language, segments=segments)
        return write_csv([data], titles=False), write_csv([codebook], titles=False)


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise ValueError(f"Unknown export format {fmt!r}; use csv or xlsx.")
