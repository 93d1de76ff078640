"""The downloads of a round, as small exporter classes (the way pretix's exporters work).

Each exporter has an ``identifier`` (its URL name), a ``verbose_name``, the ``formats`` it can
write and ``render(fmt) -> ExportFile``; it never builds an HTTP response. The views serve any
exporter through one function that sets Content-Disposition in one place.

* :class:`AggregateExporter` (HR and consultants): the dashboard's tables.
* :class:`ResponsesExporter` (consultants, closed rounds): one anonymised row per response,
  with a codebook (XLSX: two sheets; CSV: a ZIP of two files).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import improvement
from ..models import Campaign
from ..results import campaign_results
from .aggregate import ExportUnavailable, aggregate_tables
from .followup import management_tables, plan_tables
from .responses import SEGMENTS, response_tables
from .writers import (
    CSV_CONTENT_TYPE,
    XLSX_CONTENT_TYPE,
    ZIP_CONTENT_TYPE,
    ExportFile,
    file_stem,
    safe_text,
    write_csv,
    write_xlsx,
)

__all__ = [
    "CSV_CONTENT_TYPE",
    "EXPORTERS",
    "FORMATS",
    "SEGMENTS",
    "XLSX_CONTENT_TYPE",
    "ZIP_CONTENT_TYPE",
    "AggregateExporter",
    "ExportFile",
    "ExportUnavailable",
    "Exporter",
    "PlanExporter",
    "ResponsesExporter",
    "build_aggregate_export",
    "build_response_csv_files",
    "build_response_export",
    "safe_text",
]

FORMATS = ("csv", "xlsx")


class Exporter:
    identifier = ""
    verbose_name = gettext_lazy("Export")
    formats: tuple[str, ...] = FORMATS
    consultant_only = False  # only the organisation's consultants may download it

    def __init__(self, campaign: Campaign, language: str = "nl") -> None:
        self.campaign = campaign
        self.language = (language or "nl")[:2]

    def render(self, fmt: str) -> ExportFile:
        if fmt not in self.formats:
            raise ValueError(f"Unknown export format {fmt!r}; use {' or '.join(self.formats)}.")
        with translation.override(self.language):
            return self._render(fmt)

    def _render(self, fmt: str) -> ExportFile:
        raise NotImplementedError

    def stem(self, kind: str) -> str:
        c = self.campaign
        return file_stem(c.organisation.name, c.name, c.pk, kind)

    def tables_file(self, kind: str, fmt: str, tables) -> ExportFile:
        """Titled tables as one CSV (Dutch or English conventions) or one workbook."""
        stem = self.stem(kind)
        if fmt == "csv":
            return ExportFile(
                f"{stem}.csv",
                CSV_CONTENT_TYPE,
                write_csv(tables, titles=True, language=self.language),
            )
        return ExportFile(f"{stem}.xlsx", XLSX_CONTENT_TYPE, write_xlsx(tables))


class AggregateExporter(Exporter):
    identifier = "aggregate"
    verbose_name = gettext_lazy("Results")

    def _render(self, fmt: str) -> ExportFile:
        results = campaign_results(self.campaign, self.language)
        tables = aggregate_tables(results)
        # The management view and the plans beside the results, as the dashboard shows them.
        tables += management_tables(improvement.management_comparison(self.campaign, results))
        tables += plan_tables(
            improvement.round_plan(self.campaign, results, self.language),
            improvement.follow_up(self.campaign, results),
        )
        return self.tables_file("results", fmt, tables)


class ResponsesExporter(Exporter):
    identifier = "responses"
    verbose_name = gettext_lazy("Anonymised answers")
    consultant_only = True

    def __init__(
        self, campaign: Campaign, language: str = "nl", *, segments: Sequence[str] | None = None
    ) -> None:
        super().__init__(campaign, language)
        self.segments = segments

    def csv_files(self) -> tuple[bytes, bytes]:
        """The data CSV and the codebook CSV, for writing them side by side (command)."""
        with translation.override(self.language):
            data, codebook = response_tables(self.campaign, self.language, segments=self.segments)
            return (
                write_csv([data], titles=False, language=self.language),
                write_csv([codebook], titles=False, language=self.language),
            )

    def _render(self, fmt: str) -> ExportFile:
        stem = self.stem("responses")
        if fmt == "xlsx":
            data, codebook = response_tables(self.campaign, self.language, segments=self.segments)
            return ExportFile(f"{stem}.xlsx", XLSX_CONTENT_TYPE, write_xlsx([data, codebook]))
        data_csv, codebook_csv = self.csv_files()
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
            archive.writestr(f"{stem}.csv", data_csv)
            archive.writestr(f"{stem}-codebook.csv", codebook_csv)
        return ExportFile(f"{stem}.zip", ZIP_CONTENT_TYPE, buffer.getvalue())


class PlanExporter(Exporter):
    """The round's action plan (and the change since an earlier plan), for HR's own lists."""

    identifier = "plan"
    verbose_name = gettext_lazy("Action plan")

    def _render(self, fmt: str) -> ExportFile:
        results = campaign_results(self.campaign, self.language)
        plan = improvement.round_plan(self.campaign, results, self.language)
        if plan is None:
            raise ExportUnavailable(
                _("This round has no action plan yet. Make one on the round's plan page.")
            )
        tables = plan_tables(plan, improvement.follow_up(self.campaign, results))
        return self.tables_file("action-plan", fmt, tables)


EXPORTERS: dict[str, type[Exporter]] = {
    exporter.identifier: exporter
    for exporter in (AggregateExporter, ResponsesExporter, PlanExporter)
}


def build_aggregate_export(campaign: Campaign, fmt: str, language: str = "nl") -> ExportFile:
    return AggregateExporter(campaign, language).render(fmt)


def build_response_export(
    campaign: Campaign, fmt: str, language: str = "nl", *, segments: Sequence[str] | None = None
) -> ExportFile:
    return ResponsesExporter(campaign, language, segments=segments).render(fmt)


def build_response_csv_files(
    campaign: Campaign, language: str = "nl", *, segments: Sequence[str] | None = None
) -> tuple[bytes, bytes]:
    return ResponsesExporter(campaign, language, segments=segments).csv_files()
