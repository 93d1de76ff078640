"""The URL names base.html needs for signed-in users, until the workspace lands in main.

Only tests/test_dashboard.py uses this, and only while `assessments:home` does not exist;
delete the file once the workspace branch is merged.
"""

from django.http import HttpResponse
from django.urls import include, path

from assessments import urls as app_urls
from leercultuur.urls import urlpatterns as project_urls


def _stub(request):
    return HttpResponse("")


urlpatterns = [
    path("", include(([*app_urls.urlpatterns, path("home/", _stub, name="home")], "assessments"))),
    path("logout/", _stub, name="logout"),
    path("login/", _stub, name="login"),
    *[p for p in project_urls if getattr(p, "app_name", None) != "assessments"],
]
