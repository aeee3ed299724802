"""The JSON the API takes and answers with, described once: drf-spectacular reads these
serializers for the OpenAPI schema, and each answer's serializer turns the plain data of
``representations`` into JSON.

An order record is ``orders.importing.OrderRecordSerializer``, the single validation of
``import_orders``; the requests below only wrap it.
"""

from datetime import UTC, datetime

from django.conf import settings
from rest_framework import serializers

from disputes.models import (
    AppealRuling,
    DecisionReason,
    DisputeReason,
    DisputeStatus,
    EscalationReason,
    EventKind,
    Outcome,
    Party,
    RefundRequest,
    RefundStatus,
    Stage,
)
from orders.importing.validating import (
    ClosedSerializer,
    OrderRecordSerializer,
    delivery_by_field,
    received_at_field,
    shipped_at_field,
)
from orders.models import OrderEventKind, OrderStatus

from . import webhook_types

ACTORS = ["buyer", "seller", "mediator"]


def money(**kwargs):
    # No fixed decimals: each amount has its currency's (``orders.money.in_minor_units``,
    # applied by ``representations``): "12.99" EUR, "1234" JPY, "1.250" BHD.
    return serializers.DecimalField(max_digits=13, decimal_places=None, **kwargs)


class Moment(serializers.DateTimeField):
    """Always in UTC ("2026-10-01T09:30:00Z"), whatever zone the site shows people."""

    def __init__(self, **kwargs):
        super().__init__(default_timezone=UTC, **kwargs)


def moment(value: datetime) -> str:
    """A time as every answer and webhook gives it (``Moment``), for a payload built by hand."""
    text: str = Moment().to_representation(value)
    return text


def nullable(field_class, *args, **kwargs):
    return field_class(*args, allow_null=True, **kwargs)


class ProblemSerializer(serializers.Serializer):
    index = nullable(
        serializers.IntegerField, help_text="The record's index in `orders`; null for one order."
    )
    field = serializers.CharField(help_text='The field, dotted for nested ones: "buyer.email".')
    message = serializers.CharField()
    code = serializers.CharField(
        required=False,
        help_text="For programs, on an order record's problems: e.g. too_precise_for_currency "
        "(more decimals than the currency has), in_future; invalid for the others.",
    )


PROBLEM_CONTENT_TYPE = "application/problem+json"


class ProblemDetailsSerializer(serializers.Serializer):
    """An error, as RFC 9457 describes it, with our extension members."""

    type = serializers.CharField(help_text="A URI naming the problem: one per `code`.")
    title = serializers.CharField(help_text="The HTTP status's phrase.")
    status = serializers.IntegerField()
    detail = serializers.CharField(help_text="For people (always in English).")
    code = serializers.CharField(help_text="For programs: e.g. invalid_orders, not_found.")
    problems = ProblemSerializer(many=True, help_text="Each record and field at fault.")
    request_id = serializers.CharField(
        help_text="This request's id, also in the X-Request-ID header: quote it to us."
    )


class ImportReportSerializer(serializers.Serializer):
    dry_run = serializers.BooleanField(help_text="True: checked and reported, nothing written.")
    created = serializers.ListField(child=serializers.CharField(), help_text="Order numbers.")
    updated = serializers.ListField(child=serializers.CharField())
    unchanged = serializers.ListField(child=serializers.CharField())
    buyers_created = serializers.ListField(child=serializers.CharField(), help_text="Usernames.")
    buyers_updated = serializers.ListField(
        child=serializers.CharField(), help_text="Given a new email."
    )
    buyers_renamed = serializers.ListField(
        child=serializers.CharField(),
        help_text="Given a new username (found by their marketplace id): the new usernames.",
    )
    sellers_created = serializers.ListField(child=serializers.CharField(), help_text="Names.")
    seller_accounts_created = serializers.ListField(child=serializers.CharField())
    seller_accounts_updated = serializers.ListField(child=serializers.CharField())
    seller_accounts_renamed = serializers.ListField(child=serializers.CharField())
    sellers_linked = serializers.ListField(child=serializers.CharField())
    receipts_kept = serializers.ListField(
        child=serializers.CharField(),
        help_text="Orders whose buyer confirmed receipt: the record's receipt time was not taken.",
    )
    receipts_recorded = serializers.ListField(
        child=serializers.CharField(),
        help_text="Orders with a dispute: the record's receipt time was recorded as an event; "
        "one the order already had stays, with the dispute window it started.",
    )


