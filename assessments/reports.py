"""The PDF report a consultant hands over: ``build_report_pdf(campaign, language) -> bytes``.

Every figure comes from :func:`assessments.results.campaign_results`, the threshold-safe
structure that the dashboard and ``manage.py campaign_results --json`` render too, so the PDF
cannot show a number (or a group) that they do not. Nothing here reads answers.

Pipeline: ``report_context`` (results + labels + SVG charts from templates) →
``render_report_html`` (Django template, autoescaped) → :mod:`assessments.pdfrender`
(WeasyPrint). :func:`get_report_pdf` caches the bytes per round state and language.

Safety and cost (measured on the 2-core development box, 250 responses, 16 pages; see
bench/RESULTS.md):

* Every organisation, round, team, consultant name and open answer is template text, so it is
  HTML-escaped; user text never reaches a ``<style>``, an attribute that loads something, or
  the CSS of the margin boxes (the running header takes the organisation name from the page
  with ``string-set``). Open answers and their number are capped (``OPEN_ANSWERS_MAX``,
  ``OPEN_ANSWER_MAX_CHARS``).
* The fetcher (:class:`pdfrender.LockedFetcher`) serves only our font and report CSS files and
  the consultant's logo, which is read from storage, re-checked for PNG/JPEG magic bytes and
  embedded as a ``data:`` URI. No URL in a document can make the server open a connection or
  read another file.
* WeasyPrint runs in a child process forked from a forkserver that preloads WeasyPrint, with
  ``RLIMIT_AS`` (``REPORT_MEMORY_MB``, default 400 MB on top of the preloaded process),
  ``RLIMIT_CPU`` and a wall-clock timeout (``REPORT_TIMEOUT``, default 30 s) after which it is
  killed. Chosen over rendering in the web worker (no memory cap possible there, and a runaway
  render would block a worker thread for good) and over a fresh ``subprocess`` per report
  (which pays ~1 s to import WeasyPrint every time): a fork of the warm forkserver costs a few
  milliseconds, and the forkserver itself is single-threaded, so forking it cannot inherit a
  lock held by another request's thread. ``REPORT_ISOLATED=0`` renders in-process (debugging).
"""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from . import improvement, pdfrender, presentation
from .charts import heat_colour, svg
from .models import Campaign, ConsultantProfile
from .pdfrender import RenderError
from .results import campaign_results, current_look_size, state_key
from .results.data import DimensionResult, Quartiles, RoundResults
from .results.queries import responses_received

__all__ = [
    "RenderError",
    "ReportUnavailable",
    "build_report_pdf",
    "format_number",
    "format_percent",
    "get_report_pdf",
    "report_context",
]

# Bump when the layout changes, so cached PDFs of the old layout are not served again.
REPORT_VERSION = "2"
OPEN_ANSWERS_MAX = 150
OPEN_ANSWER_MAX_CHARS = 1200
STATIC_FILES = ("css/report.css", "css/report-fonts.css")
FONT_DIR = "fonts/pdf"
FONT_SUFFIXES = (".ttf", ".otf")
LANGUAGES = ("nl", "en")


class ReportUnavailable(Exception):
    """Nothing of the round may be shown (yet); the message says why, for HR."""


# --- Formatting: the one vocabulary's (tests format expected numbers with these too) --------

format_number = presentation.format_number
format_signed = presentation.format_signed
format_percent = presentation.format_percent
band_label = presentation.band_label


def scale_labels() -> list[str]:
    return [label for _value, label in presentation.scale_labels()]


