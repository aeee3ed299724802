"""Errors to Sentry when ``SENTRY_DSN`` is set, with nothing personal by default.

sentry-sdk's Django integration reports unhandled exceptions and error log lines, from the
app servers and the workers alike. ``send_default_pii`` stays off (its default, which
sentry-sdk 2.76 deprecates setting in favour of ``data_collection``): ``data_collection``
collects no user, cookies, headers, query, body or frames' local variables (an upload's
bytes, a description), no request body is ever read (``max_request_body_size="never"``),
and ``scrub`` drops whatever request data an event still carries: a buyer's description or
an evidence file never leaves for the tracker. Each event is tagged with its request id.
"""

from typing import Any

import sentry_sdk
from sentry_sdk.integrations.django import DjangoIntegration
from sentry_sdk.types import Event, Hint

from . import request_id

OFF: Any = {"mode": "off"}
NOTHING_PERSONAL: Any = {
    "user_info": False,
    "cookies": OFF,
    "http_headers": {"request": OFF},
    "http_bodies": [],
    "url_query_params": OFF,
    "stack_frame_variables": False,
    "database_query_data": False,
}
# What an event may keep of its request: its method. Not the URL: some paths hold a secret
# (a sign-in link's); the event's transaction names the URL pattern instead.
KEPT_REQUEST_FIELDS = ("method",)


def init(*, dsn: str, environment: str, release: str | None, traces_sample_rate: float) -> None:
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release,
        integrations=[DjangoIntegration()],
        data_collection=NOTHING_PERSONAL,
        max_request_body_size="never",
        traces_sample_rate=traces_sample_rate,
        before_send=scrub,
    )


def scrub(event: Event, hint: Hint) -> Event:
    """The event without its request's URL, body, query, cookies or headers, nor a user; a
    log line's template without its values (``Email to %s failed``: not the address), and
    neither the log lines before it (breadcrumbs) nor their extra fields. Tagged with the
    request id."""
    if "request" in event:
        request = event["request"]
        event["request"] = {
            field: request[field] for field in KEPT_REQUEST_FIELDS if field in request
        }
    if "logentry" in event:
        event["logentry"] = {"message": event["logentry"].get("message")}
    event.pop("user", None)
    event.pop("breadcrumbs", None)
    event.pop("extra", None)
    if (current := request_id.current()) is not None:
        event.setdefault("tags", {})["request_id"] = current
    return event
