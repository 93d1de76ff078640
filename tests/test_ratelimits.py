"""Guessing links and codes: misses per address are limited, in a cache every worker shares."""

from __future__ import annotations

import os
import re
import secrets
import uuid

import pytest
from django.core.cache import caches
from django.test import Client, RequestFactory

from assessments.models import Campaign, Invitation, hash_token
from assessments.ratelimits import client_ip
from assessments.services import close_round

from .factories import make_campaign, make_organisation, make_questionnaire
from .personas import PASSWORD

pytestmark = pytest.mark.django_db

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def _redis_reachable() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except Exception:
        return False


@pytest.fixture(params=["database", "redis"])
def shared_cache(request, settings):
    """The two caches production uses; Redis must be there in CI."""
    if request.param == "redis":
        if not _redis_reachable():
            if os.environ.get("CI") == "true":
                pytest.fail(f"Redis at {REDIS_URL} is unreachable, and CI must test it")
            pytest.skip(f"Redis at {REDIS_URL} is unreachable (start redis-server to run this)")
        prefix = f"test-{uuid.uuid4().hex}"
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": REDIS_URL,
                "KEY_PREFIX": prefix,
            }
        }
        yield "redis"
        import redis

        r = redis.Redis.from_url(REDIS_URL)
        for key in r.scan_iter(f"{prefix}:*"):
            r.delete(key)
    else:
        yield "database"


@pytest.fixture
def clock(monkeypatch):
    """A frozen clock for the limiter's windows, so a window never rolls over mid-test."""
    import django_ratelimit.core as core

    class Clock:
        now = 1_800_000_000.0

        def time(self) -> float:
            return self.now

    fake = Clock()
    monkeypatch.setattr(core, "time", fake)
    return fake


@pytest.fixture
def open_round():
    organisation = make_organisation("Bakkerij De Korenschoof", teams=("Bakkerij",))
    return make_campaign(organisation, make_questionnaire(), teams=("Bakkerij",))


def from_address(address: str) -> Client:
    return Client(REMOTE_ADDR=address)


def test_a_thousand_random_tokens_from_one_address_get_429_after_ten_misses(
    shared_cache, clock, open_round
):
    _, token = open_round
    mallory = from_address("203.0.113.66")
    statuses = []
    for i in range(1000):
        prefix = "/s/" if i % 2 else "/i/"
        statuses.append(mallory.get(f"{prefix}{secrets.token_urlsafe(32)}/").status_code)
    assert statuses[:10] == [404] * 10
    assert set(statuses[10:]) == {429}

    blocked = mallory.get(f"/s/{secrets.token_urlsafe(32)}/")
    assert blocked.status_code == 429
    assert blocked["Retry-After"] == "600"
    assert "Too many attempts" in blocked.content.decode() or "Te veel" in blocked.content.decode()
    # Blocked means blocked: a valid token from the guessing address tells it nothing either.
    assert mallory.get(f"/s/{token}/").status_code == 429

    emma = from_address("198.51.100.7")
    response = emma.get(f"/s/{token}/")
    assert response.status_code == 302
    assert response["Location"].endswith("/survey/")


def test_the_block_lifts_after_ten_minutes(shared_cache, clock, open_round):
    _, token = open_round
    mallory = from_address("203.0.113.66")
    for _ in range(11):
        mallory.get(f"/s/{secrets.token_urlsafe(32)}/")
    assert mallory.get(f"/s/{token}/").status_code == 429
    clock.now += 601
    assert mallory.get(f"/s/{token}/").status_code == 302


def test_sixty_colleagues_behind_one_office_address_are_never_limited(
    shared_cache, clock, open_round
):
    _, token = open_round
    statuses = {from_address("192.0.2.10").get(f"/s/{token}/").status_code for _ in range(60)}
    assert statuses == {302}


def test_wrong_resume_codes_share_the_budget_with_links(shared_cache, clock, open_round):
    mallory = from_address("203.0.113.66")
    for _ in range(5):
        assert mallory.get(f"/s/{secrets.token_urlsafe(32)}/").status_code == 404
    for _ in range(5):
        response = mallory.post("/survey/resume/", {"code": "ABCD-EFGH-JKMN-PQRS"})
        assert response.status_code == 400
    assert mallory.post("/survey/resume/", {"code": "ABCD-EFGH-JKMN-PQRS"}).status_code == 429
    assert mallory.get("/survey/resume/").status_code == 429
    assert from_address("198.51.100.7").get("/survey/resume/").status_code == 200


def test_wrong_round_codes_share_the_budget_with_links(shared_cache, clock, open_round):
    campaign, _ = open_round
    mallory = from_address("203.0.113.66")
    for _ in range(5):
        assert mallory.get(f"/s/{secrets.token_urlsafe(32)}/").status_code == 404
    for _ in range(5):
        guess = "".join(secrets.choice("23456789ABCDEFGHJKMNPQRSTUVWXYZ") for _ in range(8))
        assert mallory.post("/code/", {"code": guess}).status_code == 400
    # Blocked: not even the right code gets through, and the form itself is refused.
    assert mallory.post("/code/", {"code": campaign.short_code()}).status_code == 429
    assert mallory.get("/code/").status_code == 429
    emma = from_address("198.51.100.7")
    assert emma.get("/code/").status_code == 200
    assert emma.post("/code/", {"code": campaign.short_code()}).status_code == 302


