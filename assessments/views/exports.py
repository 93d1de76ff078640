"""Downloads of a round's results and anonymised responses (builders in ``exports``)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .. import exports
from ..access import get_campaign_for_user, is_consultant_for


def _download(export: exports.ExportFile) -> HttpResponse:
    filename, mimetype, content = export
    response = HttpResponse(content, content_type=mimetype)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _unavailable(request: HttpRequest, campaign, message: str, status: int) -> HttpResponse:
    return render(
        request,
        "assessments/exports/unavailable.html",
        {
            "heading": _("No export available"),
            "message": message,
            "campaign": campaign,
            "organisation": campaign.organisation,
        },
        status=status,
    )


@never_cache
@login_required
@require_GET
def export_aggregate(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    campaign = get_campaign_for_user(request.user, pk)
    try:
        export = exports.build_aggregate_export(campaign, fmt, translation.get_language())
    except exports.ExportUnavailable as refusal:
        return _unavailable(request, campaign, refusal.message, 409)
    return _download(export)


@never_cache
@login_required
@require_GET
def export_responses(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    campaign = get_campaign_for_user(request.user, pk)
    if not is_consultant_for(request.user, campaign.organisation):
        # The round is the user's own (else 404 above), so saying why is no leak.
        message = _(
            "The file with individual (anonymised) answers is only for the organisation's "
            "consultant. You can download the results, which hold everything the dashboard "
            "shows."
        )
        return _unavailable(request, campaign, message, 403)
    try:
        export = exports.build_response_export(campaign, fmt, translation.get_language())
    except exports.ExportUnavailable as refusal:
        return _unavailable(request, campaign, refusal.message, 409)
    return _download(export)
