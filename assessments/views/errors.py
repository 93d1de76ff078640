"""Friendly pages for requests that cannot be handled as sent: a failed CSRF check, a form sent
after the session expired, and Django's 400/403/404/500 handlers (templates/<code>.html).

An employee must never lose answers to one of these. Earlier pages are on the server already
(SurveyDraft); the answers of the page being sent come back in hidden fields so one click sends
them again, now with a valid token or, when the session is gone, with the resume code.
"""

from __future__ import annotations

import re

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import Resolver404, resolve
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import requires_csrf_token

from ..survey import OPEN_ANSWER_MAX_LENGTH

# Only questionnaire answers are carried back; never passwords or anything else a forged form
# could smuggle in.
_CARRY_NAME = re.compile(r"^(?:(?:item|segment|open)-[A-Za-z0-9_.]{1,40}|action|carry-step)$")
_MAX_CARRIED = 200


def carried_fields(request: HttpRequest) -> list[tuple[str, str]]:
    if request.method != "POST":
        return []
    try:
        items = list(request.POST.lists())
    except Exception:  # an unreadable body carries nothing; the page itself still renders
        return []
    fields = []
    for name, values in items:
        if not _CARRY_NAME.match(name) or not values:
            continue
        value = values[-1].replace("\x00", "")[: OPEN_ANSWER_MAX_LENGTH * 2]
        fields.append((name, value))
        if len(fields) >= _MAX_CARRIED:
            break
    return fields


def _survey_step_of(path: str) -> tuple[bool, int | None]:
    try:
        match = resolve(path)
    except Resolver404:
        return False, None
    if match.namespace != "assessments" or not match.url_name.startswith("survey_"):
        return False, None
    return True, match.kwargs.get("number")


def session_expired(request: HttpRequest, step: int | None = None) -> HttpResponse:
    """A questionnaire page sent without a (live) session: continue with the resume code."""
    fields = [(n, v) for n, v in carried_fields(request) if n not in {"action", "carry-step"}]
    return render(
        request,
        "assessments/survey/expired.html",
        {"carried": fields, "carry_step": step},
        status=400,
    )


def _safe_referer(request: HttpRequest) -> str:
    referer = request.META.get("HTTP_REFERER", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return referer
    return "/"


@requires_csrf_token
def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    on_survey, step = _survey_step_of(request.path_info)
    # A cross-site form fails on its Origin or Referer: its fields are not ours to send again.
    same_site = not reason.startswith(("Origin checking failed", "Referer checking failed"))
    fields = carried_fields(request) if on_survey and same_site else []
    has_session = bool(request.session.get("survey")) if hasattr(request, "session") else False
    context = {
        "on_survey": on_survey,
        "has_session": has_session,
        "carried": [(n, v) for n, v in fields if n != "carry-step"],
        "carry_step": step,
        "retry_path": request.path,
        "back_url": _safe_referer(request),
    }
    return render(request, "assessments/csrf_failure.html", context, status=403)
