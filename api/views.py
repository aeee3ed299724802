"""The marketplace's API, version 1 (PRODUCT.md §10; docs/api.md).

Orders in go through ``orders.importing`` — the validation and all-or-nothing upsert of
``import_orders`` — and disputes out are read in the order their events happened, from a
cursor. Writes accept an ``Idempotency-Key``.
"""

from dataclasses import asdict
from datetime import timedelta

from django.conf import settings
from django.db.models import Max, Min
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from disputes.models import Dispute, DisputeEvent
from orders.importing import OrderImportError, import_orders
from orders.models import Order

from . import representations, schema, serializers
from .errors import InvalidRequest, PayloadTooLarge, body_object, problem
from .idempotency import idempotent
from .throttling import BulkOrdersThrottle, ClientRateThrottle

MAX_PAGE = 500
DEFAULT_PAGE = 100
CURSOR_DIGITS = 18  # any id a bigint holds, with room to spare


def _import(records, *, dry_run=False, single=False):
    try:
        return import_orders(records, dry_run=dry_run)
    except OrderImportError as error:
        problems = [
            problem(found.field, found.message, None if single else found.index)
            for found in error.problems
        ]
        count = len(problems)
        raise InvalidRequest(
            f"Nothing was written: {count} problem{'s' if count != 1 else ''}.",
            problems=problems,
            code="invalid_orders",
        ) from None


class ApiView(APIView):
    """Refuses query parameters it does not take, as bodies refuse unknown fields."""

    query_parameters = frozenset()

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # authenticated and throttled first
        unknown = [name for name in request.query_params if name not in self.query_parameters]
        if unknown:
            raise InvalidRequest(
                "The query has parameters this endpoint does not take.",
                problems=[problem(name, "is not a parameter of this endpoint") for name in unknown],
            )


class OrdersView(ApiView):
    throttle_classes = [ClientRateThrottle, BulkOrdersThrottle]

    @extend_schema(
        operation_id="upsert_orders",
        summary="Create or update orders in bulk (all or nothing)",
        description="The records of `import_orders` (PRODUCT.md §8), upserted by number, with "
        "the same validation: one bad record and nothing is written, every problem named "
        f"by index and field. At most {settings.API_MAX_ORDERS:,} orders per call.",
        request=serializers.OrdersUpsertSerializer,
        parameters=[schema.IDEMPOTENCY_KEY],
        responses={
            200: serializers.ImportReportSerializer,
            **schema.errors(400, 401, 413, 415, 422, 429),
        },
        examples=[schema.EXAMPLE_RECORD],
    )
    @idempotent
    def post(self, request):
        data = body_object(request.data, {"orders", "dry_run"})
        orders, dry_run = data.get("orders"), data.get("dry_run", False)
        problems = []
        if not isinstance(orders, list):
            problems.append(problem("orders", "must be an array of order records"))
        if not isinstance(dry_run, bool):
            problems.append(problem("dry_run", "must be true or false"))
        if problems:
            raise InvalidRequest("The body is not a valid bulk upsert.", problems=problems)
        if len(orders) > settings.API_MAX_ORDERS:
            raise PayloadTooLarge(
                f"At most {settings.API_MAX_ORDERS:,} orders per call; this one has "
                f"{len(orders):,}. Nothing was written."
            )
        report = _import(orders, dry_run=dry_run)
        return Response({"dry_run": dry_run, **asdict(report)})


class OrderView(ApiView):
    def _order(self, number):
        order = Order.objects.select_related("buyer", "seller__user").filter(number=number).first()
        if order is None:
            raise NotFound(f"No order has the number {number}.")
        return order

    @extend_schema(
        operation_id="get_order",
        summary="One order, as the dispute centre has it",
        responses={200: serializers.OrderSerializer, **schema.errors(401, 404, 429)},
    )
    def get(self, request, number):
        order = self._order(number)
        return Response(serializers.OrderSerializer(representations.order_data(order)).data)

    @extend_schema(
        operation_id="update_order_dates",
        summary="Shipment and receipt of one order",
        description="Sets `shipped_at` and/or `received_at` (null clears one) through the same "
        "validation as the bulk upsert: received after shipped, shipped after placed.",
        request=serializers.OrderDatesSerializer,
        parameters=[schema.IDEMPOTENCY_KEY],
        responses={
            200: serializers.OrderSerializer,
            **schema.errors(400, 401, 404, 413, 415, 422, 429),
        },
    )
    @idempotent
    def patch(self, request, number):
        data = body_object(request.data, {"shipped_at", "received_at"})
        if not data:
            raise InvalidRequest(
                "Give shipped_at, received_at or both.",
                problems=[problem("(body)", "has neither shipped_at nor received_at")],
            )
        order = self._order(number)
        _import([representations.order_record(order) | data], single=True)
        order = self._order(number)
        return Response(serializers.OrderSerializer(representations.order_data(order)).data)


