"""OpenAPI pieces drf-spectacular cannot infer: the token scheme, the order record (read by
``orders.importing``, not a serializer) and the errors every operation may answer."""

from django.conf import settings
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse

from orders.importing import EXAMPLE_ORDER

from .serializers import ErrorSerializer


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


def _text(description, max_length=None):
    schema = {"type": "string", "minLength": 1, "description": description}
    if max_length:
        schema["maxLength"] = max_length
    return schema


MOMENT = "ISO 8601 date and time with a time zone, e.g. 2026-10-01T09:30:00Z."
ACCOUNT = {
    "username": _text("The marketplace's username; created here if missing.", 150),
    "email": {"type": "string", "maxLength": 254, "nullable": True},
}

# One record of PRODUCT.md §8, as orders.importing reads it: unknown fields are refused.
ORDER_RECORD = {
    "type": "object",
    "additionalProperties": False,
    "required": ["number", "buyer", "seller", "item", "price", "currency", "placed_at"],
    "properties": {
        "number": _text("Letters, digits and dashes; 32 at most. The upsert key.", 32),
        "buyer": {
            "type": "object",
            "additionalProperties": False,
            "required": ["username"],
            "properties": ACCOUNT,
        },
        "seller": {
            "description": "A name (no account: its disputes go to the mediators), or a name "
            "with the seller's account, which then answers its disputes.",
            "oneOf": [
                _text("The seller's name.", 200),
                {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["name", "username"],
                    "properties": {"name": _text("The seller's name.", 200), **ACCOUNT},
                },
            ],
        },
        "item": _text("The item's title.", 300),
        "description": {"type": "string", "nullable": True},
        "price": {
            "description": 'More than 0, at most 2 decimals: a string ("12.99") or a number.',
            "anyOf": [{"type": "string"}, {"type": "number"}],
        },
        "currency": _text("ISO 4217 code, e.g. EUR."),
        "placed_at": {"type": "string", "description": MOMENT},
        "shipped_at": {
            "type": "string",
            "nullable": True,
            "description": f"null: not shipped. {MOMENT}",
        },
        "received_at": {
            "type": "string",
            "nullable": True,
            "description": f"null: not received (in transit). {MOMENT}",
        },
    },
}

BULK_REQUEST = {
    "type": "object",
    "additionalProperties": False,
    "required": ["orders"],
    "properties": {
        "orders": {
            "type": "array",
            "items": {"$ref": "#/components/schemas/OrderRecord"},
            "maxItems": settings.API_MAX_ORDERS,
        },
        "dry_run": {
            "type": "boolean",
            "default": False,
            "description": "Check and report what would change, writing nothing.",
        },
    },
}

DATES_REQUEST = {
    "type": "object",
    "additionalProperties": False,
    "minProperties": 1,
    "properties": {
        "shipped_at": ORDER_RECORD["properties"]["shipped_at"],
        "received_at": ORDER_RECORD["properties"]["received_at"],
    },
}


def add_components(result, generator, request, public):
    """drf-spectacular's post-processing hook: the order record, referenced by the bulk
    upsert's request."""
    result.setdefault("components", {}).setdefault("schemas", {})["OrderRecord"] = ORDER_RECORD
    return result


IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    {"type": "string", "pattern": r"^[\x21-\x7e]{1,255}$"},
    OpenApiParameter.HEADER,
    description="Any unique string (255 characters at most, e.g. a UUID): a retry with the "
    "same key and body gets the first answer again, and writes nothing twice. Kept 24 hours.",
)


def error(description):
    return OpenApiResponse(ErrorSerializer, description=description)


ERRORS = {
    400: error("Malformed JSON, wrong types, unknown fields or invalid records: nothing written."),
    401: error("No token, an unknown one, or a revoked client's."),
    404: error("No such order, dispute or endpoint."),
    413: error(f"More than {settings.API_MAX_ORDERS:,} orders, or a body over the size limit."),
    415: error("The body is not application/json."),
    422: error("The Idempotency-Key was used for another request."),
    429: error("Too many requests: wait the number of seconds in Retry-After."),
}


def errors(*codes):
    return {code: ERRORS[code] for code in codes}


EXAMPLE_RECORD = OpenApiExample(
    "Two orders",
    value={
        "orders": [
            EXAMPLE_ORDER,
            EXAMPLE_ORDER
            | {
                "number": "8030112233445567",
                "buyer": {"username": "bob", "email": "bob@example.com"},
                "seller": "Lyon Outlet",
                "item": "Phone case",
                "price": "9.50",
                "shipped_at": None,
            },
        ]
    },
    request_only=True,
)
