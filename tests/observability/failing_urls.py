"""The site's URLs and a page that fails after reading a buyer's form and file."""

from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt


@csrf_exempt
def fails_with_a_form(request):
    request.POST, request.FILES  # noqa: B018 (read, as a real form would)
    raise RuntimeError("the page failed")


urlpatterns = [path("fails/", fails_with_a_form), path("", include("config.urls"))]