class OrdersUpsertSerializer(ClosedSerializer):
    """Order records to create or update, all or none."""

    orders = OrderRecordSerializer(many=True, max_length=settings.API_MAX_ORDERS)
    dry_run = serializers.BooleanField(
        default=False, help_text="Check and report what would change, writing nothing."
    )


class OrderDatesSerializer(ClosedSerializer):
    """An order's shipment, receipt or promised delivery date, as a record gives them."""

    shipped_at = shipped_at_field()
    received_at = received_at_field()
    delivery_by = delivery_by_field()


class AccountSerializer(serializers.Serializer):
    username = serializers.CharField()
    email = serializers.CharField(allow_blank=True)


class SellerSerializer(serializers.Serializer):
    name = serializers.CharField()
    username = nullable(
        serializers.CharField, help_text="The seller's account; null: it cannot answer."
    )


class OrderSerializer(serializers.Serializer):
    number = serializers.CharField()
    buyer = AccountSerializer()
    seller = SellerSerializer()
    item = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    price = money()
    currency = serializers.CharField()
    placed_at = Moment()
    shipped_at = nullable(Moment)
    received_at = nullable(Moment)
    delivery_by = nullable(
        Moment, help_text="The delivery date promised; null: the default after shipment."
    )
    receipt_confirmed_at = nullable(
        Moment,
        help_text="When the buyer confirmed receipt in the dispute centre (then `received_at` "
        "is this time, and a later receipt time from the marketplace is not applied).",
    )
    status = serializers.ChoiceField(OrderStatus.choices)


class EventSerializer(serializers.Serializer):
    cursor = serializers.CharField(help_text="Pass as `after` to read what came next.")
    id = serializers.CharField(
        help_text='Stable, and the `id` of its webhook: "dispute-event-40", "order-event-7".'
    )
    dispute = nullable(
        serializers.IntegerField,
        help_text="null: an order's event (`receipt_confirmed`: the buyer confirmed receipt).",
    )
    order = serializers.CharField(help_text="The order's number.")
    kind = serializers.ChoiceField([*EventKind.choices, *OrderEventKind.choices])
    created_at = Moment()
    actor = nullable(serializers.ChoiceField, ACTORS, help_text="null: a deadline acted by itself.")
    details = serializers.DictField(
        help_text="Some of: reason, refund_request, requested_amount, refund_amount, amount, "
        "outcome, party, ruling, postage_paid_by, carrier, tracking_number, decision_reason "
        "(amounts as decimal strings); received_at for a receipt confirmation; for a parcel not "
        "received: carrier, tracking_number (delivery_proved), delivery_by "
        "(delivery_extended, extension_accepted), previous_reason (reason_changed); for "
        "refunds: refund (its id), replaces, reference, executed_at, failure_reason."
    )


class OrderSummarySerializer(serializers.Serializer):
    number = serializers.CharField()
    price = money()
    currency = serializers.CharField()


class RequestSerializer(serializers.Serializer):
    refund_request = serializers.ChoiceField(RefundRequest.choices)
    requested_amount = nullable(money, help_text="null for a full refund.")


class NextStepSerializer(serializers.Serializer):
    actor = nullable(
        serializers.ChoiceField, ACTORS, help_text="Who must act next; null once ended."
    )
    deadline = nullable(Moment)
    enforced = serializers.BooleanField(
        help_text="True: when the deadline passes the dispute moves on by itself."
    )


class EscalationSerializer(serializers.Serializer):
    escalated_at = Moment()
    reason = serializers.ChoiceField(EscalationReason.choices)


