"""The short version of bench/load_bench.py, run by CI on the suite's own database engine:
60 employees from 10 concurrent clients against gunicorn with several workers, one
invitation sent by 20 browsers at once, and sends whose worker is SIGKILLed mid-transaction."""

from __future__ import annotations

import subprocess
import time

import pytest
from django.conf import settings

from bench import load_bench

pytestmark = [pytest.mark.load, pytest.mark.slow]


def database_url(tmp_path) -> tuple[str, str]:
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("postgresql"):
        name = f"{db['NAME']}_load"
        subprocess.run(
            [
                "psql",
                "-h",
                db.get("HOST") or "127.0.0.1",
                "-U",
                db.get("USER") or "postgres",
                "-d",
                "postgres",
                "-c",
                f'CREATE DATABASE "{name}"',
            ],
            capture_output=True,
            check=False,
        )
        host = db.get("HOST") or "127.0.0.1"
        port = db.get("PORT") or 5432
        return "PostgreSQL", f"postgres://{db.get('USER') or 'postgres'}@{host}:{port}/{name}"
    return "SQLite", f"sqlite:///{tmp_path / 'load.sqlite3'}"


def test_a_short_load_with_a_race_and_crashes_loses_nothing(tmp_path):
    name, url = database_url(tmp_path)
    started = time.monotonic()
    result = load_bench.run_database(
        name, url, tmp_path, submissions=60, clients=10, kills=5, racers=20, timeout=300
    )
    assert load_bench.verdict(result) == [], result
    assert result["load"]["integrity"]["min_answers"] == load_bench.ITEMS
    assert result["race"]["stored"] == 1
    assert result["load"]["reads_path"] == "dashboard"
    assert result["crash"]["workers_killed_mid_transaction"] == 5
    assert time.monotonic() - started < 400
