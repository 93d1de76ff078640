"""Leercultuur settings: one file, configured by the environment (see README)."""

import os
import warnings
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: str = "0") -> bool:
    return os.environ.get(name, default).strip().lower() in {"1", "true", "yes", "on"}


def envint(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def envlist(name: str, default: str = "") -> list[str]:
    return [part.strip() for part in os.environ.get(name, default).split(",") if part.strip()]


DEBUG = envbool("DEBUG")
DATA_DIR = Path(os.environ.get("DATA_DIR", BASE_DIR / "data"))

# Without a configured key only a development key is acceptable; production must set one.
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG and envbool("REQUIRE_SECRET_KEY"):
        raise RuntimeError("SECRET_KEY must be set in production")
    SECRET_KEY = "dev-only-insecure-key-change-me-in-production-0123456789abcdef"  # noqa: S105

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "assessments",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
]

ROOT_URLCONF = "leercultuur.urls"
WSGI_APPLICATION = "leercultuur.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Database: SQLite file by default, PostgreSQL (or anything dj-database-url knows) via DATABASE_URL.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{DATA_DIR / 'leercultuur.sqlite3'}"),
        conn_max_age=envint("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside the writer; IMMEDIATE takes the write lock at BEGIN so
    # concurrent submissions queue on the busy timeout instead of failing with "database is
    # locked" when a read lock cannot be upgraded.
    # Connections are kept like PostgreSQL's (DB_CONN_MAX_AGE): opening one per request ran
    # the PRAGMAs below every time, an eighth of a gunicorn worker's CPU on the questionnaire.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000;"
            " PRAGMA foreign_keys=ON;"
        ),
    }
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("SQLITE_TEST_NAME") or None}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# `manage.py loaddata questionnaire` loads the reference questionnaire content.
FIXTURE_DIRS = [BASE_DIR / "fixtures"]

# Caches: Redis when configured (shared by all workers and machines), else the database,
# never process memory: rate limits must hold across gunicorn workers.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "leercultuur"),
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "leercultuur_cache",
        }
    }

# Django's database sessions, read with plain SQL (assessments/sessions.py).
SESSION_ENGINE = "assessments.sessions"
SESSION_COOKIE_AGE = 60 * 60 * 24 * 30
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

AUTHENTICATION_BACKENDS = ["assessments.accounts.UsernameOrEmailBackend"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "assessments:home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Dutch")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_SECURE = not DEBUG and envbool("SECURE_HTTPS", "1")
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", DATA_DIR / "media"))
MEDIA_URL = "media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if envbool("STATIC_MANIFEST", "0" if DEBUG else "1")
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Before collectstatic has run (tests, make run) WhiteNoise finds files through the finders.
warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
# Lets gunicorn serve static files straight from the source folders when collectstatic was not
# run (benchmarks, make run); production runs collectstatic and uses the manifest.
WHITENOISE_USE_FINDERS = envbool("WHITENOISE_USE_FINDERS", "1" if DEBUG else "0")

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# E-mail: EMAIL_URL (smtp://user:password@host:587/?tls=1) or the usual EMAIL_* variables;
# without either, mail is written to files in the development outbox.
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Leercultuur <noreply@leercultuur.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_FILE_PATH = DATA_DIR / "outbox"
_email_url = os.environ.get("EMAIL_URL", "")
if _email_url:
    _parsed = urlparse(_email_url)
    _query = parse_qs(_parsed.query)
    if _parsed.scheme in {"smtp", "smtps"}:
        EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        EMAIL_HOST = _parsed.hostname or "localhost"
        EMAIL_PORT = _parsed.port or (465 if _parsed.scheme == "smtps" else 587)
        EMAIL_HOST_USER = unquote(_parsed.username or "")
        EMAIL_HOST_PASSWORD = unquote(_parsed.password or "")
        EMAIL_USE_SSL = _parsed.scheme == "smtps"
        EMAIL_USE_TLS = not EMAIL_USE_SSL and _query.get("tls", ["1"])[0] == "1"
    elif _parsed.scheme == "console":
        EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    elif _parsed.scheme == "file":
        EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
        EMAIL_FILE_PATH = Path(_parsed.path or EMAIL_FILE_PATH)
    else:
        raise RuntimeError(f"Unsupported EMAIL_URL scheme: {_parsed.scheme}")