class OutcomeSerializer(serializers.Serializer):
    by_agreement = serializers.BooleanField(
        help_text="True: the parties agreed; false: a mediator decided."
    )
    outcome = serializers.ChoiceField(Outcome.choices)
    refund_amount = nullable(money, help_text="What the buyer is refunded; null: nothing.")
    decided_at = Moment()
    decided_by = serializers.ChoiceField(ACTORS)
    decision_reason = nullable(
        serializers.ChoiceField,
        DecisionReason.choices,
        help_text="Why a mediator decided so; null for an agreement.",
    )


class ReturnSerializer(serializers.Serializer):
    asked_by = serializers.ChoiceField(
        [("seller", "seller"), ("mediator", "mediator")],
        help_text="The seller, accepting on condition of the return; or a mediator, deciding "
        "a refund after return.",
    )
    postage_paid_by = serializers.ChoiceField(Party.choices)
    carrier = nullable(serializers.CharField, help_text="null until the buyer shipped it.")
    tracking_number = nullable(serializers.CharField, help_text="null until shipped.")
    shipped_at = nullable(Moment)


class AppealSerializer(serializers.Serializer):
    party = serializers.ChoiceField(Party.choices, help_text="Who appealed.")
    sent_at = Moment()
    answer_due = Moment(help_text="When customer service should answer (not enforced).")
    answered_at = nullable(Moment)
    ruling = nullable(
        serializers.ChoiceField,
        AppealRuling.choices,
        help_text="replaced: `outcome` is the new decision (its own `decided` event).",
    )
    answer_reason = nullable(
        serializers.ChoiceField,
        DecisionReason.choices,
        help_text="Why, once answered (the replacing decision's reason too).",
    )


class OfferSerializer(serializers.Serializer):
    amount = serializers.CharField(help_text="A decimal string.")
    made_at = Moment()


class InformationRequestSerializer(serializers.Serializer):
    party = serializers.ChoiceField(Party.choices)
    requested_at = Moment()


class DeliverySerializer(serializers.Serializer):
    """What the seller answered to "Item not received" (PRODUCT.md §2a)."""

    carrier = serializers.CharField(allow_blank=True, help_text="Empty: no proof of delivery.")
    tracking_number = serializers.CharField(allow_blank=True)
    extended_to = nullable(Moment, help_text="The later delivery date the seller gave, once.")
    extension_accepted_at = nullable(
        Moment, help_text="When the buyer accepted that date (the dispute was cancelled)."
    )


class DisputeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    order = OrderSummarySerializer()
    buyer = serializers.CharField(help_text="The buyer's username.")
    seller = serializers.CharField(help_text="The seller's name.")
    status = serializers.ChoiceField(DisputeStatus.choices)
    stage = nullable(
        serializers.ChoiceField, Stage.choices, help_text="Where an open dispute stands."
    )
    reason = serializers.ChoiceField(DisputeReason.choices)
    request = RequestSerializer()
    opened_at = Moment()
    next_step = NextStepSerializer()
    stage_started_at = nullable(Moment)
    offer_amount = nullable(money, help_text="The seller's offer of a partial refund.")
    information_requested_from = nullable(serializers.ChoiceField, Party.choices)
    escalation = nullable(EscalationSerializer)
    cancelled_at = nullable(Moment)
    outcome = nullable(OutcomeSerializer, help_text="Once agreed or decided.")
    appeal = nullable(AppealSerializer, help_text="The buyer's appeal (see `appeals`).")
    appeals = AppealSerializer(many=True, help_text="Each party's appeal, one at most.")
    delivery = nullable(DeliverySerializer, help_text="Only for an item not received.")
    item_return = nullable(
        ReturnSerializer,
        help_text="When the refund waits, or waited, for the item's return (PRODUCT.md §4e).",
    )
    assigned_to = nullable(
        serializers.CharField, help_text="The username of the mediator handling it."
    )


class DisputeInListSerializer(DisputeSerializer):
    cursor = serializers.CharField(
        help_text="The dispute's last event: pass as `after` to read what changed next."
    )


