"""The team dialogue kit: per dimension a printable A4 for a 45-minute team conversation.

It shows the organisation's result for the dimension, three open questions, the actions the
plan chose for it and a form to write down agreements. The figures are the organisation's as
``campaign_results`` publishes them, never a team's or another group's, so a kit handed to any
team says nothing about fewer than k people. Like the report it is HTML rendered by WeasyPrint
in the locked-down child (:mod:`assessments.pdfrender`), with our own CSS and fonts only.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from . import improvement, pdfrender, presentation, reports
from .charts import svg
from .exports.writers import PDF_CONTENT_TYPE, ExportFile
from .models import Campaign, DialogueQuestion
from .results import campaign_results

# Minutes of the conversation, in the order of the sheet.
AGENDA_MINUTES = (5, 15, 15, 10)
AGREEMENT_ROWS = 4


class KitUnavailable(Exception):
    """No kit for this round or dimension (yet); the message says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _questions(code: str) -> list[str]:
    questions = [q.text for q in DialogueQuestion.objects.filter(dimension_code=code)][:3]
    if len(questions) == 3:
        return questions
    # Without the library (fixtures/interventions.json) a team still gets three good questions.
    return [
        _("What do you recognise in this result, and what surprises you?"),
        _("What already goes well here, and what makes it work?"),
        _("What could we change first, ourselves, in the coming months?"),
    ]


def kit_context(campaign: Campaign, code: str, language: str) -> dict[str, Any]:
    with translation.override(language):
        if campaign.status != Campaign.Status.CLOSED:
            raise KitUnavailable(
                _("The dialogue kit is made from the final results, once the round has closed.")
            )
        results = campaign_results(campaign, language)
        if not results.visible:
            raise KitUnavailable(results.reason_text or "")
        dim = next((d for d in results.dimensions if d.code == code), None)
        if dim is None:
            raise KitUnavailable(_("This round's questionnaire has no such dimension."))
        plan = improvement.round_plan(campaign, results, language)
        area = next((a for a in plan.focus if a.code == code), None) if plan else None
        # A stopped action is no longer part of what the team is asked to talk about.
        actions = [a for a in (area.actions if area else ()) if a.status != "stopped"]
        ideas = [] if actions else list(improvement.library(code)[:3])
        band = dim.band
        agenda = [
            (AGENDA_MINUTES[0], _("Look at the result together: what stands out?")),
            (AGENDA_MINUTES[1], _("Talk about the three questions; everyone gets a turn.")),
            (AGENDA_MINUTES[2], _("Look at the chosen actions: what would help our team?")),
            (AGENDA_MINUTES[3], _("Write down what you agree: what, who and by when.")),
        ]
        return {
            "language": language,
            "campaign": campaign,
            "round": results.round,
            "dim": dim,
            "band_label": presentation.band_label(band),
            "band_colour": presentation.band_colour(band),
            "band_text_colour": presentation.BANDS[band].text_colour if band else "#000000",
            "gauge": (
                svg.gauge(
                    dim.mean,
                    dim.ci_low,
                    dim.ci_high,
                    band,
                    presentation.format_number(dim.mean),
                    width=300,
                )
                if dim.mean is not None
                else None
            ),
            "respondents": results.respondents,
            "threshold": results.threshold,
            "questions": _questions(code),
            "actions": actions,
            "ideas": ideas,
            "agenda": agenda,
            "agreement_rows": range(AGREEMENT_ROWS),
            "made_on": presentation.format_date(timezone.localdate()),
            "page_counter": reports.page_counter_css(),
            "bands": presentation.BANDS.values(),
        }


def kit_filename(campaign: Campaign, code: str, language: str) -> str:
    stem = slugify(f"{campaign.organisation.name} {campaign.name}")[:60] or "round"
    prefix = "teamgesprek" if language == "nl" else "team-dialogue"
    return f"{prefix}-{code.lower()}-{stem}-{language}.pdf"


def render_kit_html(campaign: Campaign, code: str, language: str) -> str:
    context = kit_context(campaign, code, language)
    with translation.override(language):
        return render_to_string("assessments/report/dialogue.html", context)


def build_kit(campaign: Campaign, code: str, language: str) -> ExportFile:
    """The kit as a PDF file. Raises KitUnavailable or pdfrender.RenderError."""
    language = language if language in reports.LANGUAGES else settings.LANGUAGE_CODE
    html = render_kit_html(campaign, code, language)
    result = pdfrender.render_pdf(
        html,
        reports.allowed_files(),
        timeout=getattr(settings, "REPORT_TIMEOUT", 30),
        memory_mb=getattr(settings, "REPORT_MEMORY_MB", 400),
        isolated=getattr(settings, "REPORT_ISOLATED", True),
    )
    return ExportFile(kit_filename(campaign, code, language), PDF_CONTENT_TYPE, result.pdf)
