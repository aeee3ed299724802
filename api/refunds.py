"""Refunds for the marketplace to execute, and its reports on them (PRODUCT.md §4f, §10).

The instructions are read from a cursor, like the events, and each one arrives in a
``refund.instructed`` webhook too. The marketplace reports each executed (its reference
and time) or failed (a reason) through ``disputes.refunds``: the same report again
answers as the first; a contradicting one answers 409 with the rule's code.
"""

from django.core.exceptions import ObjectDoesNotExist
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response

from disputes import refunds
from disputes.errors import DisputeActionError
from disputes.models import RefundInstruction, RefundStatus
from orders.importing.validating import ClosedSerializer

from . import schema
from .errors import InvalidRequest, body_object, problem
from .idempotency import idempotent
from .representations import refund_data
from .serializers import Moment, RefundSerializer, page_serializer
from .views import ApiView, FeedView, feed_schema, settled


class RefundConflict(exceptions.APIException):
    """409: the report contradicts what was reported before; ``code`` says how."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


RefundPageSerializer = page_serializer("RefundPage", RefundSerializer)


class ExecutedReportSerializer(ClosedSerializer):
    reference = serializers.CharField(max_length=255, help_text="Your reference for it.")
    executed_at = Moment(help_text="When you sent it (ISO 8601 with a zone).")


class FailedReportSerializer(ClosedSerializer):
    reason = serializers.CharField(max_length=2000, help_text="Why it could not be sent.")


STATUS_PARAMETER = OpenApiParameter(
    "status", {"type": "string", "enum": RefundStatus.values}, description="Only these."
)


@feed_schema(
    RefundPageSerializer,
    operation_id="list_refunds",
    summary="Refund instructions made after a cursor, oldest first",
    description="Each outcome that moves money instructs one refund (an appeal that raises "
    "a refund, the difference). Read again from `next_cursor` to get the ones made since; "
    "`status` keeps only those in that status now.",
    extra_parameters=[STATUS_PARAMETER],
)
class RefundsView(FeedView):
    query_parameters = frozenset(("after", "limit", "status"))
    page_serializer = RefundPageSerializer

    def items(self, after, limit):
        instructions = settled(RefundInstruction.objects.all(), int(after), created="instructed_at")
        wanted = self.request.query_params.get("status")
        if wanted is not None:
            if wanted not in RefundStatus.values:
                raise InvalidRequest(
                    "The query is not valid.",
                    problems=[problem("status", f"must be one of {', '.join(RefundStatus)}")],
                )
            instructions = instructions.filter(status=wanted)
        page = instructions.select_related("order", "replaces").order_by("pk")[: limit + 1]
        return [RefundSerializer(refund_data(instruction)).data for instruction in page]


def _report(report, **kwargs) -> Response:
    """Make ``report`` with ``kwargs``; the instruction as it now stands, or the refusal."""
    try:
        instruction = report(**kwargs)
    except ObjectDoesNotExist:
        raise exceptions.NotFound(f"No refund has the id {kwargs['refund_id']}.") from None
    except DisputeActionError as refusal:
        raise RefundConflict(refusal.message, refusal.code) from None
    return Response(RefundSerializer(refund_data(instruction)).data)


def report_schema(operation_id, summary, request):
    return extend_schema(
        operation_id=operation_id,
        summary=summary,
        request=request,
        parameters=[schema.IDEMPOTENCY_KEY],
        responses={
            200: RefundSerializer,
            **schema.error(
                409,
                "Contradicts an earlier report (failed after executed, another reference), "
                "or the refund was instructed again under another id: `code` says which.",
            ),
            **schema.errors(400, 401, 404, 413, 415, 422, 429),
        },
    )


class RefundExecutedView(ApiView):
    @report_schema(
        "report_refund_executed",
        "The refund was sent: your reference and time (the same report again changes nothing)",
        ExecutedReportSerializer,
    )
    @idempotent
    def post(self, request, refund_id):
        report = ExecutedReportSerializer(
            data=body_object(request.data, {"reference", "executed_at"})
        )
        report.is_valid(raise_exception=True)
        return _report(refunds.report_executed, refund_id=refund_id, **report.validated_data)


class RefundFailedView(ApiView):
    @report_schema(
        "report_refund_failed",
        "The refund could not be sent, and why: the mediators follow it up",
        FailedReportSerializer,
    )
    @idempotent
    def post(self, request, refund_id):
        report = FailedReportSerializer(data=body_object(request.data, {"reason"}))
        report.is_valid(raise_exception=True)
        return _report(refunds.report_failed, refund_id=refund_id, **report.validated_data)
