"""What an attacker with a spreadsheet downloads, read back as rows (the anonymity tests)."""

from __future__ import annotations

import io
import itertools
from fractions import Fraction

from django.test import Client
from django.urls import reverse

from assessments.models import Campaign


class Row(dict):
    """A row of a sheet; a column the file leaves out reads as empty, as it does to anyone."""

    def __missing__(self, key):
        return None


def read_sheets(content: bytes) -> dict[str, list[Row]]:
    """Every sheet of an XLSX file as {sheet: [rows keyed by the header]}."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    sheets = {}
    for sheet in book.worksheets:
        header, *rows = list(sheet.iter_rows(values_only=True))
        # A read-only sheet drops a row's empty trailing cells: pad them back as None.
        sheets[sheet.title] = [
            Row(itertools.zip_longest(header, row[: len(header)])) for row in rows
        ]
    return sheets


def download(user, campaign: Campaign, kind: str = "aggregate") -> dict | None:
    """The XLSX file the user can download, as {sheet: [rows]}, or None if refused."""
    client = Client()
    client.force_login(user)
    response = client.get(
        reverse(f"assessments:export_{kind}", args=[campaign.pk, "xlsx"]),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    if response.status_code != 200:
        return None
    return read_sheets(response.content)


def by(rows: list[dict], key: str) -> dict:
    return {row[key]: row for row in rows}


def distribution(row: dict) -> list[int]:
    return [row[f"Scored {v} (count)"] or 0 for v in range(1, 6)]


def item_total(row: dict) -> int:
    """The exact sum of an item's scored answers, from its published distribution."""
    return sum(v * c for v, c in zip(range(1, 6), distribution(row), strict=True))


def score(answers: dict[str, int | None], codes: list[str]) -> Fraction | None:
    """A respondent's dimension score by the ⅔ rule, computed apart from scoring.py."""
    valid = [answers[c] for c in codes if answers.get(c) is not None]
    return Fraction(sum(valid), len(valid)) if valid and len(valid) * 3 >= len(codes) * 2 else None
