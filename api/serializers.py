"""The JSON the API takes and answers with, described once: drf-spectacular reads these
serializers for the OpenAPI schema, and each answer's serializer turns the plain data of
``representations`` into JSON.

An order record is ``orders.importing.OrderRecordSerializer``, the single validation of
``import_orders``; the requests below only wrap it.
"""

from datetime import UTC

from django.conf import settings
from rest_framework import serializers

from disputes.models import (
    AppealRuling,
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
    received_at_field,
    shipped_at_field,
)
from orders.models import OrderStatus

ACTORS = ["buyer", "seller", "mediator"]


def money(**kwargs):
    return serializers.DecimalField(max_digits=12, decimal_places=2, **kwargs)


class Moment(serializers.DateTimeField):
    """Always in UTC ("2026-10-01T09:30:00Z"), whatever zone the site shows people."""

    def __init__(self, **kwargs):
        super().__init__(default_timezone=UTC, **kwargs)


def nullable(field_class, *args, **kwargs):
    return field_class(*args, allow_null=True, **kwargs)


class ProblemSerializer(serializers.Serializer):
    index = nullable(
        serializers.IntegerField, help_text="The record's index in `orders`; null for one order."
    )
    field = serializers.CharField(help_text='The field, dotted for nested ones: "buyer.email".')
    message = serializers.CharField()


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="For programs: e.g. invalid_orders, not_found.")
    message = serializers.CharField(help_text="For people.")
    problems = ProblemSerializer(many=True)


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()


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


class OrdersUpsertSerializer(ClosedSerializer):
    """Order records to create or update, all or none."""

    orders = OrderRecordSerializer(many=True, max_length=settings.API_MAX_ORDERS)
    dry_run = serializers.BooleanField(
        default=False, help_text="Check and report what would change, writing nothing."
    )


class OrderDatesSerializer(ClosedSerializer):
    """One or both of an order's shipment and receipt, as a record gives them."""

    shipped_at = shipped_at_field()
    received_at = received_at_field()


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
    status = serializers.ChoiceField(OrderStatus.choices)


class EventSerializer(serializers.Serializer):
    cursor = serializers.CharField(help_text="Pass as `after` to read what came next.")
    id = serializers.IntegerField(help_text="Stable: the same event always has this id.")
    dispute = serializers.IntegerField()
    order = serializers.CharField(help_text="The order's number.")
    kind = serializers.ChoiceField(EventKind.choices)
    created_at = Moment()
    actor = nullable(serializers.ChoiceField, ACTORS, help_text="null: a deadline acted by itself.")
    details = serializers.DictField(
        help_text="Some of: reason, refund_request, requested_amount, refund_amount, amount, "
        "outcome, party, and for refunds: refund (its id), replaces, reference, executed_at, "
        "failure_reason (amounts as decimal strings)."
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


class OfferSerializer(serializers.Serializer):
    amount = serializers.CharField(help_text="A decimal string.")
    made_at = Moment()


class InformationRequestSerializer(serializers.Serializer):
    party = serializers.ChoiceField(Party.choices)
    requested_at = Moment()


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