def _join(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return _("%(first)s and %(last)s") % {"first": ", ".join(words[:-1]), "last": words[-1]}


def _css_string(text: str) -> str:
    """A CSS string literal for our own (translated) text in the page margin boxes."""
    escaped = "".join(
        ch if ch.isalnum() or ch in " .,:;-–()/" else f"\\{ord(ch):x} " for ch in text
    )
    return f'"{escaped}"'


def page_counter_css() -> str:
    marker = _("Page %(page)s of %(pages)s") % {"page": "\x00P\x00", "pages": "\x00T\x00"}
    parts = []
    for piece in marker.split("\x00"):
        if piece == "P":
            parts.append("counter(page)")
        elif piece == "T":
            parts.append("counter(pages)")
        elif piece:
            parts.append(_css_string(piece))
    return " ".join(parts)


# --- Context -----------------------------------------------------------------------------


def _branding(campaign: Campaign) -> dict[str, Any] | None:
    profile = ConsultantProfile.for_organisation(campaign.organisation)
    if profile is None:
        return None
    logo = profile.logo_bytes()
    return {
        "name": profile.display_name,
        "organisation": profile.organisation_name,
        "logo": (f"data:{logo[0]};base64,{base64.b64encode(logo[1]).decode()}" if logo else None),
    }


def _dimension(dim: DimensionResult, top: dict[str, str]) -> dict[str, Any]:
    band = dim.band
    # Highest first, as the dashboard lists them; suppressed statements last.
    items = sorted(dim.items, key=lambda i: (i.mean is None, -(i.mean or 0), i.code))
    tags = dict.fromkeys(dim.strongest, "strongest") | dict.fromkeys(dim.weakest, "weakest")
    rows = [
        {
            "item": item,
            "mean_s": format_number(item.mean),
            "agree_s": format_percent(item.pct_agree),
            "disagree_s": format_percent(item.pct_disagree),
            "bar": svg.bar(item.mean),
            "tag": tags.get(item.code),
            "overall_tag": top.get(item.code),
        }
        for item in items
    ]
    out: dict[str, Any] = {
        "dim": dim,
        "band_label": band_label(band),
        "band_colour": presentation.band_colour(band),
        "band_text_colour": presentation.BANDS[band].text_colour if band else "#000000",
        "mean_s": format_number(dim.mean),
        "sd_s": format_number(dim.sd),
        "ci_s": (
            f"{format_number(dim.ci_low)} – {format_number(dim.ci_high)}"
            if dim.ci_low is not None
            else "–"
        ),
        "pos_s": format_percent(dim.pct_positive),
        "neg_s": format_percent(dim.pct_negative),
        "alpha_s": format_number(dim.alpha),
        "gauge_bar": svg.bar(dim.mean, band),
        "indicator_rows": [
            {"indicator": ind, "mean_s": format_number(ind.mean), "bar": svg.bar(ind.mean, band)}
            for ind in dim.indicators
        ],
        "item_rows": rows,
        "show_recommendations": dim.attention,
    }
    if dim.mean is not None:
        out["gauge"] = svg.gauge(
            dim.mean, dim.ci_low, dim.ci_high, band, format_number(dim.mean), width=320
        )
    if sum(dim.distribution):
        out["distribution_svg"] = svg.distribution(dim.distribution, scale_labels(), width=320)
    return out


def _summary(results: RoundResults) -> dict[str, Any]:
    dims = results.dimensions
    strengths = [d.name for d in dims if d.band == "high"]
    attention = [d for d in dims if d.attention]
    middle = [d.name for d in dims if d.band == "middle"]
    rate = results.response_rate
    paragraphs = []
    if rate.percent is not None:
        paragraphs.append(
            _(
                "%(n)s employees filled in the questionnaire: a response rate of %(rate)s, "
                "%(basis)s."
            )
            % {
                "n": results.received,
                "rate": format_percent(rate.percent),
                "basis": presentation.rate_basis_text(rate),
            }
        )
    else:
        paragraphs.append(
            _("%(n)s employees filled in the questionnaire.") % {"n": results.received}
        )
    if results.look_note:
        paragraphs.append(results.look_note)
    if rate.indicative:
        paragraphs.append(presentation.indicative_text(rate))
    paragraphs.append(
        _(
            "Averaged over the six dimensions, the learning culture index is %(index)s on a "
            "scale from 1 to 5. The profile says more than this one number: look at which "
            "dimensions stand out, up or down."
        )
        % {"index": format_number(results.overall_index)}
    )
    return {
        "paragraphs": paragraphs,
        "strengths": strengths,
        "strengths_text": (
            _("Here the organisation has a strong base to build on.")
            if strengths
            else _("None of the dimensions scores as a strength yet.")
        ),
        "attention": [{"name": d.name, "band_label": band_label(d.band)} for d in attention],
        "indicative_text": presentation.indicative_text(rate),
        "attention_text": (
            _("The pages on these dimensions end with three concrete recommendations.")
            if attention
            else _("No dimension is an attention point.")
        ),
        "middle_text": (
            _("%(names)s: a foundation is in place, with room to grow.") % {"names": _join(middle)}
            if middle
            else ""
        ),
    }


def _extreme_rows(results: RoundResults, codes: tuple[str, ...]) -> list[dict[str, Any]]:
    by_code = {item.code: (dim, item) for dim, item in results.items()}
    return [
        {
            "item": by_code[code][1],
            "dimension": by_code[code][0].short_name,
            "mean_s": format_number(by_code[code][1].mean),
        }
        for code in codes
        if code in by_code
    ]


def _radar_series(results: RoundResults) -> list[svg.Series]:
    dims = results.dimensions
    palette = presentation.PALETTE
    series = [
        svg.Series(
            _("%(organisation)s (this round)") % {"organisation": results.round.organisation},
            palette["primary"],
            [d.mean for d in dims],
            filled=True,
        )
    ]
    previous = results.previous
    if previous and previous.dimensions:
        series.append(
            svg.Series(
                _("Previous round: %(name)s") % {"name": previous.campaign_name},
                palette["previous"],
                [c.previous_mean if (c := previous.dimensions.get(d.code)) else None for d in dims],
                dashed=True,
            )
        )
    benchmark = results.benchmark
    if benchmark:
        series.append(
            svg.Series(
                _("Benchmark: median of %(n)s organisations") % {"n": benchmark.organisations},
                palette["benchmark"],
                [q.median if (q := benchmark.dimensions.get(d.code)) else None for d in dims],
                dashed=True,
            )
        )
    return [s for s in series if all(v is not None for v in s.values)]


def _role_section(results: RoundResults) -> dict[str, Any]:
    roles = results.role_comparison
    if roles is None or not roles.allowed or not roles.leadership or not roles.employees:
        return {"allowed": False, "reason": (roles and roles.reason_text) or ""}
    dims = results.dimensions
    leaders, employees = roles.leadership, roles.employees
    palette = presentation.PALETTE
    series = [
        svg.Series(
            _("Managers and management (n = %(n)s)") % {"n": leaders.n},
            palette["leadership"],
            [leaders.dimensions.get(d.code) for d in dims],
        ),
        svg.Series(
            _("Employees (n = %(n)s)") % {"n": employees.n},
            palette["employees"],
            [employees.dimensions.get(d.code) for d in dims],
        ),
    ]
    return {
        "allowed": True,
        "series": [s for s in series if all(v is not None for v in s.values)],
        "radar": svg.radar([d.short_name for d in dims], series, size=320),
        "rows": [
            {
                "name": d.name,
                "leaders": format_number(leaders.dimensions.get(d.code)),
                "employees": format_number(employees.dimensions.get(d.code)),
            }
            for d in dims
        ],
        "leaders_n": leaders.n,
        "employees_n": employees.n,
        "overall": {
            "leaders": format_number(leaders.overall),
            "employees": format_number(employees.overall),
        },
    }


def _previous_section(results: RoundResults) -> dict[str, Any] | None:
    previous = results.previous
    if not previous:
        return None
    rows = []
    for d in results.dimensions:
        change = previous.dimensions.get(d.code)
        if not change:
            continue
        rows.append(
            {
                "name": d.name,
                "previous": format_number(change.previous_mean),
                "current": format_number(d.mean),
                "difference": format_signed(change.difference),
                "ci": f"{format_signed(change.ci_low)} … {format_signed(change.ci_high)}",
                "meaningful": change.is_meaningful,
                "up": (change.difference or 0) > 0,
            }
        )
    return {
        "name": previous.campaign_name,
        "respondents": previous.respondents,
        "overall": format_number(previous.overall),
        "rows": rows,
    }


def _benchmark_rows(quartiles: dict[str, Quartiles], results: RoundResults) -> list[dict]:
    rows = []
    for d in results.dimensions:
        q = quartiles.get(d.code)
        if not q or d.mean is None or q.q1 is None or q.q3 is None:
            continue
        if d.mean < q.q1:
            position = _("in the lowest quarter")
        elif d.mean > q.q3:
            position = _("in the highest quarter")
        else:
            position = _("in the middle half")
        rows.append(
            {
                "name": d.name,
                "own": format_number(d.mean),
                "q1": format_number(q.q1),
                "median": format_number(q.median),
                "q3": format_number(q.q3),
                "position": position,
            }
        )
    return rows


def _benchmark_section(results: RoundResults) -> dict[str, Any] | None:
    benchmark = results.benchmark
    if not benchmark:
        return None
    sector = None
    if benchmark.sector_dimensions:
        sector = {
            "label": benchmark.sector_label,
            "organisations": benchmark.sector_organisations,
            "rows": _benchmark_rows(benchmark.sector_dimensions, results),
        }
    return {
        "organisations": benchmark.organisations,
        "rows": _benchmark_rows(benchmark.dimensions, results),
        "sector": sector,
    }


def _breakdowns(results: RoundResults) -> list[dict[str, Any]]:
    sections = []
    for breakdown in results.breakdowns.values():
        section: dict[str, Any] = {"title": breakdown.label, "allowed": breakdown.allowed}
        if not breakdown.allowed:
            section["reason"] = breakdown.reason_text
        else:
            section["rows"] = [
                {
                    "label": g.label,
                    "n": g.n,
                    "overall": format_number(g.overall),
                    "overall_tint": heat_colour(g.overall),
                    "cells": [
                        {
                            "value": format_number(g.dimensions.get(d.code)),
                            "tint": heat_colour(g.dimensions.get(d.code)),
                        }
                        for d in results.dimensions
                    ],
                }
                for g in breakdown.groups
            ]
            section["suppressed"] = [
                {"label": g.label, "reason": g.reason_text} for g in breakdown.suppressed
            ]
        sections.append(section)
    return sections


def _open_answers(results: RoundResults) -> list[dict[str, Any]]:
    out = []
    for question in results.open_answers:
        texts = question.texts if question.visible else ()
        shown = [
            t if len(t) <= OPEN_ANSWER_MAX_CHARS else t[:OPEN_ANSWER_MAX_CHARS].rstrip() + " …"
            for t in texts[:OPEN_ANSWERS_MAX]
        ]
        out.append(
            {
                "question": question.question,
                "visible": question.visible,
                "reason": question.reason_text if not question.visible else None,
                "texts": shown,
                "left_out": max(len(texts) - OPEN_ANSWERS_MAX, 0),
            }
        )
    return out


def _management_section(campaign: Campaign, results: RoundResults) -> dict[str, Any] | None:
    """The management view's page: both profiles, the gaps, the estimates (issue 12)."""
    comparison = improvement.management_comparison(campaign, results)
    if comparison is None:
        return None
    palette = presentation.PALETTE
    series = [
        svg.Series(
            presentation.employees_label(comparison.employees_n),
            palette["primary"],
            [d.employees for d in comparison.dimensions],
            filled=True,
        ),
        svg.Series(
            comparison.label,
            palette["leadership"],
            [d.management for d in comparison.dimensions],
            dashed=True,
        ),
    ]
    drawn = [s for s in series if all(v is not None for v in s.values)]
    return {
        "comparison": comparison,
        "radar": svg.radar([d.short_name for d in comparison.dimensions], drawn, size=300),
        "series": drawn,
        "rows": [
            {"gap": d, "estimate": e}
            for d, e in zip(comparison.dimensions, comparison.estimates, strict=True)
        ],
        "notable_gap": presentation.NOTABLE_GAP,
    }


def report_context(campaign: Campaign, language: str) -> dict[str, Any]:
    """Everything the report template shows, in one language; raises ReportUnavailable."""
    with translation.override(language):
        results = campaign_results(campaign, language)
        if not results.visible:
            raise ReportUnavailable(results.reason_text)
        top = dict.fromkeys(results.strongest, "strongest")
        top.update(dict.fromkeys(results.weakest, "weakest"))
        series = _radar_series(results)
        round_ = results.round
        roles = _role_section(results)
        previous = _previous_section(results)
        benchmark = _benchmark_section(results)
        management = _management_section(campaign, results)
        return {
            "language": language,
            "results": results,
            "round": round_,
            "period": f"{presentation.format_date(round_.opens_on)} – "
            f"{presentation.format_date(round_.closes_on)}",
            "is_open": round_.status != Campaign.Status.CLOSED,
            "made_on": presentation.format_date(timezone.localdate()),
            "respondents": results.respondents,
            "received": results.received,
            "rate": results.response_rate,
            "response_rate": format_percent(results.response_rate.percent),
            "rate_basis": presentation.rate_basis_text(results.response_rate),
            "threshold": results.threshold,
            "open_threshold": campaign.open_answer_threshold,
            "overall_index": format_number(results.overall_index),
            "dimensions": [_dimension(d, top) for d in results.dimensions],
            "summary": _summary(results),
            "radar": svg.radar([d.short_name for d in results.dimensions], series, size=330),
            "radar_series": series,
            "strongest": _extreme_rows(results, results.strongest),
            "weakest": _extreme_rows(results, results.weakest),
            "roles": roles,
            "previous": previous,
            "benchmark": benchmark,
            # The management view's page replaces a comparisons page that would only say
            # "not shown" three times.
            "management": management,
            "show_comparisons": bool(
                roles["allowed"] or previous or benchmark or management is None
            ),
            "plan": improvement.round_plan(campaign, results, language),
            "follow_up": improvement.follow_up(campaign, results),
            "breakdowns": _breakdowns(results),
            "open_answers": _open_answers(results),
            "branding": _branding(campaign),
            "scale_labels": [
                (value, label, colour)
                for (value, label), colour in zip(
                    presentation.scale_labels(), presentation.DISTRIBUTION_COLOURS, strict=True
                )
            ],
            "bands": presentation.BANDS.values(),
            "glossary": presentation.glossary(),
            "improvement_glossary": presentation.improvement_glossary(),
            "palette": presentation.PALETTE,
            "page_counter": page_counter_css(),
            "references": REFERENCES,
        }


REFERENCES = (
    "Korevaar, R., Weide, J. van der, Corporaal, S., Vos, M. & Witteveen, L. (2020). "
    "Leercultuur in het mkb: geen luxe maar noodzaak. Holland Management Review.",
    "Heijboer, M., Korenhof, M. & Pantjes, L. (2013). Een krachtige leercultuur voor continu "
    "leren. O&O, 6, 6–11.",
)


# --- Rendering ---------------------------------------------------------------------------


def allowed_files() -> dict[str, str]:
    """URL (under the renderer's fake origin) → file, for our CSS and fonts only."""
    files = {}
    for name in STATIC_FILES:
        path = finders.find(name)
        if path:
            files[f"{pdfrender.BASE_URL}static/{name}"] = str(path)
    fonts = finders.find(FONT_DIR)
    if fonts and Path(fonts).is_dir():
        for path in sorted(Path(fonts).iterdir()):
            if path.suffix in FONT_SUFFIXES:
                files[f"{pdfrender.BASE_URL}static/{FONT_DIR}/{path.name}"] = str(path)
    return files


def render_report_html(campaign: Campaign, language: str) -> str:
    context = report_context(campaign, language)
    with translation.override(language):
        return render_to_string("assessments/report/report.html", context)


def build_report_pdf(campaign: Campaign, language: str) -> bytes:
    """The report as PDF bytes. Raises ReportUnavailable (< k responses) or RenderError."""
    return build_report(campaign, language).pdf


def build_report(campaign: Campaign, language: str) -> pdfrender.RenderResult:
    language = language if language in LANGUAGES else settings.LANGUAGE_CODE
    html = render_report_html(campaign, language)
    return pdfrender.render_pdf(
        html,
        allowed_files(),
        timeout=getattr(settings, "REPORT_TIMEOUT", 30),
        memory_mb=getattr(settings, "REPORT_MEMORY_MB", 400),
        isolated=getattr(settings, "REPORT_ISOLATED", True),
    )


def report_cache_key(campaign: Campaign, language: str) -> str:
    received = responses_received(campaign)
    profile = ConsultantProfile.for_organisation(campaign.organisation)
    branding = f"{profile.pk}:{profile.updated_at.isoformat()}" if profile else "-"
    raw = ":".join(
        str(part)
        for part in (
            REPORT_VERSION,
            campaign.pk,
            # The published state, plus the live count the cover mentions.
            state_key(campaign, current_look_size(campaign, received)),
            received,
            campaign.threshold,
            campaign.status,
            language,
            campaign.name,
            campaign.opens_on,
            campaign.closes_on,
            campaign.organisation.name,
            branding,
            # The management view and the plans the report shows (issue 12).
            improvement.state_key(campaign),
        )
    )
    return "report-pdf:" + hashlib.sha256(raw.encode()).hexdigest()[:40]


def get_report_pdf(campaign: Campaign, language: str) -> bytes:
    """The PDF for the round's current state: rendered ahead (reportstore) or now."""
    from .reportstore import get_pdf

    return get_pdf(campaign, language)


def report_filename(campaign: Campaign, language: str) -> str:
    stem = slugify(f"{campaign.organisation.name} {campaign.name}")[:80] or "report"
    prefix = "leercultuur-rapport" if language == "nl" else "learning-culture-report"
    return f"{prefix}-{stem}-{language}.pdf"
