"""Rate limits on everything that accepts a secret: round and invitation links, resume codes,
passwords.

Only misses count (an unknown, used or expired token, a wrong code or password): an office
behind one address where sixty colleagues open the same round link is never slowed down, while
a guesser is stopped after a handful of tries. The counters live in the default cache, which
settings make Redis or the database table, so every worker and every app server shares them.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_ratelimit.core import get_usage

# One budget for all survey secrets: spreading guesses over link, invitation and code gains
# nothing. Logins count on their own.
SURVEY_GROUP = "survey-secret"
LOGIN_GROUP = "login"

logger = logging.getLogger(__name__)


def miss_rate() -> str:
    return getattr(settings, "RATELIMIT_MISS_RATE", "10/10m")


def client_ip(request: HttpRequest) -> str:
    """The client's address, from X-Forwarded-For only as far as our own proxies vouch for it.

    Each trusted proxy appends the address it received the request from, so with N trusted
    proxies the N-th entry from the right was written by the outermost one and is the client;
    everything left of it came from the client and may be forged.
    """
    remote = request.META.get("REMOTE_ADDR", "") or "0.0.0.0"  # noqa: S104
    trusted = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if trusted <= 0:
        return remote
    entries = [
        part.strip()
        for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if part.strip()
    ]
    if len(entries) < trusted:
        return remote
    candidate = entries[-trusted]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


def _usage(request: HttpRequest, group: str, increment: bool) -> dict | None:
    try:
        return get_usage(request, group=group, key="ip", rate=miss_rate(), increment=increment)
    except Exception:
        # A cache outage must not take every questionnaire link down with it; the limit is
        # back as soon as the cache is.
        logger.warning("rate limit cache unavailable", exc_info=True)
        return None


def is_blocked(request: HttpRequest, group: str = SURVEY_GROUP) -> bool:
    usage = _usage(request, group, increment=False)
    return bool(usage) and (usage["limit"] == 0 or usage["count"] >= usage["limit"])


def record_miss(request: HttpRequest, group: str = SURVEY_GROUP) -> None:
    _usage(request, group, increment=True)


def too_many_attempts(request: HttpRequest) -> HttpResponse:
    response = render(request, "assessments/rate_limited.html", status=429)
    response["Retry-After"] = str(_retry_after(miss_rate()))
    return response


def _retry_after(rate: str) -> int:
    from django_ratelimit.core import _split_rate

    return _split_rate(rate)[1]


def limit_misses(group: str = SURVEY_GROUP) -> Callable:
    """Answer 429 before the view runs once this address has used up its misses.

    The view itself reports misses with `record_miss`; the check comes first so that a blocked
    guesser learns nothing, not even that a token happens to be valid.
    """

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            checked = request.method == "POST" or group == SURVEY_GROUP
            if checked and is_blocked(request, group):
                return too_many_attempts(request)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def count_failed_login(sender, credentials: dict, request: HttpRequest | None = None, **kwargs):
    """user_login_failed receiver: a wrong password is a miss like a wrong token."""
    if request is not None:
        record_miss(request, LOGIN_GROUP)
