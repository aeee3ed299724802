"""Each request: its id, its count and time in the metrics, and one log line."""

import logging
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.signals import request_finished
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponseBase
from django.utils.functional import SimpleLazyObject, empty

from . import metrics, request_id

logger = logging.getLogger("observability.requests")

# Any word is a method to Django: others are counted together, so that a client inventing
# methods cannot add series without end.
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


class ObservedRequestMiddleware:
    """First in MIDDLEWARE: it times every other middleware too and sees the final status.

    The request id (the proxy's ``X-Request-ID`` when it is one, else a new one) is bound
    for the log lines and tasks of this request and returned in the answer's header.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        started = time.perf_counter()
        this_request = request_id.from_header(request.headers.get(request_id.HEADER))
        request_id.bind(this_request)
        response = self.get_response(request)
        response[request_id.HEADER] = this_request
        seconds = time.perf_counter() - started
        view = view_label(request)
        method = request.method if request.method in KNOWN_METHODS else "other"
        metrics.REQUESTS.labels(view, method, response.status_code).inc()
        metrics.REQUEST_SECONDS.labels(view, method).observe(seconds)
        route = request.resolver_match.route if request.resolver_match else None
        logger.info(
            "%s %s %s %d ms",
            request.method,
            route or view,
            response.status_code,
            seconds * 1000,
            extra={
                "method": request.method,
                "view": view,
                "route": route,
                "status": response.status_code,
                "duration_ms": round(seconds * 1000, 1),
                **principal_of(request),
            },
        )
        return response


@receiver(request_finished)
def forget_request_id(**kwargs: Any) -> None:
    # Not as the middleware returns: Django logs a 4xx or 5xx (django.request) after it.
    request_id.bind(None)


def principal_of(request: HttpRequest) -> dict[str, int | None]:
    """Who made the request, when it already looked them up: a signed-in user, or the
    marketplace's system its API token names (DRF sets that client as the request's user).
    A log line must not read the session itself (a health check reads nothing)."""
    principal = getattr(request, "user", None)
    if isinstance(principal, SimpleLazyObject) and principal._wrapped is empty:
        principal = None
    if principal is None or not principal.is_authenticated:
        return {"user_id": None, "api_client_id": None}
    if isinstance(principal, get_user_model()):
        return {"user_id": principal.pk, "api_client_id": None}
    return {"user_id": None, "api_client_id": principal.pk}


def view_label(request: HttpRequest) -> str:
    """A bounded name for what answered: the URL pattern's name (its dotted view path when
    it has none), "static" for WhiteNoise's files, "unmatched" for any other path."""
    if request.resolver_match is not None:
        return request.resolver_match.view_name
    if request.path.startswith(f"/{settings.STATIC_URL.lstrip('/')}"):
        return "static"
    return "unmatched"
