"""The marketplace's API, version 1 (PRODUCT.md §10; docs/api.md).

Orders in go through ``orders.importing`` — the validation and all-or-nothing upsert of
``import_orders`` — and disputes out are read in the order their events happened, from a
cursor. Writes accept an ``Idempotency-Key``.
"""

import heapq
import itertools
import re
from dataclasses import asdict
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, Min, OuterRef, Q
from django.utils import timezone, translation
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from disputes.models import Dispute, DisputeEvent
from orders.importing import OrderImportError, import_orders
from orders.models import Order, OrderEvent, OrderEventKind

from . import representations, schema, serializers
from .errors import InvalidRequest, PayloadTooLarge, ReceiptConfirmed, body_object, problem
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
            problem(found.field, found.message, None if single else found.index, found.code)
            for found in error.problems
        ]
        count = len(problems)
        raise InvalidRequest(
            f"Nothing was written: {count} problem{'s' if count != 1 else ''}.",
            problems=problems,
            code="invalid_orders",
        ) from None


class ApiView(APIView):
    """Answers in English, and refuses query parameters it does not take, as bodies refuse
    unknown fields."""

    query_parameters = frozenset()

    def dispatch(self, request, *args, **kwargs):
        # Programs read these answers: the same words whatever Accept-Language says.
        with translation.override("en"):
            return super().dispatch(request, *args, **kwargs)

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
        description="Sets `shipped_at`, `received_at` and/or `delivery_by` (null clears one) "
        "through the same validation as the bulk upsert: received after shipped, shipped and "
        "delivery promised after placed. Once the "
        "buyer confirmed receipt, another `received_at` is refused (409 `receipt_confirmed`) "
        "and nothing is written.",
        request=serializers.OrderDatesSerializer,
        parameters=[schema.IDEMPOTENCY_KEY],
        responses={
            200: serializers.OrderSerializer,
            **schema.errors(400, 401, 404, 409, 413, 415, 422, 429),
        },
    )
    @idempotent
    def patch(self, request, number):
        data = body_object(request.data, {"shipped_at", "received_at", "delivery_by"})
        if not data:
            raise InvalidRequest(
                "Give shipped_at, received_at, delivery_by or several.",
                problems=[problem("(body)", "has none of shipped_at, received_at, delivery_by")],
            )
        order = self._order(number)
        with transaction.atomic():
            report = _import([representations.order_record(order) | data], single=True)
            if report.receipts_kept:
                raise ReceiptConfirmed(order.receipt_confirmed_at)  # and rolls back
        order = self._order(number)
        return Response(serializers.OrderSerializer(representations.order_data(order)).data)


POSITION = f"[0-9]{{1,{CURSOR_DIGITS}}}"


def _cursor(request, pattern):
    """The ``after`` (matching ``pattern``) and ``limit`` query parameters, checked."""
    after, limit = request.query_params.get("after", "0"), request.query_params.get("limit")
    problems = []
    if not re.fullmatch(pattern, after, flags=re.ASCII):
        problems.append(problem("after", "must be a cursor this API gave"))
    if limit is not None and not (
        limit.isascii() and limit.isdigit() and 1 <= int(limit) <= MAX_PAGE
    ):
        problems.append(problem("limit", f"must be a whole number from 1 to {MAX_PAGE}"))
    if problems:
        raise InvalidRequest("The query is not valid.", problems=problems)
    return after, int(limit) if limit else DEFAULT_PAGE


def _settle_time():
    """Rows created after this may still be joined by rows with smaller ids (``settled``)."""
    return timezone.now() - timedelta(seconds=settings.API_FEED_SETTLE_SECONDS)


def settled(rows, after, *, created="created_at"):
    """The ``rows`` after the cursor that every reader will see in this order for good.

    Ids are handed out before their transaction commits, so a row could become visible
    after one with a greater id; a reader already past it would never see it. A feed
    therefore stops short of the first row younger than ``API_FEED_SETTLE_SECONDS``
    (longer than any action's transaction; ``created`` names its time), and of anything
    after it.
    """
    rows = rows.filter(pk__gt=after)
    young = Q(**{f"{created}__gt": _settle_time()})
    # The young rows are found by the index on their time. For a plain MIN, PostgreSQL may
    # walk the ids from the cursor instead until one is young (LIMIT 1 on the primary key),
    # which from an early cursor reads the whole table; never for an aggregate's FILTER.
    horizon = rows.filter(young).aggregate(first=Min("pk", filter=young))["first"]
    return rows if horizon is None else rows.filter(pk__lt=horizon)


def settled_page(events, after, limit):
    """The first ``limit + 1`` of ``events`` after the cursor, in the order of their ids,
    stopped short of the first young one as ``settled`` does.

    Cut from the page itself: a young event beyond the page would cut nothing from it, so
    no query looks for the first one among every event after the cursor.
    """
    since = _settle_time()
    page = events.filter(pk__gt=after).order_by("pk")[: limit + 1]
    return list(itertools.takewhile(lambda event: event.created_at <= since, page))


def cursor_parameters(pattern):
    return [
        OpenApiParameter(
            "after",
            {"type": "string", "pattern": f"^{pattern}$"},
            description="A cursor from a previous answer (`next_cursor`); omitted: from the start.",
        ),
        OpenApiParameter(
            "limit",
            {"type": "integer", "minimum": 1, "maximum": MAX_PAGE},
            description=f"At most this many (default {DEFAULT_PAGE}).",
        ),
    ]