elif os.environ.get("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ["EMAIL_HOST"]
    EMAIL_PORT = envint("EMAIL_PORT", 587)
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", "1")
    EMAIL_USE_SSL = envbool("EMAIL_USE_SSL")
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"

# HTTPS hardening: on by default in production, off when DEBUG (runserver speaks plain HTTP).
SECURE_HTTPS = not DEBUG and envbool("SECURE_HTTPS", "1")
SECURE_SSL_REDIRECT = SECURE_HTTPS
SESSION_COOKIE_SECURE = SECURE_HTTPS
CSRF_COOKIE_SECURE = SECURE_HTTPS
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000) if SECURE_HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HTTPS
SECURE_HSTS_PRELOAD = SECURE_HTTPS
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Number of reverse proxies in front of the app whose X-Forwarded-For entries we trust.
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", 0)
if TRUSTED_PROXY_COUNT:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = envbool("USE_X_FORWARDED_HOST")

# Rate limits on secrets (assessments/ratelimits.py): misses per client address, counted in the
# shared default cache. django_ratelimit is deliberately not in INSTALLED_APPS: its system check
# rejects the database cache for lacking an atomic increment, which costs us at most a few
# uncounted misses under exact concurrency; Redis (REDIS_URL) is atomic.
RATELIMIT_IP_META_KEY = "assessments.ratelimits.client_ip"
RATELIMIT_MISS_RATE = os.environ.get("RATELIMIT_MISS_RATE", "10/10m")
RATELIMIT_ENABLE = envbool("RATELIMIT_ENABLE", "1")
# A cache outage must not lock every employee out of the questionnaire.
RATELIMIT_FAIL_OPEN = True

# Friendly pages instead of Django's bare ones (assessments/views/errors.py).
CSRF_FAILURE_VIEW = "assessments.views.errors.csrf_failure"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Background work (assessments/tasks.py) on Django's Tasks API through the django-tasks
# backport. "database" (django-tasks-db) queues tasks in the database for `manage.py db_worker`
# (docs/deployment.md); "immediate" runs them inside the request or command that enqueues
# them, so `make run` needs no worker.
TASKS_BACKEND = os.environ.get("TASKS_BACKEND", "immediate" if DEBUG else "database")
if TASKS_BACKEND not in {"database", "immediate"}:
    raise RuntimeError(f"TASKS_BACKEND must be 'database' or 'immediate', not {TASKS_BACKEND!r}")
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks_db.DatabaseBackend"
            if TASKS_BACKEND == "database"
            else "django_tasks.backends.immediate.ImmediateBackend"
        ),
        "QUEUES": ["default", "reports"],
    }
}
# Render both languages of a round's PDF report when it closes or its branding changes, so the
# download is a stored file (assessments/reportstore.py).
REPORT_PRERENDER = envbool("REPORT_PRERENDER", "1")

# Anonymity and survey defaults (see DESIGN.md §4).
ANONYMITY_DEFAULT_THRESHOLD = 5
ANONYMITY_MIN_THRESHOLD = 3
SURVEY_DRAFT_DAYS = 60
# Days between an invitation (or the last reminder) and the next reminder to the same address.
REMINDER_AFTER_DAYS = envint("REMINDER_AFTER_DAYS", 3)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    # Request logs could hold survey paths with tokens; keep them at warning level and let the
    # token views redirect before anything else is logged.
    "loggers": {"django.request": {"level": "ERROR"}},
}