class DisputeDetailSerializer(DisputeSerializer):
    events = EventSerializer(many=True)
    offers = OfferSerializer(many=True)
    information_requests = InformationRequestSerializer(many=True)


class RefundSerializer(serializers.Serializer):
    cursor = serializers.CharField(help_text="Pass as `after` to read the refunds made next.")
    id = serializers.UUIDField(
        help_text="Stable: use it as your idempotency key when you execute the refund."
    )
    dispute = serializers.IntegerField()
    order = serializers.CharField(help_text="The order's number.")
    amount = money(help_text="More than 0: what to refund to the buyer.")
    currency = serializers.CharField()
    outcome = serializers.ChoiceField(Outcome.choices, help_text="The outcome it carries out.")
    status = serializers.ChoiceField(
        RefundStatus.choices,
        help_text="superseded: it failed and was instructed again under another id.",
    )
    instructed_at = Moment()
    replaces = nullable(
        serializers.UUIDField, help_text="The failed refund this one instructs again."
    )
    reference = nullable(serializers.CharField, help_text="Yours, once reported executed.")
    executed_at = nullable(Moment)
    failure_reason = nullable(serializers.CharField)
    failed_at = nullable(Moment)


class DisputeFiltersSerializer(serializers.Serializer):
    """The filters of ``/disputes/``: each one given narrows the disputes listed."""

    order = serializers.CharField(required=False, help_text="An order's number.")
    buyer = serializers.CharField(
        required=False, help_text="The buyer's account id at the marketplace (its `buyer.id`)."
    )
    seller = serializers.CharField(
        required=False,
        help_text="The seller's account id at the marketplace (its seller object's `id`).",
    )
    status = serializers.ChoiceField(DisputeStatus.choices, required=False)
    stage = serializers.ChoiceField(Stage.choices, required=False)
    opened_from = Moment(required=False, help_text="Opened at or after this time.")
    opened_before = Moment(required=False, help_text="Opened before this time.")


def page_serializer(name, item):
    return type(
        name,
        (serializers.Serializer,),
        {
            "results": item(many=True),
            "next_cursor": serializers.CharField(
                help_text="Pass as `after` next time (the same cursor when nothing came)."
            ),
            "has_more": serializers.BooleanField(help_text="True: ask again at once."),
        },
    )


EventPageSerializer = page_serializer("EventPage", EventSerializer)
DisputePageSerializer = page_serializer("DisputePage", DisputeInListSerializer)


class DisputeWebhookDataSerializer(serializers.Serializer):
    dispute = DisputeSerializer(help_text="As `GET /disputes/{id}/` shows it, without events.")
    event = EventSerializer(help_text="As the events feed shows it, with the same id.")


class ReceiptWebhookDataSerializer(serializers.Serializer):
    order = OrderSerializer(help_text="As `GET /orders/{number}/` shows it.")
    received_at = Moment(help_text="The receipt time the buyer confirmed.")


class WebhookSerializer(serializers.Serializer):
    id = serializers.CharField(
        help_text="The event's id, also in `webhook-id`: the same at every attempt."
    )
    created_at = Moment(help_text="When the event happened.")


class DisputeWebhookSerializer(WebhookSerializer):
    """A dispute event POSTed to a client that chose its type."""

    type = serializers.ChoiceField(
        [value for value, _label in webhook_types.choices() if value.startswith("dispute.")]
    )
    data = DisputeWebhookDataSerializer()


class RefundWebhookDataSerializer(DisputeWebhookDataSerializer):
    refund = RefundSerializer(help_text="As `GET /refunds/` shows it: execute it once, by `id`.")


class RefundWebhookSerializer(WebhookSerializer):
    """A refund for the marketplace to execute (PRODUCT.md §4f)."""

    type = serializers.ChoiceField(["refund.instructed"])
    data = RefundWebhookDataSerializer()


class ReceiptWebhookSerializer(WebhookSerializer):
    """The buyer confirmed receipt in the dispute centre (PRODUCT.md §9)."""

    type = serializers.ChoiceField([webhook_types.RECEIPT_CONFIRMED])
    data = ReceiptWebhookDataSerializer()
