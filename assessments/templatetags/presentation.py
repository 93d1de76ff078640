"""The one vocabulary (assessments.presentation) in templates: numbers, dates, bands."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils.html import format_html

from .. import presentation

register = template.Library()


@register.filter
def number(value: float | None, digits: int = 2) -> str:
    """{{ d.mean|number }} → 3,42 (Dutch) or 3.42; a dash for no value."""
    return presentation.format_number(value, digits=digits)


@register.filter
def signed(value: float | None) -> str:
    return presentation.format_signed(value)


@register.filter
def percent(value: float | None) -> str:
    """{{ i.pct_agree|percent }} → 53%."""
    return presentation.format_percent(value)


@register.filter
def long_date(value: dt.date | None) -> str:
    """1 december 2026."""
    return presentation.format_date(value)


@register.filter
def short_date(value: dt.date | None) -> str:
    """9 mrt 2026."""
    return presentation.format_short_date(value)


@register.simple_tag
def band_badge(code: str | None) -> str:
    """The band's name on its colour, as every page shows it."""
    if code not in presentation.BANDS:
        return format_html(
            '<span class="badge band-badge band-none">{}</span>', presentation.band_label(None)
        )
    return format_html(
        '<span class="badge band-badge band-{}">{}</span>', code, presentation.band_label(code)
    )


@register.filter
def gap_words(gap: float | None) -> str:
    """What a gap between management and employees means: "about the same", …"""
    return presentation.gap_text(gap)


@register.filter
def estimate_words(verdict: str | None) -> str:
    return presentation.estimate_text(verdict)


@register.filter
def status_words(status: str) -> str:
    return presentation.action_status_label(status)


@register.filter
def status_class(status: str) -> str:
    return presentation.ACTION_STATUS_CLASSES.get(status, "")
