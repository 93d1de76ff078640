from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, reverse_lazy
from django.views.i18n import set_language

from assessments.forms import InvitedAccountsPasswordResetForm
from assessments.ratelimits import LOGIN_GROUP, limit_misses

# --- Accounts (issue 3) -----------------------------------------------------------------------
account_patterns = [
    path(
        "accounts/login/",
        # Failed logins count per address (assessments/ratelimits.py): 429 once used up.
        limit_misses(LOGIN_GROUP)(auth_views.LoginView.as_view(redirect_authenticated_user=True)),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password-reset/",
        auth_views.PasswordResetView.as_view(form_class=InvitedAccountsPasswordResetForm),
        name="password_reset",
    ),
    path(
        "accounts/password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    # New accounts get this link by e-mail: the same token check as a reset, a welcoming page,
    # and they are logged in straight away.
    path(
        "accounts/welcome/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="registration/set_password.html",
            post_reset_login=True,
            success_url=reverse_lazy("assessments:home"),
        ),
        name="set_password",
    ),
]
# --- end of accounts --------------------------------------------------------------------------

urlpatterns = [
    path("", include("assessments.urls")),
    *account_patterns,
    path("i18n/setlang/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
]
