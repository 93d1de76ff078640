"""The PDF report download (DESIGN.md §6): one URL per round, ?lang=nl|en."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.http import require_GET

from ..access import get_campaign_for_user
from ..reports import RenderError, ReportUnavailable, get_report_pdf, report_filename

logger = logging.getLogger(__name__)


@login_required
@require_GET
def campaign_report(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_campaign_for_user(request.user, pk)
    language = request.GET.get("lang", "")
    if language not in dict(settings.LANGUAGES):
        language = translation.get_language() or settings.LANGUAGE_CODE
    context = {"campaign": campaign}
    try:
        pdf = get_report_pdf(campaign, language)
    except ReportUnavailable as refusal:
        context["reason"] = "unavailable"
        context["message"] = str(refusal)
        return render(request, "assessments/report/unavailable.html", context)
    except RenderError as exc:
        # The message is the renderer's (timeout, memory); it holds no round content.
        logger.error("report for round %s failed: %s", campaign.pk, exc)
        context["reason"] = "failed"
        return render(request, "assessments/report/unavailable.html", context, status=503)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="{report_filename(campaign, language)}"'
    )
    response["Cache-Control"] = "private, no-store"
    return response
