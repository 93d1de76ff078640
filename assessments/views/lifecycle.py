"""Deleting an organisation and all its data, after a confirmation that names what goes."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from ..access import get_organisation_for_user, is_consultant_for
from ..retention import delete_organisation, deletion_summary


class ConfirmDeletionForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name of the organisation"), max_length=200)

    def __init__(self, *args, organisation, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.organisation = organisation

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if name != self.organisation.name.strip():
            raise forms.ValidationError(
                _("Type the name exactly as shown above to confirm the deletion.")
            )
        return name


@login_required
@require_http_methods(["GET", "POST"])
def organisation_delete(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = get_organisation_for_user(request.user, pk)
    if not is_consultant_for(request.user, organisation):
        return render(
            request,
            "assessments/exports/unavailable.html",
            {
                "heading": _("Not allowed"),
                "message": _(
                    "Only the organisation's consultant can delete the organisation and its "
                    "data. Ask your consultant if the organisation's data must be deleted."
                ),
                "organisation": organisation,
            },
            status=403,
        )
    form = ConfirmDeletionForm(request.POST or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        name = organisation.name
        delete_organisation(organisation)
        messages.success(
            request, _("%(name)s and all its data have been deleted.") % {"name": name}
        )
        return redirect("assessments:home")
    return render(
        request,
        "assessments/lifecycle/organisation_delete.html",
        {
            "organisation": organisation,
            "summary": deletion_summary(organisation),
            "form": form,
        },
        status=400 if form.is_bound else 200,
    )
