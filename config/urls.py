from django.contrib import admin
from django.http import HttpResponse, HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import include, path

from config.readiness import readiness
from observability.views import metrics_view


def health(request):
    """Liveness, answered without touching the database: the floor the benchmark compares
    pages to. Readiness (database and storage) is /readyz."""
    return HttpResponse("ok", content_type="text/plain")


def favicon(request):
    """Browsers ask for /favicon.ico on every page, the admin's included."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))


urlpatterns = [
    path("favicon.ico", favicon),
    path("healthz", health, name="health"),
    path("readyz", readiness, name="readiness"),
    path("metrics", metrics_view, name="metrics"),
    path("accounts/", include("accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("api.urls")),
    path("", include("orders.urls")),
    path("", include("disputes.urls")),
]
