"""The response-level export (consultants, closed rounds): one row per response, a codebook.

For analysis in SPSS, R or Excel. It has no response IDs, no dates and rows in random order; a
group column (team, role, …) shows a respondent's group only when the round's publication plan
shows that group in the final results (see ``released_segments``), so crossing the columns or
linking rows to a published mean finds no group smaller than the plan allows.
"""

from __future__ import annotations

import bisect
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import chain

from django.db.models import CharField
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from .. import anonymity, presentation
from ..models import Answer, Campaign, Contract, Item, Response, Role, Tenure, localized
from ..presentation import reason_text
from ..results.queries import group_orders
from .aggregate import ExportUnavailable
from .writers import Cell, CsvDialect, Table, csv_field, safe_text

SEGMENTS = anonymity.PREFERENCE
SEGMENT_CHOICES = {"role": Role, "tenure": Tenure, "contract": Contract}
NOT_ASKED = gettext_lazy("not asked in this round")


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


def final_plan(campaign: Campaign, matrix: ResponseMatrix) -> anonymity.PublicationPlan:
    specs = anonymity.breakdown_specs(
        asked=campaign.segment_questions(), group_orders=group_orders(campaign)
    )
    return anonymity.plan_round(
        matrix.profiles,
        threshold=campaign.threshold,
        interim=campaign.interim_results,
        closed=True,
        breakdowns=specs,
    )


def released_segments(
    campaign: Campaign, matrix: ResponseMatrix, names: Sequence[str]
) -> list[SegmentColumn]:
    """The group columns: per row, only a group the final results show, else blank.

    The labels come from the round's publication plan (anonymity.py), so every label is a
    published group and the columns crossed add nothing to what the results already publish:
    linking the rows to a published mean finds no smaller group than the plan allows.
    """
    k = campaign.threshold
    plan = final_plan(campaign, matrix)
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
            f"{labels.get(group.label, group.label)}: {reason_text(presentation.HIDDEN_GROUP, k)}"
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
            % {"date": presentation.format_date(campaign.answers_deleted_on)}
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
    kept = kept_dimensions(campaign, matrix)
    left_out = [
        code for code in dict.fromkeys(i.dimension.code for i in matrix.items) if code not in kept
    ]
    positions = [i for i, item in enumerate(matrix.items) if item.dimension.code in kept]
    items = [matrix.items[i] for i in positions]
    values = [[row[i] for i in positions] for row in matrix.values]

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

    def rows() -> Iterable[list[Cell]]:
        for number, index in enumerate(order, start=1):
            row: list[Cell] = [number, *[column[index] or "" for column in segment_values]]
            row.extend(chain.from_iterable(map(lookup, tables, values[index])))
            yield row

    def csv_lines(dialect: CsvDialect) -> Iterable[str]:
        # One join per row instead of a csv call per cell (5× faster); answers are whole
        # numbers, so only the separator depends on the language.
        sep = dialect.delimiter
        text_tables = [{v: sep.join(map(str, pair)) for v, pair in t.items()} for t in tables]
        segment_fields = [
            [csv_field(v or "", dialect) for v in column] for column in segment_values
        ]
        for number, index in enumerate(order, start=1):
            yield sep.join(
                [
                    str(number),
                    *[column[index] for column in segment_fields],
                    *map(lookup, text_tables, values[index]),
                ]
            )

    # One sheet name per language, the same in every export, so scripts can rely on it.
    data = Table(
        pgettext("sheet name", "Responses"), header, rows(), trusted=True, csv_lines=csv_lines
    )
    return data, codebook_table(campaign, items, columns, n, language, left_out=left_out)


