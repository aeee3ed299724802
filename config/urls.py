from django.contrib import admin
from django.http import HttpResponse
from django.urls import include, path


def health(request):
    """Answers without touching the database: the floor the benchmark compares pages to."""
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("healthz", health, name="health"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("orders.urls")),
    path("", include("disputes.urls")),
]
