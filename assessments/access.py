"""Who may see and do what in the workspace.

Every workspace and results view fetches tenant data through these helpers. An object of an
organisation the user does not serve is a 404, never a 403: a 403 would confirm that it exists.
A 403 is only used for actions on the user's *own* organisation that their role does not allow
(for example an HR manager adding accounts), where existence is no secret.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, Group
from django.core.exceptions import PermissionDenied
from django.http import Http404

from .models import Campaign, Membership, Organisation, PlanAction, Team

CONSULTANT_GROUP = "Consultants"

AnyUser = AbstractBaseUser | AnonymousUser


def consultant_group() -> Group:
    group, _ = Group.objects.get_or_create(name=CONSULTANT_GROUP)
    return group


def is_staff(user: AnyUser) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_staff)


def can_manage_consultants(user: AnyUser) -> bool:
    return is_staff(user)


def is_consultant(user: AnyUser) -> bool:
    """Consultants (and staff) may create client organisations."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_staff:
        return True
    return user.groups.filter(name=CONSULTANT_GROUP).exists()


def can_create_organisations(user: AnyUser) -> bool:
    return is_consultant(user)


def role_in(user: AnyUser, organisation: Organisation) -> str | None:
    """The user's membership role in the organisation ("hr", "consultant"), or None."""
    if not user.is_authenticated:
        return None
    return (
        Membership.objects.filter(user=user, organisation=organisation)
        .values_list("role", flat=True)
        .first()
    )


def can_manage_members(user: AnyUser, organisation: Organisation) -> bool:
    """Adding HR accounts is for the organisation's consultant (and staff), not for HR."""
    return is_staff(user) or role_in(user, organisation) == Membership.Role.CONSULTANT


def is_consultant_for(user: AnyUser, organisation: Organisation) -> bool:
    """The organisation's consultant (or staff): response-level exports, deleting all data."""
    return is_staff(user) or role_in(user, organisation) == Membership.Role.CONSULTANT


def organisations_for(user: AnyUser):
    return Organisation.objects.for_user(user)


def get_organisation_for_user(user: AnyUser, pk: int) -> Organisation:
    try:
        return organisations_for(user).get(pk=pk)
    except Organisation.DoesNotExist:
        raise Http404 from None


def get_campaign_for_user(user: AnyUser, pk: int) -> Campaign:
    try:
        return (
            Campaign.objects.for_user(user)
            .select_related("organisation", "questionnaire")
            .get(pk=pk)
        )
    except Campaign.DoesNotExist:
        raise Http404 from None


def get_team_for_user(user: AnyUser, pk: int) -> Team:
    try:
        return (
            Team.objects.filter(organisation__in=organisations_for(user))
            .select_related("organisation")
            .get(pk=pk)
        )
    except Team.DoesNotExist:
        raise Http404 from None


def require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def get_action_for_user(user: AnyUser, pk: int) -> PlanAction:
    """An action of a plan of an organisation the user serves (else 404)."""
    try:
        return (
            PlanAction.objects.filter(plan__campaign__organisation__in=organisations_for(user))
            .select_related("plan__campaign__organisation", "plan__campaign__questionnaire")
            .get(pk=pk)
        )
    except PlanAction.DoesNotExist:
        raise Http404 from None
