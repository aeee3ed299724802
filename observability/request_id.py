"""The id of the request being served, or of the request that queued the task being run.

A proxy's ``X-Request-ID`` is kept when it looks like an id (short, safe characters: it
goes into logs and headers as it is); otherwise one is made. It is held in a context
variable, so that log lines, API error bodies and the tasks a request queues carry it
without being handed it.
"""

import re
import uuid
from contextvars import ContextVar

HEADER = "X-Request-ID"
_ACCEPTED = re.compile(r"[A-Za-z0-9._:=+/-]{1,100}")
_current: ContextVar[str | None] = ContextVar("request_id", default=None)


def from_header(value: str | None) -> str:
    """The proxy's id if it is one we can repeat safely; else a new one."""
    if value and _ACCEPTED.fullmatch(value):
        return value
    return uuid.uuid4().hex


def current() -> str | None:
    return _current.get()


def bind(request_id: str | None) -> None:
    """Make ``request_id`` the current one, until the next ``bind`` (None: no request)."""
    _current.set(request_id)
