"""Security headers as production sends them: the settings module loaded with production
variables in a fresh process, a page requested over HTTPS."""

from __future__ import annotations

import json
import secrets

from .test_settings import run_manage

PROBE = """
import json
from django.core.management import call_command
from django.test import Client
call_command("migrate", verbosity=0)
c = Client(HTTP_HOST="leercultuur.example.nl")
out = {}
for path in ("/privacy/", "/survey/resume/", "/does-not-exist/"):
    r = c.get(path, secure=True)
    out[path] = {"status": r.status_code, "headers": dict(r.headers),
                 "cookies": {k: dict(v) for k, v in r.cookies.items()}}
r = c.get("/privacy/", secure=False)
out["http"] = {"status": r.status_code, "location": r.headers.get("Location", "")}
print(json.dumps(out))
"""


def probe(tmp_path) -> dict:
    result = run_manage(
        "shell",
        "-c",
        PROBE,
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="leercultuur.example.nl",
        DATA_DIR=str(tmp_path),
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        STATIC_MANIFEST="0",  # no collectstatic here; the storage class is not under test
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_pages_carry_the_security_headers_in_production(tmp_path):
    pages = probe(tmp_path)
    for path in ("/privacy/", "/survey/resume/", "/does-not-exist/"):
        headers = {k.lower(): v for k, v in pages[path]["headers"].items()}
        hsts = headers["strict-transport-security"]
        assert "max-age=31536000" in hsts and "includeSubDomains" in hsts and "preload" in hsts
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["x-frame-options"] == "DENY"
        assert headers["referrer-policy"] == "same-origin"
        assert headers["cross-origin-opener-policy"] == "same-origin"
        csp = dict(
            [*part.strip().split(" ", 1), ""][:2]
            for part in headers["content-security-policy"].split(";")
            if part.strip()
        )
        assert csp["default-src"] == "'self'"
        assert csp["script-src"] == "'self'"  # no inline script, no eval, no CDN
        assert "unsafe-inline" not in csp["style-src"]
        assert csp["frame-ancestors"] == "'none'"
        assert csp["object-src"] == "'none'"
        assert csp["form-action"] == "'self'"
    assert pages["/privacy/"]["status"] == 200
    assert pages["/survey/resume/"]["status"] == 200
    assert pages["/does-not-exist/"]["status"] == 404


def test_plain_http_is_sent_to_https_and_cookies_are_secure(tmp_path):
    pages = probe(tmp_path)
    assert pages["http"]["status"] == 301
    assert pages["http"]["location"].startswith("https://leercultuur.example.nl/")
    cookies = pages["/survey/resume/"]["cookies"]
    assert cookies["csrftoken"]["secure"] is True
    assert cookies["csrftoken"]["samesite"] == "Lax"
