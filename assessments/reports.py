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
import datetime as dt
import hashlib
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.translation import gettext as _

from . import pdfrender, svgcharts
from .models import Campaign, ConsultantProfile
from .pdfrender import RenderError
from .results import campaign_results
from .selectors import data_version
from .survey import scale_labels as survey_scale_labels

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
    """The round has fewer than k responses: there is nothing that may be shown."""


# --- Formatting (the tests format expected numbers with these too) -----------------------


def format_number(value: float | None, language: str, digits: int = 2) -> str:
    if value is None:
        return "–"
    text = f"{value:.{digits}f}"
    return text.replace(".", ",") if language == "nl" else text


def format_signed(value: float | None, language: str) -> str:
    if value is None:
        return "–"
    sign = "+" if value > 0 else ("−" if value < 0 else "±")
    return sign + format_number(abs(value), language)


def format_percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.0f}%"


def band_label(code: str | None) -> str:
    return {
        "low": _("Attention point"),
        "vulnerable": _("Vulnerable"),
        "middle": _("Foundation in place"),
        "high": _("Strength"),
    }.get(code or "", _("Not enough answers"))


def scale_labels() -> list[str]:
    return [label for _value, label in survey_scale_labels()]


def _join(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return _("%(first)s and %(last)s") % {"first": ", ".join(words[:-1]), "last": words[-1]}


def _reason(reason: str | None) -> str:
    return {
        "too_small": _("too few responses"),
        "complementary": _("hidden so that a small group cannot be worked out"),
        "round_below_threshold": _("This round has too few responses."),
        "organisation_too_small": _(
            "With fewer than 10 responses, results are shown for the organisation as a whole only."
        ),
        "group_too_small": _("One of the groups has too few responses to be shown."),
        "remainder_too_small": _(
            "Not shown: the remaining responses would form a group that is too small."
        ),
        "too_few_answers": _("Too few people answered this question to show the answers."),
    }.get(reason or "", _("Not shown, to protect anonymity."))


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


def _date(iso: str) -> str:
    return date_format(dt.date.fromisoformat(iso), "j F Y")


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


def _dimension(dim: dict[str, Any], language: str, top: dict[str, str]) -> dict[str, Any]:
    fmt = lambda v: format_number(v, language)  # noqa: E731
    band = dim["band"]
    items = sorted(
        dim["items"],
        key=lambda i: (i["mean"] is None, -(i["mean"] or 0), i["code"]),
    )
    valid = [i for i in items if i["mean"] is not None]
    rows = []
    for item in items:
        tag = None
        if len(valid) >= 2 and item["mean"] is not None:
            if item is valid[0]:
                tag = "strongest"
            elif item is valid[-1]:
                tag = "weakest"
        rows.append(
            {
                **item,
                "mean_s": fmt(item["mean"]),
                "pos_s": format_percent(item["pct_positive"]),
                "neg_s": format_percent(item["pct_negative"]),
                "bar": svgcharts.bar(item["mean"]),
                "tag": tag,
                "overall_tag": top.get(item["code"]),
            }
        )
    out = {
        **dim,
        "band_label": band_label(band),
        "band_colour": svgcharts.BAND_COLOURS.get(band or "", svgcharts.PALETTE["muted"]),
        "mean_s": fmt(dim["mean"]),
        "sd_s": fmt(dim["sd"]),
        "ci_s": (
            f"{fmt(dim['ci_low'])} – {fmt(dim['ci_high'])}" if dim["ci_low"] is not None else "–"
        ),
        "pos_s": format_percent(dim["pct_positive"]),
        "neg_s": format_percent(dim["pct_negative"]),
        "alpha_s": fmt(dim["alpha"]),
        "gauge_bar": svgcharts.bar(dim["mean"], band),
        "indicator_rows": [
            {**ind, "mean_s": fmt(ind["mean"]), "bar": svgcharts.bar(ind["mean"], band)}
            for ind in dim["indicators"]
        ],
        "item_rows": rows,
        "show_recommendations": dim["attention"],
    }
    if dim["mean"] is not None:
        out["gauge"] = svgcharts.gauge(
            dim["mean"], dim["ci_low"], dim["ci_high"], band, fmt(dim["mean"]), width=320
        )
    if sum(dim["distribution"]):
        out["distribution_svg"] = svgcharts.distribution(
            dim["distribution"], scale_labels(), width=320
        )
    return out


def _summary(results: dict[str, Any], dims: list[dict[str, Any]], language: str) -> dict:
    strengths = [d["name"] for d in dims if d["band"] == "high"]
    attention = [d for d in dims if d["attention"]]
    middle = [d["name"] for d in dims if d["band"] == "middle"]
    paragraphs = []
    if results["response_rate"] is not None:
        paragraphs.append(
            _(
                "%(n)s of the %(invited)s invited employees filled in the questionnaire, a "
                "response rate of %(rate)s."
            )
            % {
                "n": results["respondents"],
                "invited": results["invited"],
                "rate": format_percent(results["response_rate"]),
            }
        )
    else:
        paragraphs.append(
            _("%(n)s employees filled in the questionnaire.") % {"n": results["respondents"]}
        )
    if results["indicative"]:
        paragraphs.append(
            _(
                "Because fewer than %(pct)s%% of those invited took part, read the results as "
                "indicative: they may not speak for everyone."
            )
            % {"pct": 40}
        )
    paragraphs.append(
        _(
            "Averaged over the six dimensions, the learning culture index is %(index)s on a "
            "scale from 1 to 5. The profile says more than this one number: look at which "
            "dimensions stand out, up or down."
        )
        % {"index": format_number(results["overall_index"], language)}
    )
    return {
        "paragraphs": paragraphs,
        "strengths": strengths,
        "strengths_text": (
            _("Here the organisation has a strong base to build on.")
            if strengths
            else _("None of the dimensions scores as a strength yet.")
        ),
        "attention": [{"name": d["name"], "band_label": band_label(d["band"])} for d in attention],
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


def _item_lookup(dims: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {
        item["code"]: {**item, "dimension": d["short_name"]}
        for d in dims
        for item in d["item_rows"]
    }


def _radar_series(results: dict[str, Any], dims: list[dict[str, Any]]) -> list[svgcharts.Series]:
    palette = svgcharts.PALETTE
    series = [
        svgcharts.Series(
            _("%(organisation)s (this round)") % {"organisation": results["round"]["organisation"]},
            palette["primary"],
            [d["mean"] for d in dims],
            filled=True,
        )
    ]
    previous = results.get("previous")
    if previous and previous["dimensions"]:
        series.append(
            svgcharts.Series(
                _("Previous round: %(name)s") % {"name": previous["campaign"]["name"]},
                palette["previous"],
                [previous["dimensions"].get(d["code"], {}).get("previous_mean") for d in dims],
                dashed=True,
            )
        )
    benchmark = results.get("benchmark")
    if benchmark:
        series.append(
            svgcharts.Series(
                _("Benchmark: median of %(n)s organisations") % {"n": benchmark["organisations"]},
                palette["benchmark"],
                [benchmark["dimensions"].get(d["code"], {}).get("median") for d in dims],
                dashed=True,
            )
        )
    return [s for s in series if all(v is not None for v in s.values)]


def _role_section(results: dict[str, Any], dims: list[dict[str, Any]], language: str):
    roles = results.get("role_comparison") or {}
    if not roles.get("allowed"):
        return {"allowed": False, "reason": _reason(roles.get("reason"))}
    leaders, employees = roles["leadership"], roles["employees"]
    palette = svgcharts.PALETTE
    series = [
        svgcharts.Series(
            _("Managers and management (n = %(n)s)") % {"n": leaders["n"]},
            palette["leadership"],
            [leaders["dimensions"].get(d["code"]) for d in dims],
        ),
        svgcharts.Series(
            _("Employees (n = %(n)s)") % {"n": employees["n"]},
            palette["employees"],
            [employees["dimensions"].get(d["code"]) for d in dims],
        ),
    ]
    rows = [
        {
            "name": d["name"],
            "leaders": format_number(leaders["dimensions"].get(d["code"]), language),
            "employees": format_number(employees["dimensions"].get(d["code"]), language),
        }
        for d in dims
    ]
    return {
        "allowed": True,
        "series": [s for s in series if all(v is not None for v in s.values)],
        "radar": svgcharts.radar([d["short_name"] for d in dims], series, size=320),
        "rows": rows,
        "leaders_n": leaders["n"],
        "employees_n": employees["n"],
        "overall": {
            "leaders": format_number(leaders["overall"], language),
            "employees": format_number(employees["overall"], language),
        },
    }


def _previous_section(results: dict[str, Any], dims: list[dict[str, Any]], language: str):
    previous = results.get("previous")
    if not previous:
        return None
    rows = []
    for d in dims:
        change = previous["dimensions"].get(d["code"])
        if not change:
            continue
        rows.append(
            {
                "name": d["name"],
                "previous": format_number(change["previous_mean"], language),
                "current": d["mean_s"],
                "difference": format_signed(change["difference"], language),
                "ci": f"{format_signed(change['ci_low'], language)} … "
                f"{format_signed(change['ci_high'], language)}",
                "meaningful": change["is_meaningful"],
                "up": (change["difference"] or 0) > 0,
            }
        )
    return {
        "name": previous["campaign"]["name"],
        "respondents": previous["respondents"],
        "overall": format_number(previous["overall"], language),
        "rows": rows,
    }


def _benchmark_rows(quartiles: dict[str, Any], dims: list[dict[str, Any]], language: str):
    rows = []
    for d in dims:
        q = quartiles.get(d["code"])
        if not q or d["mean"] is None:
            continue
        if d["mean"] < q["q1"]:
            position = _("in the lowest quarter")
        elif d["mean"] > q["q3"]:
            position = _("in the highest quarter")
        else:
            position = _("in the middle half")
        rows.append(
            {
                "name": d["name"],
                "own": d["mean_s"],
                "q1": format_number(q["q1"], language),
                "median": format_number(q["median"], language),
                "q3": format_number(q["q3"], language),
                "position": position,
            }
        )
    return rows


def _benchmark_section(results: dict[str, Any], dims: list[dict[str, Any]], language: str):
    benchmark = results.get("benchmark")
    if not benchmark:
        return None
    from .models import Sector

    sector = None
    if benchmark.get("sector_dimensions"):
        sector = {
            "label": dict(Sector.choices).get(benchmark["sector"], benchmark["sector"]),
            "organisations": benchmark["sector_organisations"],
            "rows": _benchmark_rows(benchmark["sector_dimensions"], dims, language),
        }
    return {
        "organisations": benchmark["organisations"],
        "rows": _benchmark_rows(benchmark["dimensions"], dims, language),
        "sector": sector,
    }


def _breakdowns(results: dict[str, Any], dims: list[dict[str, Any]], language: str):
    titles = {
        "team": _("By team"),
        "role": _("By role"),
        "tenure": _("By years of service"),
        "contract": _("By type of contract"),
    }
    sections = []
    for name, bd in results.get("breakdowns", {}).items():
        section: dict[str, Any] = {"title": titles.get(name, name), "allowed": bd["allowed"]}
        if not bd["allowed"]:
            section["reason"] = _reason(bd["reason"])
        else:
            section["rows"] = [
                {
                    "label": g["label"],
                    "n": g["n"],
                    "overall": format_number(g["overall"], language),
                    "overall_tint": svgcharts.heat_colour(g["overall"]),
                    "cells": [
                        {
                            "value": format_number(g["dimensions"].get(d["code"]), language),
                            "tint": svgcharts.heat_colour(g["dimensions"].get(d["code"])),
                        }
                        for d in dims
                    ],
                }
                for g in bd["groups"]
            ]
            section["suppressed"] = [
                {"label": g["label"], "reason": _reason(g["reason"])} for g in bd["suppressed"]
            ]
        sections.append(section)
    return sections


def _open_answers(results: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for question in results.get("open_answers", []):
        texts = question["texts"] if question["visible"] else []
        shown = [
            t if len(t) <= OPEN_ANSWER_MAX_CHARS else t[:OPEN_ANSWER_MAX_CHARS].rstrip() + " …"
            for t in texts[:OPEN_ANSWERS_MAX]
        ]
        out.append(
            {
                "question": question["question"],
                "visible": question["visible"],
                "reason": _reason(question["reason"]) if not question["visible"] else None,
                "texts": shown,
                "left_out": max(len(texts) - OPEN_ANSWERS_MAX, 0),
            }
        )
    return out


def report_context(campaign: Campaign, language: str) -> dict[str, Any]:
    """Everything the report template shows, in one language; raises ReportUnavailable."""
    with translation.override(language):
        results = campaign_results(campaign, language)
        if not results["visible"]:
            raise ReportUnavailable(_reason("round_below_threshold"))
        top = dict.fromkeys(results["strongest"], "strongest")
        top.update(dict.fromkeys(results["weakest"], "weakest"))
        dims = [_dimension(d, language, top) for d in results["dimensions"]]
        items = _item_lookup(dims)
        series = _radar_series(results, dims)
        round_ = results["round"]
        return {
            "language": language,
            "results": results,
            "round": round_,
            "period": f"{_date(round_['opens_on'])} – {_date(round_['closes_on'])}",
            "is_open": round_["status"] != Campaign.Status.CLOSED,
            "made_on": date_format(timezone.localdate(), "j F Y"),
            "respondents": results["respondents"],
            "invited": results["invited"],
            "response_rate": format_percent(results["response_rate"]),
            "threshold": results["threshold"],
            "open_threshold": campaign.open_answer_threshold,
            "overall_index": format_number(results["overall_index"], language),
            "dimensions": dims,
            "summary": _summary(results, dims, language),
            "radar": svgcharts.radar([d["short_name"] for d in dims], series, size=330),
            "radar_series": series,
            "strongest": [items[c] for c in results["strongest"] if c in items],
            "weakest": [items[c] for c in results["weakest"] if c in items],
            "roles": _role_section(results, dims, language),
            "previous": _previous_section(results, dims, language),
            "benchmark": _benchmark_section(results, dims, language),
            "breakdowns": _breakdowns(results, dims, language),
            "open_answers": _open_answers(results),
            "branding": _branding(campaign),
            "scale_labels": list(
                zip(range(1, 6), scale_labels(), svgcharts.SCALE_COLOURS, strict=True)
            ),
            "palette": svgcharts.PALETTE,
            "band_colours": svgcharts.BAND_COLOURS,
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
    profile = ConsultantProfile.for_organisation(campaign.organisation)
    branding = f"{profile.pk}:{profile.updated_at.isoformat()}" if profile else "-"
    raw = ":".join(
        str(part)
        for part in (
            REPORT_VERSION,
            campaign.pk,
            data_version(campaign),
            campaign.threshold,
            campaign.status,
            language,
            campaign.name,
            campaign.opens_on,
            campaign.closes_on,
            campaign.organisation.name,
            branding,
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
