"""Account pages that are not Django's own auth views: staff managing consultants."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from .. import access
from ..accounts import create_consultant, make_consultant
from ..forms import ConsultantForm, ExistingConsultantForm
from .workspace import _post


def _consultants_page(request: HttpRequest, form, existing_form) -> HttpResponse:
    people = (
        get_user_model()
        .objects.filter(groups__name=access.CONSULTANT_GROUP)
        .order_by("first_name", "last_name", "email")
        .distinct()
    )
    return render(
        request,
        "assessments/workspace/consultants.html",
        {"form": form, "existing_form": existing_form, "consultants": people},
    )


@login_required
@require_http_methods(["GET", "POST"])
def consultants(request: HttpRequest) -> HttpResponse:
    access.require(access.can_manage_consultants(request.user))
    form = ConsultantForm(_post(request))
    if request.method == "POST" and form.is_valid():
        user = create_consultant(invited_by=request.user, **form.cleaned_data)
        messages.success(
            request,
            _("The consultant account for %(email)s was made; a set-password e-mail was sent.")
            % {"email": user.email},
        )
        return redirect("assessments:consultants")
    return _consultants_page(request, form, ExistingConsultantForm())


@login_required
@require_POST
def consultant_promote(request: HttpRequest) -> HttpResponse:
    access.require(access.can_manage_consultants(request.user))
    form = ExistingConsultantForm(request.POST)
    if not form.is_valid():
        return _consultants_page(request, ConsultantForm(), form)
    user = form.user
    name = user.email or user.get_username()
    if make_consultant(user):
        messages.success(
            request,
            _("%(name)s is now a consultant and can create client organisations.") % {"name": name},
        )
    else:
        messages.info(request, _("%(name)s was already a consultant.") % {"name": name})
    return redirect("assessments:consultants")
