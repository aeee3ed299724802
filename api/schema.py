"""OpenAPI pieces drf-spectacular cannot infer: the token scheme, what the order record's
own fields take (``orders.importing.validating``) and the errors every operation may
answer."""

from django.conf import settings
from drf_spectacular.extensions import (
    OpenApiAuthenticationExtension,
    OpenApiSerializerExtension,
    OpenApiSerializerFieldExtension,
)
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    OpenApiWebhook,
    extend_schema,
)

from orders.importing import EXAMPLE_ORDER

from . import serializers
from .serializers import PROBLEM_CONTENT_TYPE, ProblemDetailsSerializer


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.ApiTokenAuthentication"
    name = "clientToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "The client's token, created in the admin: "
            "`Authorization: Bearer dcapi_...`.",
        }


class ClosedSerializerSchema(OpenApiSerializerExtension):
    """A serializer that refuses fields it does not declare says so."""

    target_class = "orders.importing.validating.ClosedSerializer"
    match_subclasses = True

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_basic_serializer(self.target, direction)
        return schema | {"additionalProperties": False}


class SellerFieldSchema(OpenApiSerializerFieldExtension):
    """A seller's name, or its name with its account."""

    target_class = "orders.importing.validating.SellerField"

    def map_serializer_field(self, auto_schema, direction):
        return {
            "oneOf": [
                auto_schema._map_serializer_field(self.target.name, direction),
                auto_schema.resolve_serializer(self.target.with_account, direction).ref,
            ],
        }


class PriceSchema(OpenApiSerializerFieldExtension):
    target_class = "orders.importing.validating.Price"

    def map_serializer_field(self, auto_schema, direction):
        return {
            "description": 'More than 0, at most 2 decimals: a string ("12.99") or a number.',
            "anyOf": [{"type": "string"}, {"type": "number"}],
        }


IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    {"type": "string", "pattern": r"^[\x21-\x7e]{1,255}$"},
    OpenApiParameter.HEADER,
    description="Any unique string (255 characters at most, e.g. a UUID): a retry with the "
    "same key and body gets the first answer again, and writes nothing twice. Kept 24 hours.",
)


def error(status, description):
    """One error response of an operation: a problem (``errors.problem_body``)."""
    return {(status, PROBLEM_CONTENT_TYPE): OpenApiResponse(ProblemDetailsSerializer, description)}


ERRORS = {
    400: "Malformed JSON, wrong types, unknown fields or invalid records: nothing written.",
    401: "No token, an unknown one, or a revoked client's.",
    404: "No such order, dispute or endpoint.",
    409: "Not applied: the buyer confirmed the receipt (`receipt_confirmed`).",
    413: f"More than {settings.API_MAX_ORDERS:,} orders, or a body over the size limit.",
    415: "The body is not application/json.",
    422: "The Idempotency-Key was used for another request.",
    429: "Too many requests: wait the number of seconds in Retry-After.",
}


def errors(*statuses):
    return {
        key: response
        for status in statuses
        for key, response in error(status, ERRORS[status]).items()
    }


EXAMPLE_RECORD = OpenApiExample(
    "Two orders",
    value={
        "orders": [
            EXAMPLE_ORDER,
            EXAMPLE_ORDER
            | {
                "number": "8030112233445567",
                "buyer": {"id": "u-20931", "username": "bob", "email": "bob@example.com"},
                "seller": "Lyon Outlet",
                "item": "Phone case",
                "price": "9.50",
                "shipped_at": None,
            },
        ]
    },
    request_only=True,
)


WEBHOOK_SIGNATURE = (
    " Signed the Standard Webhooks way (`webhook-id`, `webhook-timestamp`, "
    "`webhook-signature`): verify with the `standardwebhooks` library and the client's "
    "`whsec_` secret. Any 2xx answer is a delivery; anything else is retried for at least "
    "24 hours. See docs/api.md."
)


def webhook(name, summary, description, payload):
    return OpenApiWebhook(
        name=name,
        decorator=extend_schema(
            summary=summary,
            description=description + WEBHOOK_SIGNATURE,
            request=payload,
            responses={200: OpenApiResponse(description="Received (any 2xx).")},
        ),
    )


# Listed in SPECTACULAR_SETTINGS["WEBHOOKS"].
DISPUTE_EVENT_WEBHOOK = webhook(
    "dispute event",
    "A dispute event, of a type the client chose",
    "Every dispute event can be sent: `dispute.agreed`, `dispute.decided` and "
    "`dispute.appeal_answered` by default, `dispute.<kind>` for the others.",
    serializers.DisputeWebhookSerializer,
)
REFUND_INSTRUCTED_WEBHOOK = webhook(
    "refund.instructed",
    "A refund to execute",
    "Sent by default, in the transaction of the outcome it carries out; its `refund.id` is "
    "the idempotency key. Report it with `POST /refunds/{id}/executed/` or `.../failed/`.",
    serializers.RefundWebhookSerializer,
)
RECEIPT_CONFIRMED_WEBHOOK = webhook(
    "order.receipt_confirmed",
    "The buyer confirmed receipt",
    "Sent by default.",
    serializers.ReceiptWebhookSerializer,
)
