"""Every error the API answers is JSON of one shape, whatever raised it:

{"error": {"code": "invalid_orders", "message": "...",
           "problems": [{"index": 3, "field": "price", "message": "must be more than 0"}]}}
"""

from django.http import Http404, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.views import exception_handler as drf_exception_handler


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


def _as_problem(problem):
    if isinstance(problem, dict):
        return {"index": problem.get("index"), **problem}
    return {"index": problem.index, "field": problem.field, "message": problem.message}


def error_body(code, message, problems=()):
    return {"error": {"code": code, "message": message, "problems": list(problems)}}


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
    in the API's error shape."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or None)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a bug: Django's 500
    if isinstance(exc, InvalidRequest):
        problems = exc.problems
        message = str(exc.detail)
    elif isinstance(exc, exceptions.ValidationError):
        problems = [
            {"index": None, "field": field, "message": message}
            for field, message in _flatten(exc.detail)
        ]
        message = "The request is not valid."
    else:
        problems = []
        message = str(exc.detail)
    code = exc.get_codes()
    if not isinstance(code, str):
        code = exc.default_code
    response.data = error_body(code, message, problems)
    return response


@csrf_exempt  # no session here: a POST to a wrong path is a 404, not a CSRF refusal
def not_found(request, *args, **kwargs):
    """Any path under /api/v1/ that is not an endpoint: JSON, like every other answer."""
    return JsonResponse(
        error_body("not_found", "There is no such endpoint. See /api/v1/schema/."),
        status=status.HTTP_404_NOT_FOUND,
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


def problem(field, message, index=None, code=None):
    """One problem; ``code`` where the rule has one (an order record's)."""
    found = {"index": index, "field": field, "message": message}
    return found | {"code": code} if code else found
