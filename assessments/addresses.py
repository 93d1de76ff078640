"""Reading lists of e-mail addresses from pasted text, CSV and XLSX files.

Uploaded files are hostile until proven otherwise: size and row limits are checked before and
while reading, an XLSX file's declared unpacked size is checked before openpyxl opens it (zip
bombs), openpyxl reads in streaming mode with defusedxml, and odd CSV encodings fall back to
cp1252 instead of failing. Nothing here touches the database; the caller stores all addresses
or none.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000
MAX_COLUMNS = 30
MAX_XLSX_UNPACKED_BYTES = 50 * 1024 * 1024
MAX_ADDRESS_LENGTH = 254
HEADER_WORDS = {"email", "e-mail", "e-mailadres", "emailadres", "email address", "mail", "adres"}

_NAME_ADDR = re.compile(r"^[^<>]*<([^<>]*)>\s*$")
_SEPARATORS = re.compile(r"[;,\t]")


class UnreadableFile(Exception):
    """The file as a whole cannot be read; the message is shown to the user as is."""


@dataclass(frozen=True)
class BadRow:
    line: int
    value: str
    reason: str


@dataclass(frozen=True)
class Duplicate:
    line: int
    first_line: int


@dataclass
class AddressList:
    addresses: list[str] = field(default_factory=list)
    lines: dict[str, int] = field(default_factory=dict)
    errors: list[BadRow] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    too_many: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors and not self.too_many


def address_problem(value: str) -> str | None:
    """A plain-words reason why `value` is not a usable address, or None when it is."""
    if len(value) > MAX_ADDRESS_LENGTH:
        return _("is longer than %(max)d characters") % {"max": MAX_ADDRESS_LENGTH}
    if any(ch.isspace() for ch in value):
        return _("contains a space")
    at_signs = value.count("@")
    if at_signs == 0:
        return _("has no @ sign")
    if at_signs > 1:
        return _("has more than one @ sign")
    local, domain = value.split("@")
    if not local:
        return _("has nothing before the @ sign")
    if "." not in domain:
        return _("the part after the @ sign is not a complete domain (like example.nl)")
    try:
        validate_email(value)
    except ValidationError:
        return _("is not a valid e-mail address")
    return None


def _clean_cell(value: str) -> str:
    value = value.strip().strip('"').strip("'").strip()
    match = _NAME_ADDR.match(value)
    if match:
        value = match.group(1).strip()
    if value.lower().startswith("mailto:"):
        value = value[7:]
    return value


def _is_header(cells: list[str]) -> bool:
    return any(cell.strip().lower() in HEADER_WORDS for cell in cells) and not any(
        "@" in cell for cell in cells
    )


def collect(rows: Iterable[tuple[int, list[str]]], *, max_rows: int = MAX_ROWS) -> AddressList:
    """Validate and de-duplicate (case-insensitively) rows of cells, keeping line numbers.

    In a row with several cells, the column named like "e-mail" in a header row is used, else
    every cell containing an @, else (one cell) that cell, so "name; address" lists work.
    """
    result = AddressList()
    email_column: int | None = None
    seen_first = False
    for line, raw_cells in rows:
        cells = [str(c) if c is not None else "" for c in raw_cells][:MAX_COLUMNS]
        if not any(c.strip() for c in cells):
            continue
        if not seen_first:
            seen_first = True
            if _is_header(cells):
                email_column = next(
                    i for i, c in enumerate(cells) if c.strip().lower() in HEADER_WORDS
                )
                continue
        if email_column is not None:
            candidates = [cells[email_column]] if email_column < len(cells) else [""]
        else:
            with_at = [c for c in cells if "@" in c]
            candidates = with_at or [c for c in cells if c.strip()][:1]
        for cell in candidates:
            value = _clean_cell(cell)
            if not value:
                result.errors.append(BadRow(line, "", _("has no e-mail address")))
                continue
            problem = address_problem(value)
            if problem:
                result.errors.append(BadRow(line, value[:80], problem))
                continue
            key = value.lower()
            if key in result.lines:
                result.duplicates.append(Duplicate(line, result.lines[key]))
                continue
            if len(result.addresses) >= max_rows:
                result.too_many = True
                return result
            result.lines[key] = line
            result.addresses.append(key)
    return result


def pasted_rows(text: str) -> Iterator[tuple[int, list[str]]]:
    """Lines of pasted text; several addresses on a line may be separated by , ; or tabs."""
    for number, line in enumerate(text.splitlines(), start=1):
        if number > MAX_ROWS * 2:
            raise UnreadableFile(_("The list has more than %(max)d lines.") % {"max": MAX_ROWS * 2})
        yield number, _SEPARATORS.split(line)


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel on Windows saves "CSV" in the local code page.
        return data.decode("cp1252", errors="replace")


def csv_rows(data: bytes) -> Iterator[tuple[int, list[str]]]:
    text = _decode(data).replace("\x00", "")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        for row in reader:
            if reader.line_num > MAX_ROWS * 2:
                raise UnreadableFile(
                    _("The file has more than %(max)d lines.") % {"max": MAX_ROWS * 2}
                )
            yield reader.line_num, row
    except csv.Error as exc:
        raise UnreadableFile(
            _("Line %(line)d of the file could not be read as CSV.") % {"line": reader.line_num}
        ) from exc


def xlsx_rows(data: bytes) -> Iterator[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise UnreadableFile(_("The file is not a valid Excel (.xlsx) file.")) from exc
    if unpacked > MAX_XLSX_UNPACKED_BYTES:
        raise UnreadableFile(_("The Excel file is too large once unpacked."))
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for broken files
        raise UnreadableFile(_("The file is not a valid Excel (.xlsx) file.")) from exc
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            return
        for number, row in enumerate(
            sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True), start=1
        ):
            if number > MAX_ROWS * 2:
                raise UnreadableFile(
                    _("The file has more than %(max)d rows.") % {"max": MAX_ROWS * 2}
                )
            yield number, ["" if v is None else str(v) for v in row]
    except UnreadableFile:
        raise
    except Exception as exc:
        raise UnreadableFile(_("The Excel file could not be read.")) from exc
    finally:
        workbook.close()


def file_rows(name: str, data: bytes) -> Iterator[tuple[int, list[str]]]:
    if len(data) > MAX_FILE_BYTES:
        raise UnreadableFile(
            _("The file is larger than %(max)d MB.") % {"max": MAX_FILE_BYTES // (1024 * 1024)}
        )
    lower = name.lower()
    if data.startswith(b"PK\x03\x04") or lower.endswith((".xlsx", ".xlsm")):
        return xlsx_rows(data)
    if lower.endswith(".xls") or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise UnreadableFile(
            _("Old Excel files (.xls) cannot be read. Save the file as .xlsx or .csv.")
        )
    return csv_rows(data)


# A header word that `collect` recognises in either language, so the fixed file can be added
# again as it is.
PROBLEMS_EMAIL_HEADER = "e-mail"


def problems_csv(rows: Iterable[tuple[int, str, str]]) -> bytes:
    """The lines with problems as CSV (line, e-mail, problem) for the person to fix.

    UTF-8 with BOM so that Excel reads accents; every text cell is made safe from formula
    injection, because the values are whatever the uploaded file said.
    """
    from .exports import safe_text

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([_("line"), PROBLEMS_EMAIL_HEADER, _("problem")])
    for line, value, reason in rows:
        writer.writerow([line, safe_text(value), safe_text(reason)])
    return out.getvalue().encode("utf-8-sig")
