"""Password guessing, throttled by django-axes: after ``AXES_FAILURE_LIMIT`` failed logins
for one account, or from one address, logins for that account or from that address are
refused for ``AXES_COOLOFF_TIME`` (counted again from each refused try). The counts live
in the database (axes' database handler), so every app server sees the same ones.

Axes decides; this module says it to people: the login form's error names the wait
(``accounts.forms``), and the page is answered with 429.
"""

import ipaddress

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import ngettext


class LoginFailuresHandler(AxesDatabaseHandler):
    """axes' database handler, except that a login forgets only the failures it explains:
    those of its own account from its own address.

    axes forgets every failure matching any lock-out parameter, so all failures from the
    address too: an attacker who logs in to an account of their own from the address they
    guess from would wipe their guesses at someone else's password, and guess for ever.
    """

    def reset_user_attempts(self, request, credentials=None):
        attempts = AccessAttempt.objects.filter(
            username=get_client_username(request, credentials),
            ip_address=request.axes_ip_address,
        )
        deleted, _ = attempts.delete()
        return deleted


def lockout_message():
    minutes = round(settings.AXES_COOLOFF_TIME.total_seconds() / 60)
    return ngettext(
        "Too many failed logins for this account or from this address. "
        "Try again in %(minutes)d minute.",
        "Too many failed logins for this account or from this address. "
        "Try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}


def locked_out_response(request, original_response, credentials):
    """The login page as its view answered it (its form says why and for how long), 429."""
    if original_response is None:
        return HttpResponse(lockout_message(), status=settings.AXES_HTTP_RESPONSE_CODE)
    original_response.status_code = settings.AXES_HTTP_RESPONSE_CODE
    return original_response


def client_address(request: HttpRequest) -> str | None:
    """The address whose failures are counted: ``REMOTE_ADDR``, or behind
    ``FORWARDED_FOR_PROXIES`` proxies, the X-Forwarded-For entry the nearest of them was
    sent from (each proxy appends one; entries further left are anyone's to write)."""
    remote = request.META.get("REMOTE_ADDR")
    proxies = settings.FORWARDED_FOR_PROXIES
    if not proxies:
        return remote
    forwarded = [entry.strip() for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if len(forwarded) < proxies:  # not through the proxies: a direct request
        return remote
    try:
        return str(ipaddress.ip_address(forwarded[-proxies]))
    except ValueError:
        return remote
