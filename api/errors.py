"""Every error the API answers is an RFC 9457 problem (``application/problem+json``),
whatever raised it, in English whatever the caller's ``Accept-Language`` (programs read
it, and match on ``code``):

{"type": "https://disputes.example.com/api/v1/problems/invalid_orders",
 "title": "Bad Request", "status": 400, "detail": "Nothing was written: 1 problem.",
 "code": "invalid_orders",
 "problems": [{"index": 3, "field": "price", "message": "must be more than 0"}],
 "request_id": "4bf92f3577b34da6a3ce929d0e0e4736"}

``code``, ``problems`` (each naming the record by its ``index`` and the ``field``) and
``request_id`` (the answer's ``X-Request-ID``, in our logs too: a client quoting it lets an
operator find the request) are extension members; ``problem_body`` builds every such body.
"""

from http import HTTPStatus

from django.conf import settings
from django.http import Http404, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.views import exception_handler as drf_exception_handler

from observability import request_id

from .serializers import PROBLEM_CONTENT_TYPE, moment


class InvalidRequest(exceptions.APIException):
    """400, with each problem named: ``problems`` holds ``orders.importing.Problem``s or
    dicts of index (None when the request is not a list of records), field and message."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "invalid_request"

    def __init__(self, message, *, problems=(), code=None):
        super().__init__(message, code or self.default_code)
        self.problems = [_as_problem(problem) for problem in problems]


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"


class IdempotencyKeyReused(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "idempotency_key_reused"
    default_detail = (
        "This Idempotency-Key was used for another request (another body or path): "
        "use a new key for a new request."
    )


class ReceiptConfirmed(exceptions.APIException):
    """A receipt time for an order whose buyer confirmed receipt: not applied."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "receipt_confirmed"

    def __init__(self, confirmed_at):
        super().__init__(
            f"Not applied: the buyer confirmed receipt at {moment(confirmed_at)}, "
            "which stays the order's receipt time. Nothing was written."
        )
        self.problems = [problem("received_at", "the buyer confirmed receipt")]


def _as_problem(problem):
    if isinstance(problem, dict):
        return {"index": problem.get("index"), **problem}
    return {"index": problem.index, "field": problem.field, "message": problem.message}


def problem_type(code):
    """The problem's ``type``: a URI per code (docs/api.md lists them)."""
    return f"{settings.SITE_URL}/api/v1/problems/{code}"


def problem_body(*, status, code, detail, problems=()):
    """The body of every error the API answers (RFC 9457, with our extension members)."""
    return {
        "type": problem_type(code),
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "code": code,
        "problems": list(problems),
        "request_id": request_id.current(),
    }


def _flatten(detail, field=""):
    """DRF's nested validation details as (field, message) pairs."""
    if isinstance(detail, dict):
        for name, value in detail.items():
            yield from _flatten(value, f"{field}.{name}" if field else str(name))
    elif isinstance(detail, list):
        for value in detail:
            yield from _flatten(value, field)
    else:
        yield field or "(request)", str(detail)


def exception_handler(exc, context):
    """DRF's handler (status, headers such as Retry-After and WWW-Authenticate), answering
    a problem."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or None)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a bug: Django's 500
    code = exc.get_codes()
    if isinstance(exc, exceptions.ValidationError):
        problems = [problem(field, message) for field, message in _flatten(exc.detail)]
        message = "The request is not valid."
        code = InvalidRequest.default_code
    else:
        problems = getattr(exc, "problems", [])
        message = str(exc.detail)
    response.data = problem_body(
        status=response.status_code, code=code, detail=message, problems=problems
    )
    response.content_type = PROBLEM_CONTENT_TYPE
    return response


@csrf_exempt  # no session here: a POST to a wrong path is a 404, not a CSRF refusal
def not_found(request, *args, **kwargs):
    """Any path under /api/v1/ that is not an endpoint: a problem, like every other error."""
    return JsonResponse(
        problem_body(
            status=status.HTTP_404_NOT_FOUND,
            code="not_found",
            detail="There is no such endpoint. See /api/v1/schema/.",
        ),
        status=status.HTTP_404_NOT_FOUND,
        content_type=PROBLEM_CONTENT_TYPE,
    )


def body_object(data, allowed):
    """The JSON object of a write, or InvalidRequest naming each field it should not have."""
    if not isinstance(data, dict):
        raise InvalidRequest(
            "The body must be a JSON object.", problems=[problem("(body)", "must be an object")]
        )
    unknown = [
        problem(name, "is not a field of this request") for name in data if name not in allowed
    ]
    if unknown:
        raise InvalidRequest("The body has fields this request does not take.", problems=unknown)
    return data


def problem(field, message, index=None):
    return {"index": index, "field": field, "message": message}
