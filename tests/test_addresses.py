"""Reading address lists: plain-words reasons with line numbers, and hostile files refused."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import Workbook

from assessments import addresses
from assessments.addresses import UnreadableFile, collect, csv_rows, file_rows, pasted_rows


@pytest.fixture(autouse=True)
def _english_ui(settings):
    # These tests read the English messages; Dutch (the default) is checked in test_i18n.py.
    settings.LANGUAGE_CODE = "en"


def _xlsx(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_pasted_addresses_are_checked_line_by_line_with_reasons():
    text = "an@example.nl\n\nno-at-sign.example.nl\nb@example.nl; c@example\nd e@example.nl\n"
    result = collect(pasted_rows(text))
    assert result.addresses == ["an@example.nl", "b@example.nl"]
    assert [(e.line, e.value) for e in result.errors] == [
        (3, "no-at-sign.example.nl"),
        (4, "c@example"),
        (5, "d e@example.nl"),
    ]
    assert "@" in result.errors[0].reason
    assert "space" in result.errors[2].reason


def test_duplicates_are_merged_case_insensitively_and_reported():
    result = collect(pasted_rows("Jan@Example.nl\nPiet@example.nl\njan@example.NL\n"))
    assert result.addresses == ["jan@example.nl", "piet@example.nl"]
    assert [(d.line, d.first_line) for d in result.duplicates] == [(3, 1)]
    assert result.ok


def test_outlook_style_name_and_address_is_understood():
    result = collect(pasted_rows('"Jan Bakker" <jan@example.nl>, Piet <piet@example.nl>'))
    assert result.addresses == ["jan@example.nl", "piet@example.nl"]


def test_csv_with_bom_semicolons_and_a_header_uses_the_email_column():
    data = "\ufeffNaam;E-mail\nJan;jan@example.nl\nPiet;piet@example\n".encode()
    result = collect(csv_rows(data))
    assert result.addresses == ["jan@example.nl"]
    assert [(e.line, e.value) for e in result.errors] == [(3, "piet@example")]


def test_csv_in_the_windows_code_page_is_read():
    data = "Zoë;zoe@example.nl\nRené;rene@example.nl\n".encode("cp1252")
    assert collect(csv_rows(data)).addresses == ["zoe@example.nl", "rene@example.nl"]


def test_csv_in_utf16_is_read():
    data = "email\nzoe@example.nl\n".encode("utf-16")
    assert collect(csv_rows(data)).addresses == ["zoe@example.nl"]


def test_csv_with_nul_bytes_does_not_crash():
    result = collect(csv_rows(b"a@example.nl\n\x00\x00b@example.nl\n"))
    assert result.addresses == ["a@example.nl", "b@example.nl"]


def test_xlsx_is_read_from_the_first_sheet():
    data = _xlsx([["Naam", "E-mailadres"], ["Jan", "jan@example.nl"], ["Piet", "fout"]])
    result = collect(file_rows("lijst.xlsx", data))
    assert result.addresses == ["jan@example.nl"]
    assert [(e.line, e.value) for e in result.errors] == [(3, "fout")]


def test_a_zip_bomb_disguised_as_xlsx_is_refused_before_unpacking(monkeypatch):
    monkeypatch.setattr(addresses, "MAX_XLSX_UNPACKED_BYTES", 1024 * 1024)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (2 * 1024 * 1024))
    assert len(buffer.getvalue()) < 20_000  # small on disk, big once unpacked
    with pytest.raises(UnreadableFile, match="too large"):
        collect(file_rows("bom.xlsx", buffer.getvalue()))


def test_a_broken_xlsx_gets_a_plain_message():
    with pytest.raises(UnreadableFile, match="not a valid Excel"):
        collect(file_rows("lijst.xlsx", b"PK\x03\x04 not really a zip"))


def test_an_old_xls_file_is_refused_with_advice():
    with pytest.raises(UnreadableFile, match=r"\.xlsx or \.csv"):
        collect(file_rows("lijst.xls", b"\xd0\xcf\x11\xe0" + b"\x00" * 100))


def test_a_file_over_the_size_limit_is_refused():
    with pytest.raises(UnreadableFile, match="larger than"):
        file_rows("big.csv", b"a" * (addresses.MAX_FILE_BYTES + 1))


def test_more_addresses_than_the_row_limit_is_flagged():
    rows = [(i, [f"p{i}@example.nl"]) for i in range(1, 12)]
    result = collect(rows, max_rows=10)
    assert result.too_many and not result.ok
