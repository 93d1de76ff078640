from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = _("Learning culture")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_login_failed

        from . import reportstore
        from .ratelimits import count_failed_login

        user_login_failed.connect(count_failed_login, dispatch_uid="ratelimit-failed-login")
        reportstore.connect()
        post_migrate.connect(_schedule_periodic_tasks, sender=self)


def _schedule_periodic_tasks(**kwargs) -> None:
    # Every deployment runs migrate, so this starts the nightly and five-minute tasks once.
    from .tasks import ensure_scheduled

    if kwargs.get("using", "default") == "default":
        ensure_scheduled()
