"""The deployment settings come from the environment (DESIGN.md §6)."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY"}}
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env={**base, **env},
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )


def test_check_deploy_reports_no_warnings_with_production_variables(tmp_path):
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="leercultuur.example.nl",
        DATA_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_debug_is_off_unless_asked_for(tmp_path):
    code = "from django.conf import settings; print(settings.DEBUG, settings.SECURE_SSL_REDIRECT)"
    result = run_manage("shell", "-c", code, DATA_DIR=str(tmp_path))
    assert result.stdout.split()[-2:] == ["False", "True"]
    result = run_manage("shell", "-c", code, DEBUG="1", DATA_DIR=str(tmp_path))
    assert result.stdout.split()[-2:] == ["True", "False"]


def test_the_database_comes_from_database_url(tmp_path):
    code = "from django.conf import settings; print(settings.DATABASES['default']['ENGINE'])"
    result = run_manage(
        "shell", "-c", code, DATABASE_URL="postgres://u@db.example:5432/x", DATA_DIR=str(tmp_path)
    )
    assert result.stdout.split()[-1] == "django.db.backends.postgresql"


@pytest.mark.django_db
def test_sqlite_waits_for_the_write_lock_instead_of_failing():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite-specific settings")
    options = settings.DATABASES["default"]["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE"
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone()[0] >= 5000
