"""Two gunicorn servers on one PostgreSQL and one Redis (bench/twoservers_bench.py, shorter):
employees spread over both lose nothing, a resume code made on one server works on the other,
rate limits count misses from both, and a response sent through one server shows through the
other once the round is closed.

Needs PostgreSQL (the suite's own, in its PostgreSQL pass) and Redis (TEST_REDIS_URL);
on a developer's machine without them it is skipped with the reason, in CI it must run."""

from __future__ import annotations

import os
import subprocess
import time

import pytest
from django.conf import settings

from bench import twoservers_bench

pytestmark = [pytest.mark.load, pytest.mark.slow]

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def _redis_reachable() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except Exception:
        return False


def _database_url() -> str:
    db = settings.DATABASES["default"]
    if not db["ENGINE"].endswith("postgresql"):
        pytest.skip("two app servers need PostgreSQL: runs in the suite's PostgreSQL pass")
    name = f"{db['NAME']}_two"
    host, port, user = db.get("HOST") or "127.0.0.1", db.get("PORT") or 5432, db.get("USER")
    user = user or "postgres"
    subprocess.run(
        [
            "psql",
            "-h",
            host,
            "-p",
            str(port),
            "-U",
            user,
            "-d",
            "postgres",
            "-c",
            f'CREATE DATABASE "{name}"',
        ],
        capture_output=True,
        check=False,
    )
    return f"postgres://{user}@{host}:{port}/{name}"


def test_two_servers_share_sessions_drafts_limits_and_results(tmp_path):
    url = _database_url()
    if not _redis_reachable():
        if os.environ.get("CI"):
            pytest.fail(f"Redis at {REDIS_URL} is unreachable, and CI must test it")
        pytest.skip(f"Redis at {REDIS_URL} is unreachable (start redis-server to run this)")
    started = time.monotonic()
    result = twoservers_bench.run_two_servers(
        url, REDIS_URL, tmp_path, employees=40, clients=8, timeout=300
    )
    assert twoservers_bench.verdict(result) == [], result
    assert result["integrity"]["responses"] == 41  # 40 spread over both, 1 resumed on B
    assert result["resume"]["continued_at"].endswith("/survey/step/3/")
    assert result["rate_limit"]["first_429_at"] == twoservers_bench.MISS_LIMIT + 1
    assert result["publication"]["status_after_on_a"] == "closed"
    assert time.monotonic() - started < 400
