"""Stand-ins for ``assessments.access`` (workspace2 branch), with the same names and behaviour.

Once workspace2 is merged, import these from ``..access`` and delete this module.
"""

from __future__ import annotations

from django.http import Http404

from ..models import Campaign, Membership, Organisation


def get_campaign_for_user(user, pk: int) -> Campaign:
    try:
        return (
            Campaign.objects.for_user(user)
            .select_related("organisation", "questionnaire")
            .get(pk=pk)
        )
    except Campaign.DoesNotExist:
        raise Http404 from None


def get_organisation_for_user(user, pk: int) -> Organisation:
    try:
        return Organisation.objects.for_user(user).get(pk=pk)
    except Organisation.DoesNotExist:
        raise Http404 from None


def is_staff(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_staff)


def role_in(user, organisation: Organisation) -> str | None:
    if not user.is_authenticated:
        return None
    return (
        Membership.objects.filter(user=user, organisation=organisation)
        .values_list("role", flat=True)
        .first()
    )


def is_consultant_for(user, organisation: Organisation) -> bool:
    """The organisation's consultant, or staff: may export responses and delete data."""
    return is_staff(user) or role_in(user, organisation) == Membership.Role.CONSULTANT
