"""A small streaming XLSX writer: numbers, booleans and inline strings, a bold frozen header.

Why not XlsxWriter: with one Python call per cell it needs about 13 µs a cell here, so 10,000
responses × 97 columns take 13–20 s, against 1–2 s for the same data as CSV (issue 6 asks
≤ 3×). Writing each row's XML in one string keeps XLSX within that. The output is the minimal
package of ECMA-376 Part 1 (workbook, one worksheet part per sheet, styles), which Excel,
LibreOffice, Google Sheets, openpyxl and readxl read; every cell carries its ``r`` reference.

Strings are always inline strings (``t="inlineStr"``), never formulas: this writer cannot
write a formula at all. Callers still neutralise formula-like text for CSV consumers and for
people who copy cells (``exports.safe_text``).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

Cell = str | int | float | bool | None

_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
# "_x0041_" in a text is read as an escaped character by Excel; escape the underscore itself.
_OOXML_ESCAPE = re.compile(r"_(x[0-9A-Fa-f]{4}_)")

_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOC_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

_FONT = '<sz val="11"/><name val="Calibri"/><family val="2"/>'
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    f'<styleSheet xmlns="{_NS}">'
    f'<fonts count="2"><font>{_FONT}</font><font><b/>{_FONT}</font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
    "</cellStyleXfs>"
    '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


@dataclass
class Sheet:
    name: str
    header: Sequence[str]
    rows: Iterable[Sequence[Cell]]


def column_letters(count: int) -> list[str]:
    letters = []
    for index in range(count):
        name, n = "", index + 1
        while n:
            n, rest = divmod(n - 1, 26)
            name = chr(65 + rest) + name
        letters.append(name)
    return letters


def xml_text(value: str) -> str:
    return escape(_OOXML_ESCAPE.sub(r"_x005F_\1", _ILLEGAL_XML.sub("", value)))


def _string_cell(ref: str, value: str, style: str = "") -> str:
    return (
        f'<c r="{ref}"{style} t="inlineStr"><is><t xml:space="preserve">'
        f"{xml_text(value)}</t></is></c>"
    )


def _sheet_xml_rows(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> Iterable[str]:
    width = max(len(header), 1)
    letters = column_letters(width)
    yield (
        '<row r="1">'
        + "".join(
            _string_cell(f"{letters[c]}1", str(title), ' s="1"') for c, title in enumerate(header)
        )
        + "</row>"
    )
    for r, row in enumerate(rows, start=2):
        if len(row) > len(letters):
            letters = column_letters(len(row))
        rs = str(r)
        parts = [f'<row r="{rs}">']
        append = parts.append
        for col, value in zip(letters, row, strict=False):
            kind = type(value)
            # Exact types: bool is a subclass of int and must not become 1/0.
            if kind is int:
                append(f'<c r="{col}{rs}"><v>{value}</v></c>')
            elif kind is float:
                append(f'<c r="{col}{rs}"><v>{value!r}</v></c>')
            elif value is None or value == "":
                continue
            elif kind is bool:
                append(f'<c r="{col}{rs}" t="b"><v>{int(value)}</v></c>')
            else:
                append(_string_cell(col + rs, str(value)))
        append("</row>")
        yield "".join(parts)


def write_workbook(sheets: Sequence[Sheet]) -> bytes:
    """The sheets as an .xlsx file (sheet names must be valid and unique)."""
    buffer = io.BytesIO()
    # Level 1: a fifth of the time of the default level for a file about 10% larger.
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        overrides = "".join(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for i in range(1, len(sheets) + 1)
        )
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            f"{overrides}</Types>",
        )
        archive.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            f'<Relationships xmlns="{_PKG_REL_NS}"><Relationship Id="rId1" '
            f'Type="{_DOC_TYPE}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        sheet_entries = "".join(
            f'<sheet name={quoteattr(xml_text(s.name))} sheetId="{i}" r:id="rId{i}"/>'
            for i, s in enumerate(sheets, start=1)
        )
        archive.writestr(
            "xl/workbook.xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            f'<workbook xmlns="{_NS}" xmlns:r="{_REL_NS}"><bookViews><workbookView/>'
            f"</bookViews><sheets>{sheet_entries}</sheets></workbook>",
        )
        rels = "".join(
            f'<Relationship Id="rId{i}" Type="{_DOC_TYPE}/worksheet" '
            f'Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, len(sheets) + 1)
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            f'<Relationships xmlns="{_PKG_REL_NS}">{rels}<Relationship '
            f'Id="rId{len(sheets) + 1}" Type="{_DOC_TYPE}/styles" Target="styles.xml"/>'
            "</Relationships>",
        )
        archive.writestr("xl/styles.xml", _STYLES)
        for i, sheet in enumerate(sheets, start=1):
            with archive.open(f"xl/worksheets/sheet{i}.xml", "w", force_zip64=True) as part:
                part.write(
                    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                    f'<worksheet xmlns="{_NS}" xmlns:r="{_REL_NS}"><sheetViews>'
                    '<sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
                    'activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>'
                    "<sheetData>".encode()
                )
                chunk: list[str] = []
                for row_xml in _sheet_xml_rows(sheet.header, sheet.rows):
                    chunk.append(row_xml)
                    if len(chunk) >= 500:
                        part.write("".join(chunk).encode())
                        chunk = []
                part.write(("".join(chunk) + "</sheetData></worksheet>").encode())
    return buffer.getvalue()
