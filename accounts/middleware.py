import zoneinfo

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

# Set by a few lines of JavaScript in the base template from the browser's Intl API.
TIME_ZONE_COOKIE = "tz"


def request_time_zone(request):
    """The zone to show dates in: the account's choice, else the browser's, else the default."""
    return _first_zone(
        getattr(request.user, "time_zone", ""),
        request.COOKIES.get(TIME_ZONE_COOKIE, ""),
        settings.DEFAULT_TIME_ZONE_SHOWN,
    )


def time_zone_of(user):
    """The zone to write dates in for ``user`` away from a request (emails): the account's
    choice, else the one its browser last reported, else the default."""
    return _first_zone(user.time_zone, user.browser_time_zone, settings.DEFAULT_TIME_ZONE_SHOWN)


def browser_time_zone(request):
    """The zone the browser reports (``TIME_ZONE_COOKIE``), if it is a known one."""
    name = request.COOKIES.get(TIME_ZONE_COOKIE, "")
    return name if name and _first_zone(name, "UTC").key == name else ""


def _first_zone(*candidates):
    for name in candidates:
        if name:
            try:
                return zoneinfo.ZoneInfo(name)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                continue
    return zoneinfo.ZoneInfo("UTC")


class TimeZoneMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info in (reverse("health"), reverse("readiness")):
            # The health checks show no dates, and must answer without reading the session
            # (from the cache or the database, either of which may be what is down).
            return self.get_response(request)
        with timezone.override(request_time_zone(request)):
            return self.get_response(request)