class FeedView(ApiView):
    """A feed read from a cursor (``cursor_pattern``): ``items`` gives up to ``limit + 1``
    items after it (the extra one only says there is more), each with its ``cursor``."""

    query_parameters = frozenset(("after", "limit"))
    cursor_pattern = POSITION
    page_serializer = None

    def items(self, after, limit):
        raise NotImplementedError

    def get(self, request):
        after, limit = _cursor(request, self.cursor_pattern)
        items = self.items(after, limit)
        page = {
            "results": items[:limit],
            "next_cursor": items[:limit][-1]["cursor"] if items else after,
            "has_more": len(items) > limit,
        }
        return Response(self.page_serializer(page).data)


def feed_schema(page_serializer, cursor_pattern=POSITION, extra_parameters=(), **kwargs):
    return extend_schema_view(
        get=extend_schema(
            parameters=[*cursor_parameters(cursor_pattern), *extra_parameters],
            responses={200: page_serializer, **schema.errors(400, 401, 429)},
            **kwargs,
        )
    )


# A position in the dispute events, then in the order events (receipt confirmations).
EVENTS_CURSOR = rf"{POSITION}(\.{POSITION})?"


@feed_schema(
    serializers.EventPageSerializer,
    EVENTS_CURSOR,
    operation_id="list_events",
    summary="Every dispute event and receipt confirmation after a cursor, oldest first",
)
class EventsView(FeedView):
    """Dispute events and the buyers' receipt confirmations, each table read in the order
    of its ids and the two merged by time; the cursor holds a position in each
    (``<dispute event>.<order event>``; a cursor of one number, from before receipts were
    in the feed, is a dispute event's, and reads every receipt once)."""

    cursor_pattern = EVENTS_CURSOR
    page_serializer = serializers.EventPageSerializer

    def items(self, after, limit):
        dispute_position, _dot, order_position = after.partition(".")
        dispute_events = settled_page(
            representations.dispute_events(DisputeEvent.objects.all()),
            int(dispute_position),
            limit,
        )
        receipts = settled_page(
            representations.order_events(
                OrderEvent.objects.filter(kind=OrderEventKind.RECEIPT_CONFIRMED)
            ),
            int(order_position or 0),
            limit,
        )
        # Each table in the order of its ids (a page never skips one), whichever came first.
        merged = heapq.merge(dispute_events, receipts, key=lambda event: event.created_at)
        items = []
        positions = {DisputeEvent: int(dispute_position), OrderEvent: int(order_position or 0)}
        for event in itertools.islice(merged, limit + 1):
            positions[type(event)] = event.pk
            data = (
                representations.event_data(event)
                if isinstance(event, DisputeEvent)
                else representations.order_event_data(event)
            )
            items.append(data | {"cursor": f"{positions[DisputeEvent]}.{positions[OrderEvent]}"})
        return items


def _matching_disputes(
    *,
    order=None,
    buyer=None,
    seller=None,
    status=None,
    stage=None,
    opened_from=None,
    opened_before=None,
):
    """The disputes the filters of ``/disputes/`` keep (each one given narrows them)."""
    conditions = {
        "order__number": order,
        "order__buyer__marketplace_id": buyer,
        "seller__user__marketplace_id": seller,
        "status": status,
        "stage": stage,
        "opened_at__gte": opened_from,
        "opened_at__lt": opened_before,
    }
    return Dispute.objects.filter(
        **{lookup: value for lookup, value in conditions.items() if value is not None}
    )


@feed_schema(
    serializers.DisputePageSerializer,
    operation_id="list_disputes",
    summary="Disputes that changed after a cursor, in the order of their last change",
    description="Each dispute appears once, at its latest event; read again from "
    "`next_cursor` to get the ones that changed since. The filters keep the disputes of an "
    "order, of a buyer or seller (by the marketplace's account id), in a status or stage, "
    "or opened in a time range; the cursor works the same with them.",
    extra_parameters=[serializers.DisputeFiltersSerializer],
)
class DisputesView(FeedView):
    query_parameters = FeedView.query_parameters | set(
        serializers.DisputeFiltersSerializer().fields
    )
    page_serializer = serializers.DisputePageSerializer

    def items(self, after, limit):
        events = settled(DisputeEvent.objects.all(), int(after))
        # Each dispute at its latest settled event: the events that no later one of their
        # dispute follows, read in the order of their ids until the page is full (grouping
        # the events by dispute would read every one after the cursor).
        latest = events.filter(
            ~Exists(events.filter(dispute=OuterRef("dispute"), pk__gt=OuterRef("pk")))
        )
        # A plain dict: from a QueryDict, DRF would take an empty value for an absent one.
        filters = serializers.DisputeFiltersSerializer(data=self.request.query_params.dict())
        filters.is_valid(raise_exception=True)
        if filters.validated_data:
            latest = latest.filter(dispute__in=_matching_disputes(**filters.validated_data))
        changed = list(latest.order_by("pk").values_list("dispute", "pk")[: limit + 1])
        disputes = (
            Dispute.objects.select_related(*representations.DISPUTE_RELATIONS)
            .prefetch_related(*representations.DISPUTE_PREFETCH)
            .in_bulk([dispute for dispute, _last in changed])
        )
        return [
            representations.dispute_data(disputes[dispute], last_event=last)
            for dispute, last in changed
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
        events = list(representations.dispute_events(dispute.events.order_by("pk")))
        data = representations.dispute_data(dispute, events=events)
        return Response(serializers.DisputeDetailSerializer(data).data)