def kept_dimensions(campaign: Campaign, matrix: ResponseMatrix) -> list[str]:
    """The dimensions whose statements the file holds (anonymity.file_dimensions).

    Decided on every group column the file could carry, whichever it does carry, so files
    with other columns leave out the same statements; and on the blocks of submission order
    that the round's looks published.
    """
    plan = final_plan(campaign, matrix)
    names = [
        name
        for name in SEGMENTS
        if (name if name != anonymity.LEADERSHIP else "role") in campaign.segment_questions()
    ]
    columns = released_segments(campaign, matrix, names)
    sizes = [look.size for look in plan.looks]
    groups = [
        (bisect.bisect_left(sizes, row + 1), *(column.values[row] for column in columns))
        for row in range(len(matrix.values))
    ]
    positions: dict[str, list[int]] = {}
    for i, item in enumerate(matrix.items):
        positions.setdefault(item.dimension.code, []).append(i)
    blanks = {
        code: [tuple(values[i] is None for i in where) for values in matrix.values]
        for code, where in positions.items()
    }
    return anonymity.file_dimensions(groups, blanks, campaign.threshold)


def codebook_table(
    campaign: Campaign,
    items: list[Item],
    columns: list[SegmentColumn],
    n: int,
    language: str,
    *,
    left_out: Sequence[str] = (),
) -> Table:
    scale = "; ".join(f"{value} = {label}" for value, label in presentation.scale_labels())
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
        description = presentation.breakdown_label(column.name)
        if column.note:
            description = f"{description} ({column.note})"
        rows.append(
            [column.name, description, "", "", "", None, None, f"{values}; {_('empty = blank')}"]
        )
    for item in items:
        common = [
            item.dimension.code,
            localized(item.dimension, "name", language),
            item.indicator.plain_name,
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
        (
            _("Period"),
            f"{presentation.format_date(campaign.opens_on)} – "
            f"{presentation.format_date(campaign.closes_on)}",
        ),
        (_("Respondents"), n),
        (_("Minimum group size (k)"), campaign.threshold),
        (_("Exported on"), presentation.format_date(timezone.localdate())),
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
                "No names, e-mail addresses, dates or response IDs; the rows are in random "
                "order. A group column holds only groups that the final results show (at least "
                "k respondents, and never overlapping another shown group in fewer than k), so "
                "crossing the columns, or linking rows to a published mean, points to no smaller "
                "group. Open answers are not in this file (they are in the results export, "
                "detached from the other answers). Do not share this file beyond the analysis."
            ),
        ),
        (_("Reading the CSV"), reading_csv_note(language)),
    ]
    if left_out:
        notes.insert(
            -1,
            (
                _("Statements left out"),
                _(
                    "The statements of %(dimensions)s are not in this file. Which of them "
                    'someone answered with "don\'t know / not applicable" would single out '
                    "fewer than k people (the one colleague without customers, say), also "
                    "next to the results. The results themselves include them."
                )
                % {"dimensions": ", ".join(left_out)},
            ),
        )
    rows.append([None] * 8)
    rows.extend([key, value, "", "", "", None, None, ""] for key, value in notes)
    return Table(
        pgettext("sheet name", "Codebook"),
        [
            "variable",
            _("Description"),
            _("Dimension"),
            _("Dimension name"),
            _("Indicator"),
            _("Counts reversed (1 = yes)"),
            _("Don't know / n.a. offered (1 = yes)"),
            _("Values"),
        ],
        rows,
    )


def reading_csv_note(language: str) -> str:
    if language[:2] == "nl":
        return _(
            "UTF-8 with BOM, separated by semicolons (as Dutch Excel expects). R: "
            'read.csv2(file, fileEncoding = "UTF-8-BOM"); SPSS: GET DATA /TYPE=TXT '
            "/ENCODING='UTF8' /DELIMITERS=\";\" /FIRSTCASE=2."
        )
    return _(
        'UTF-8 with BOM, comma-separated. R: read.csv(file, fileEncoding = "UTF-8-BOM"); '
        "SPSS: GET DATA /TYPE=TXT /ENCODING='UTF8' /DELIMITERS=\",\" /FIRSTCASE=2."
    )
