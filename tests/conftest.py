import pytest


@pytest.fixture(autouse=True)
def _fast_test_settings(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.SECURE_SSL_REDIRECT = False
    settings.MEDIA_ROOT = tmp_path / "media"
    # Tasks run where they are enqueued (test_tasks.py covers the database queue and worker);
    # pre-rendering both PDFs on every closed round would cost seconds per test, so only the
    # tests about it switch it on.
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "QUEUES": ["default", "reports"],
        }
    }
    settings.REPORT_PRERENDER = False


@pytest.fixture(autouse=True)
def _fresh_questionnaire_cache():
    # Test databases reuse primary keys, so the in-memory content cache must not leak.
    from assessments.survey import clear_content_cache

    clear_content_cache()
    yield
    clear_content_cache()


@pytest.fixture(autouse=True)
def _default_language_after_each_test(settings):
    # A test-client request activates its language in the thread and leaves it active, so a
    # later test in the same worker would read another language than the default.
    yield
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def database_queue(settings):
    """Tasks go into the database queue (production's backend) until a worker runs them."""
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks_db.DatabaseBackend",
            "QUEUES": ["default", "reports"],
        }
    }


@pytest.fixture
def cast(db):
    """The one cast of personas (tests/personas.py): the bakery and the garage, alice, bert,
    carol, chris and sam."""
    from .personas import make_cast

    return make_cast()