def test_a_closed_rounds_code_is_a_miss_like_a_closed_rounds_link(shared_cache, clock, open_round):
    campaign, _ = open_round
    close_round(campaign)
    mallory = from_address("203.0.113.66")
    statuses = [
        mallory.post("/code/", {"code": campaign.short_code()}).status_code for _ in range(11)
    ]
    assert statuses == [400] * 10 + [429]


def test_an_unknown_a_used_and_an_expired_token_get_the_same_page(shared_cache, clock, open_round):
    campaign, _ = open_round
    used_token, expired_token = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    Invitation.objects.create(campaign=campaign, token_hash=hash_token(used_token), is_used=True)
    closed, closed_token = make_campaign(
        campaign.organisation, campaign.questionnaire, status=Campaign.Status.CLOSED, name="Oud"
    )
    Invitation.objects.create(campaign=closed, token_hash=hash_token(expired_token))
    pages = []
    for path in (
        f"/s/{secrets.token_urlsafe(32)}/",
        f"/i/{secrets.token_urlsafe(32)}/",
        f"/i/{used_token}/",
        f"/i/{expired_token}/",
        f"/s/{closed_token}/",
    ):
        response = from_address("198.51.100.20").get(path)
        # Every new visitor gets its own CSRF token; everything else must be identical.
        html = re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", response.content)
        pages.append((response.status_code, html))
    assert len(set(pages)) == 1
    assert pages[0][0] == 404


def test_the_client_address_is_the_entry_our_own_proxies_wrote(settings):
    rf = RequestFactory()
    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.9")
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.2"
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request) == "203.0.113.9"
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_ip(request) == "1.1.1.1"
    # Fewer entries than proxies: the request did not come through them all.
    settings.TRUSTED_PROXY_COUNT = 3
    assert client_ip(request) == "10.0.0.2"
    settings.TRUSTED_PROXY_COUNT = 1
    garbage = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.1.1.1, not-an-ip")
    assert client_ip(garbage) == "10.0.0.2"
    v6 = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="2001:db8::1")
    assert client_ip(v6) == "2001:db8::1"


def test_a_guesser_cannot_escape_the_limit_by_forging_forwarded_for(
    shared_cache, clock, open_round, settings
):
    settings.TRUSTED_PROXY_COUNT = 1
    _, token = open_round
    statuses = []
    for i in range(20):
        # Mallory invents the left part; the load balancer appends her real address.
        client = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=f"192.0.2.{i}, 203.0.113.66")
        statuses.append(client.get(f"/s/{secrets.token_urlsafe(32)}/").status_code)
    assert statuses[10:] == [429] * 10
    emma = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert emma.get(f"/s/{token}/").status_code == 302


def test_the_counters_live_in_the_shared_cache(shared_cache, clock, open_round, settings):
    cache = caches["default"]
    backend = settings.CACHES["default"]["BACKEND"]
    assert backend.endswith(("RedisCache", "DatabaseCache"))
    from_address("203.0.113.66").get(f"/s/{secrets.token_urlsafe(32)}/")
    from assessments.ratelimits import SURVEY_GROUP, miss_rate

    request = RequestFactory().get("/", REMOTE_ADDR="203.0.113.66")
    from django_ratelimit.core import get_usage

    usage = get_usage(request, group=SURVEY_GROUP, key="ip", rate=miss_rate())
    assert usage["count"] == 1
    assert cache is caches["default"]


def test_a_cache_outage_does_not_take_the_questionnaire_links_down(settings, open_round):
    _, token = open_round
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
        }
    }
    assert from_address("198.51.100.7").get(f"/s/{token}/").status_code == 302
    assert from_address("198.51.100.7").get(f"/s/{secrets.token_urlsafe(32)}/").status_code == 404


def test_ten_wrong_passwords_from_one_address_lock_its_logins_but_not_alices(
    shared_cache, clock, cast
):
    mallory = from_address("203.0.113.66")
    for _ in range(10):
        response = mallory.post("/accounts/login/", {"username": "alice", "password": "raden"})
        assert response.status_code == 200  # the form with its message
    right = {"username": "alice", "password": PASSWORD}
    assert mallory.post("/accounts/login/", right).status_code == 429
    assert mallory.get("/accounts/login/").status_code == 200  # the page itself still shows
    alice = from_address("198.51.100.7")
    response = alice.post("/accounts/login/", right)
    assert response.status_code == 302


def test_successful_logins_do_not_count(shared_cache, clock, cast):
    right = {"username": "alice", "password": PASSWORD}
    for _ in range(15):
        client = from_address("192.0.2.10")
        assert client.post("/accounts/login/", right).status_code == 302