def _cursor(request):
    """The ``after`` and ``limit`` query parameters, checked."""
    after, limit = request.query_params.get("after", "0"), request.query_params.get("limit")
    problems = []
    if not (after.isascii() and after.isdigit() and len(after) <= CURSOR_DIGITS):
        problems.append(problem("after", "must be a cursor this API gave (digits)"))
    if limit is not None and not (
        limit.isascii() and limit.isdigit() and 1 <= int(limit) <= MAX_PAGE
    ):
        problems.append(problem("limit", f"must be a whole number from 1 to {MAX_PAGE}"))
    if problems:
        raise InvalidRequest("The query is not valid.", problems=problems)
    return int(after), int(limit) if limit else DEFAULT_PAGE


def settled(rows, after, *, created="created_at"):
    """The ``rows`` after the cursor that every reader will see in this order for good.

    Ids are handed out before their transaction commits, so a row could become visible
    after one with a greater id; a reader already past it would never see it. A feed
    therefore stops short of the first row younger than ``API_FEED_SETTLE_SECONDS``
    (longer than any action's transaction; ``created`` names its time), and of anything
    after it.
    """
    rows = rows.filter(pk__gt=after)
    since = timezone.now() - timedelta(seconds=settings.API_FEED_SETTLE_SECONDS)
    horizon = rows.filter(**{f"{created}__gt": since}).aggregate(first=Min("pk"))["first"]
    return rows if horizon is None else rows.filter(pk__lt=horizon)


def _settled_events(after):
    return settled(DisputeEvent.objects.all(), after)


CURSOR_PARAMETERS = [
    OpenApiParameter(
        "after",
        {"type": "string", "pattern": f"^[0-9]{{1,{CURSOR_DIGITS}}}$"},
        description="A cursor from a previous answer (`next_cursor`); omitted: from the start.",
    ),
    OpenApiParameter(
        "limit",
        {"type": "integer", "minimum": 1, "maximum": MAX_PAGE},
        description=f"At most this many (default {DEFAULT_PAGE}).",
    ),
]


class FeedView(ApiView):
    """A feed read from a cursor: ``items`` gives up to ``limit + 1`` items after it (the
    extra one only says there is more), each with its ``cursor``."""

    query_parameters = frozenset(("after", "limit"))
    page_serializer = None

    def items(self, after, limit):
        raise NotImplementedError

    def get(self, request):
        after, limit = _cursor(request)
        items = self.items(after, limit)
        page = {
            "results": items[:limit],
            "next_cursor": items[:limit][-1]["cursor"] if items else str(after),
            "has_more": len(items) > limit,
        }
        return Response(self.page_serializer(page).data)


def feed_schema(page_serializer, **kwargs):
    return extend_schema_view(
        get=extend_schema(
            parameters=CURSOR_PARAMETERS,
            responses={200: page_serializer, **schema.errors(400, 401, 429)},
            **kwargs,
        )
    )


@feed_schema(
    serializers.EventPageSerializer,
    operation_id="list_events",
    summary="Every dispute event after a cursor, oldest first",
)
class EventsView(FeedView):
    page_serializer = serializers.EventPageSerializer

    def items(self, after, limit):
        events = (
            _settled_events(after)
            .select_related("actor", "dispute__order__seller")
            .order_by("pk")[: limit + 1]
        )
        return [representations.event_data(event) for event in events]


@feed_schema(
    serializers.DisputePageSerializer,
    operation_id="list_disputes",
    summary="Disputes that changed after a cursor, in the order of their last change",
    description="Each dispute appears once, at its latest event; read again from "
    "`next_cursor` to get the ones that changed since.",
)
class DisputesView(FeedView):
    page_serializer = serializers.DisputePageSerializer

    def items(self, after, limit):
        changed = list(
            _settled_events(after)
            .values("dispute")
            .annotate(last=Max("pk"))
            .order_by("last")[: limit + 1]
        )
        disputes = (
            Dispute.objects.select_related(*representations.DISPUTE_RELATIONS)
            .prefetch_related(*representations.DISPUTE_PREFETCH)
            .in_bulk([row["dispute"] for row in changed])
        )
        return [
            representations.dispute_data(disputes[row["dispute"]], last_event=row["last"])
            for row in changed
        ]


class DisputeView(ApiView):
    @extend_schema(
        operation_id="get_dispute",
        summary="One dispute: its stage, deadlines, request, offers, outcome and events",
        responses={200: serializers.DisputeDetailSerializer, **schema.errors(401, 404, 429)},
    )
    def get(self, request, pk):
        dispute = (
            Dispute.objects.select_related(*representations.DISPUTE_RELATIONS)
            .prefetch_related(*representations.DISPUTE_PREFETCH)
            .filter(pk=pk)
            .first()
        )
        if dispute is None:
            raise NotFound(f"No dispute has the id {pk}.")
        events = list(dispute.events.select_related("actor").order_by("pk"))
        for event in events:
            event.dispute = dispute  # its order is loaded already
        data = representations.dispute_data(dispute, events=events)
        return Response(serializers.DisputeDetailSerializer(data).data)
