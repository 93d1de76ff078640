from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = _("Learning culture")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_login_failed

        from .ratelimits import count_failed_login

        user_login_failed.connect(count_failed_login, dispatch_uid="ratelimit-failed-login")
