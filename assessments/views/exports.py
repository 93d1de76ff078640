"""Downloads of a round: every exporter (``assessments.exports``) through one view."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .. import exports
from ..access import get_campaign_for_user, is_consultant_for


def download(export: exports.ExportFile) -> HttpResponse:
    """The one place that turns a built file into a download."""
    response = HttpResponse(export.content, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    response["Cache-Control"] = "private, no-store"
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
def export(request: HttpRequest, pk: int, kind: str, fmt: str) -> HttpResponse:
    campaign = get_campaign_for_user(request.user, pk)
    exporter_class = exports.EXPORTERS.get(kind)
    if exporter_class is None or fmt not in exporter_class.formats:
        raise Http404
    if exporter_class.consultant_only and not is_consultant_for(
        request.user, campaign.organisation
    ):
        # The round is the user's own (else 404 above), so saying why is no leak.
        message = _(
            "The file with individual (anonymised) answers is only for the organisation's "
            "consultant. You can download the results, which hold everything the dashboard "
            "shows."
        )
        return _unavailable(request, campaign, message, 403)
    try:
        built = exporter_class(campaign, translation.get_language()).render(fmt)
    except exports.ExportUnavailable as refusal:
        return _unavailable(request, campaign, refusal.message, 409)
    return download(built)
