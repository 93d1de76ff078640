"""Tables to CSV and XLSX bytes, in the conventions of the file's language.

Formula injection: spreadsheet programs run a text cell that starts with ``=``, ``+``, ``-``,
``@``, a tab, CR (or NUL, which some strip first) as a formula. Every text cell goes through
:func:`safe_text`, which prefixes such text with ``'``; numbers are written as numbers, so a
negative number stays a number. In XLSX, strings are inline strings (``xlsx`` cannot write a
formula at all).

CSV for Dutch users: Dutch Excel (Windows regional setting nl-NL) splits a CSV file on the list
separator ``;`` and reads ``3,42`` as a number, so the Dutch file uses semicolons and decimal
commas; the English file commas and decimal points. Both are UTF-8 with a byte-order mark so
Excel reads accents (a ``sep=`` line would make Excel ignore that mark).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.text import slugify

from . import xlsx

Cell = str | int | float | bool | None

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ZIP_CONTENT_TYPE = "application/zip"
PDF_CONTENT_TYPE = "application/pdf"

_FORMULA_START = frozenset("=+-@\t\r\n\x00")
# XML 1.0 cannot hold these, and no questionnaire text needs them.
_CONTROL_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class ExportFile:
    """What every builder returns: the views only wrap it in a response."""

    filename: str
    content_type: str
    content: bytes

    def __iter__(self):
        # Unpacks like the (filename, content type, bytes) triple pretix's exporters return.
        return iter((self.filename, self.content_type, self.content))


@dataclass(frozen=True)
class CsvDialect:
    delimiter: str
    decimal: str
    true: str
    false: str


# What Excel in each language reads as columns, numbers and booleans without an import wizard.
CSV_DIALECTS = {
    "nl": CsvDialect(";", ",", "WAAR", "ONWAAR"),
    "en": CsvDialect(",", ".", "TRUE", "FALSE"),
}


def csv_dialect(language: str) -> CsvDialect:
    return CSV_DIALECTS.get(language[:2], CSV_DIALECTS["en"])


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
    csv_lines: Callable[[CsvDialect], Iterable[str]] | None = None


def csv_value(value: Cell, dialect: CsvDialect) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return dialect.true if value else dialect.false
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value).replace(".", dialect.decimal)
    return safe_text(value)


def write_csv(tables: Sequence[Table], *, titles: bool, language: str) -> bytes:
    """UTF-8 with BOM, one section per table, in the language's separators."""
    dialect = csv_dialect(language)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=dialect.delimiter)
    for index, table in enumerate(tables):
        if titles:
            if index:
                writer.writerow([])
            writer.writerow([safe_text(table.title)])
        writer.writerow([safe_text(h) for h in table.header])
        if table.csv_lines is not None:
            for line in table.csv_lines(dialect):
                out.write(line)
                out.write("\r\n")
        else:
            writer.writerows([csv_value(v, dialect) for v in row] for row in table.rows)
    return out.getvalue().encode("utf-8-sig")


def csv_field(text: str, dialect: CsvDialect) -> str:
    """One CSV field as the csv module writes it (minimal quoting)."""
    if any(char in text for char in (dialect.delimiter, '"', "\r", "\n")):
        return '"' + text.replace('"', '""') + '"'
    return text


def write_xlsx(tables: Sequence[Table]) -> bytes:
    used: set[str] = set()
    sheets = []
    for table in tables:
        rows = table.rows if table.trusted else ([safe_cell(v) for v in row] for row in table.rows)
        header = [safe_text(title) for title in table.header]
        sheets.append(xlsx.Sheet(sheet_name(table.title, used), header, rows))
    return xlsx.write_workbook(sheets)


def sheet_name(title: str, used: set[str]) -> str:
    # Excel: at most 31 characters, none of []:*?/\ and unique within the workbook.
    base = re.sub(r"[\[\]:*?/\\]", " ", safe_text(title)).strip("' ")[:31] or "Sheet"
    name, n = base, 2
    while name.lower() in used:
        suffix = f" ({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(name.lower())
    return name


def file_stem(organisation: str, round_name: str, round_id: int, kind: str) -> str:
    slug = slugify(f"{organisation} {round_name}")[:60].strip("-")
    return f"{slug or f'round-{round_id}'}-{kind}"
