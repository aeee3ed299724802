import zoneinfo

from django.conf import settings
from django.utils import timezone

# Set by a few lines of JavaScript in the base template from the browser's Intl API.
TIME_ZONE_COOKIE = "tz"


def buyer_time_zone(request):
    """The zone to show dates in: the account's choice, else the browser's, else the default."""
    return _first_zone(
        getattr(request.user, "time_zone", ""),
        request.COOKIES.get(TIME_ZONE_COOKIE, ""),
        settings.BUYER_DEFAULT_TIME_ZONE,
    )


def buyer_time_zone_of(user):
    """The zone to write dates in for ``user`` away from a request (emails)."""
    return _first_zone(user.time_zone, settings.BUYER_DEFAULT_TIME_ZONE)


def _first_zone(*candidates):
    for name in candidates:
        if name:
            try:
                return zoneinfo.ZoneInfo(name)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                continue
    return zoneinfo.ZoneInfo("UTC")


class BuyerTimeZoneMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with timezone.override(buyer_time_zone(request)):
            return self.get_response(request)
