"""Creating accounts for consultants and HR managers, and the e-mail that lets them in."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from .access import consultant_group
from .models import Membership, Organisation


def set_password_url(user) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return f"{settings.SITE_URL}{reverse('set_password', args=[uid, token])}"


def send_welcome(user, *, invited_by, organisation: Organisation | None = None) -> None:
    """Tell a new or existing user about their access; new users get a set-password link."""
    needs_password = not user.has_usable_password()
    context = {
        "user": user,
        "invited_by": invited_by,
        "organisation": organisation,
        "needs_password": needs_password,
        "url": set_password_url(user) if needs_password else f"{settings.SITE_URL}/",
        "login_url": f"{settings.SITE_URL}{reverse('login')}",
        "timeout_days": max(settings.PASSWORD_RESET_TIMEOUT // 86400, 1),
    }
    subject = " ".join(render_to_string("registration/welcome_subject.txt", context).split())
    message = EmailMultiAlternatives(
        subject,
        render_to_string("registration/welcome_email.txt", context),
        to=[user.email],
    )
    message.attach_alternative(
        render_to_string("registration/welcome_email.html", context), "text/html"
    )
    message.send()


def _new_user(*, email: str, first_name: str, last_name: str):
    user = get_user_model()(username=email, email=email, first_name=first_name, last_name=last_name)
    user.set_unusable_password()
    user.save()
    return user


def make_consultant(user) -> bool:
    """Put an existing account in the consultants group; False when it already was."""
    group = consultant_group()
    if user.groups.filter(pk=group.pk).exists():
        return False
    user.groups.add(group)
    return True


def find_account(name: str):
    """The one active account whose username or e-mail address is ``name``, or None."""
    users = get_user_model()._default_manager.filter(is_active=True)
    name = name.strip()
    if not name:
        return None
    exact = users.filter(username=name).first()
    if exact is not None:
        return exact
    matches = list(users.filter(username__iexact=name)[:2]) or list(
        users.filter(email__iexact=name)[:2]
    )
    # Two accounts share the address (or a username in other case): guessing would pick the
    # wrong person.
    return matches[0] if len(matches) == 1 else None


class UsernameOrEmailBackend(ModelBackend):
    """Log in with a username or an e-mail address.

    The demo and the admin make accounts with usernames, the workspace makes them with the
    e-mail address as username; people remember either.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if username is None or password is None:
            return None
        user = find_account(username)
        if user is None:
            # Same work as for a real account, so the response time tells nothing.
            get_user_model()().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None


def create_consultant(*, email: str, first_name: str, last_name: str, invited_by):
    with transaction.atomic():
        user = _new_user(email=email, first_name=first_name, last_name=last_name)
        user.groups.add(consultant_group())
    send_welcome(user, invited_by=invited_by)
    return user


def add_hr_manager(
    *, organisation: Organisation, email: str, first_name: str, last_name: str, invited_by
) -> tuple[object, bool]:
    """Give an (existing or new) account HR access; returns (user, added)."""
    User = get_user_model()
    with transaction.atomic():
        user = (
            User.objects.filter(email__iexact=email).order_by("pk").first()
            or User.objects.filter(username__iexact=email).first()
        )
        if user is None:
            user = _new_user(email=email, first_name=first_name, last_name=last_name)
        _, added = Membership.objects.get_or_create(
            user=user, organisation=organisation, defaults={"role": Membership.Role.HR}
        )
    if added:
        send_welcome(user, invited_by=invited_by, organisation=organisation)
    return user, added
