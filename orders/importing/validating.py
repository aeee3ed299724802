"""Validating an import's records (PRODUCT.md §8): each by ``OrderRecordSerializer`` (the
API's request and its OpenAPI schema are described by the same serializer), then all of
them against each other and the database.

Every problem names the record's index and field. A field the format does not know is
refused rather than ignored: a typo such as ``recieved_at`` would otherwise silently mean
"still in transit".
"""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from babel.numbers import get_currency_precision, list_currencies
from django.conf import settings
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.validators import (
    ProhibitNullCharactersValidator,
    RegexValidator,
    validate_email,
)
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from rest_framework import serializers
from rest_framework.fields import SkipField, empty
from rest_framework.settings import api_settings
from rest_framework.validators import ProhibitSurrogateCharactersValidator

from accounts import provisioning
from accounts.provisioning import Person

from ..models import Order, Seller

CURRENCIES = frozenset(list_currencies())
# The most any currency has (BHD, KWD, OMR...), as ``Order.price`` keeps them.
MAX_DECIMAL_PLACES = 3
MOMENT = "ISO 8601 date and time with a time zone, e.g. 2026-10-01T09:30:00Z."


@dataclass(frozen=True)
class Problem:
    index: int
    field: str
    message: str
    # For programs, where the rule has one ("too_precise", "in_future"); the message is
    # for people.
    code: str = "invalid"

    def __str__(self) -> str:
        return f"record {self.index}, field '{self.field}': {self.message}"


class OrderImportError(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))


@dataclass(frozen=True)
class SellerRecord:
    name: str
    account: Person | None  # None: a seller known by name only
    # Where buyers send an item back (PRODUCT.md §4e); "" keeps the seller's own.
    return_address: str = ""


@dataclass(frozen=True)
class OrderRecord:
    number: str
    buyer: Person
    seller: SellerRecord
    item: str
    description: str
    price: Decimal
    currency: str
    placed_at: datetime
    shipped_at: datetime | None
    received_at: datetime | None
    delivery_by: datetime | None


def is_text(value: str) -> bool:
    """Whether ``value`` fits a database's text: PostgreSQL refuses NUL, and a lone
    surrogate cannot be encoded (SQLite would store NUL: refused everywhere alike)."""
    if "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class Text(serializers.CharField):
    """A JSON string a database can keep, trimmed; a number is not taken for one."""

    default_error_messages = {
        "required": "is required",
        "null": "is required",
        "blank": "is required",
        "invalid": "must be a string",
        "not_text": "must be text without NUL characters or lone surrogates",
        "max_length": "is longer than {max_length} characters",
    }

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # ``is_text`` below refuses NUL and lone surrogates, with one message for both.
        self.validators = [
            validator
            for validator in self.validators
            if not isinstance(
                validator, ProhibitNullCharactersValidator | ProhibitSurrogateCharactersValidator
            )
        ]

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        if not is_text(data):
            self.fail("not_text")
        return data.strip()


class Moment(serializers.DateTimeField):
    """An ISO 8601 date and time with its time zone, read as UTC; for what has happened, not
    later than now, give or take ``ORDER_CLOCK_SKEW_SECONDS`` between the marketplace's clock
    and ours."""

    default_error_messages = {
        "required": "is required",
        "null": "is required",
        "invalid": "is not an ISO 8601 date and time: {value!r}",
        "naive": "must include a time zone (e.g. 'Z' for UTC)",
        "out_of_range": "is out of range: {value!r}",
        "in_future": "is in the future: {value!r} (it is {now} here)",
    }

    def __init__(self, *, may_be_ahead: bool = False, **kwargs: Any) -> None:
        """``may_be_ahead``: a date promised for later (``delivery_by``), not one that has
        happened."""
        kwargs.setdefault("help_text", MOMENT)
        super().__init__(**kwargs)
        self.may_be_ahead = may_be_ahead

    def to_internal_value(self, value: Any) -> datetime:
        try:
            parsed = parse_datetime(value) if isinstance(value, str) else None
        except ValueError:  # well formed, but no such date ("2026-13-01T00:00:00Z")
            parsed = None
        if parsed is None:
            self.fail("invalid", value=value)
        if parsed.tzinfo is None:
            self.fail("naive")
        try:
            moment = parsed.astimezone(UTC)
        except OverflowError:  # "0001-01-01T00:00:00+05:00" is before year 1 in UTC
            self.fail("out_of_range", value=value)
        if self.may_be_ahead:
            return moment
        now = timezone.now().astimezone(UTC)
        if moment > now + timedelta(seconds=settings.ORDER_CLOCK_SKEW_SECONDS):
            self.fail("in_future", value=value, now=now.replace(microsecond=0).isoformat())
        return moment


class Price(serializers.Field[Decimal, Any, str, Any]):
    """More than 0, at most 3 decimals: a decimal string ("12.99") or a JSON number, exact.
    Its currency's own decimals (``OrderRecordSerializer.validate``) are checked with it."""

    default_error_messages = {
        "required": 'must be a decimal string such as "12.99"',
        "null": 'must be a decimal string such as "12.99"',
        "invalid": 'must be a decimal string such as "12.99"',
        "not_a_number": "is not a number: {value!r}",
        "not_positive": "must be more than 0",
        "too_large": "is too large",
        "too_precise": "has more than 3 decimal places",
    }

    def to_internal_value(self, data: Any) -> Decimal:
        if isinstance(data, bool) or not isinstance(data, str | int | Decimal):
            self.fail("invalid")
        try:
            price = Decimal(data)
        except InvalidOperation:
            self.fail("not_a_number", value=data)
        if price.is_nan():
            self.fail("not_a_number", value=data)
        if price <= 0:
            self.fail("not_positive")
        if price >= Decimal("1e10"):  # Infinity too
            self.fail("too_large")
        exponent = price.as_tuple().exponent
        if isinstance(exponent, int) and exponent < -MAX_DECIMAL_PLACES:
            self.fail("too_precise")
        return price

    def to_representation(self, value: Decimal) -> str:
        return str(value)


def validate_currency(value: str) -> None:
    if value not in CURRENCIES:
        raise serializers.ValidationError(f"is not an ISO 4217 currency code: {value!r}")


class ClosedSerializer(serializers.Serializer[Any]):
    """Refuses the fields it does not declare, named with the others' problems."""

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        if not isinstance(data, Mapping):
            self.fail("invalid")
        fields = self.fields
        problems: dict[str, Any] = {
            # A name that is not text (a NUL, a lone surrogate) is shown escaped.
            (name if is_text(name) else repr(name)): ["is not a field of an order record"]
            for name in data
            if name not in fields
        }
        # DRF's loop without what a JSON body never needs (HTML form input, dotted sources,
        # read-only fields, validate_<field> methods), run for every record of an import.
        values = {}
        for name, field in fields.items():
            try:
                values[name] = field.run_validation(data.get(name, empty))
            except serializers.ValidationError as error:
                problems[name] = error.detail
            except SkipField:  # absent and optional
                pass
        if problems:
            raise serializers.ValidationError(problems)
        return values


class AccountRecordSerializer(ClosedSerializer):
    """A buyer's account, or a seller's: created here (without a usable password) if
    missing."""

    default_error_messages = {
        "invalid": "must be an object with a username and an email",
        "required": "must be an object with a username and an email",
        "null": "must be an object with a username and an email",
    }

    id = Text(
        required=False,
        allow_null=True,
        allow_blank=True,
        max_length=64,
        help_text="The marketplace's stable id for this person: when given, the account is "
        "found by it, so a new username renames it. Without it: found by username.",
    )
    username = Text(
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text="The marketplace's username; created here if missing.",
    )
    email = Text(
        required=False,
        allow_null=True,
        allow_blank=True,
        max_length=254,
        validators=[validate_email],
    )

    def validate(self, attrs: dict[str, Any]) -> Person:
        return Person(
            username=attrs["username"],
            email=attrs.get("email") or "",
            marketplace_id=attrs.get("id") or "",
        )


class SellerAccountSerializer(AccountRecordSerializer):
    """A seller with its account, which answers its disputes in the app."""

    name = Text(max_length=200, help_text="The seller's name.")
    return_address = Text(
        required=False,
        allow_null=True,
        allow_blank=True,
        max_length=1000,
        help_text="Where buyers send an item back before a refund, as written on a parcel "
        "(lines separated by newlines). Absent, null or empty: the seller's own, which they "
        "may set in their account, is kept.",
    )

    def validate(self, attrs: dict[str, Any]) -> SellerRecord:  # type: ignore[override]
        return SellerRecord(
            name=attrs["name"],
            account=super().validate(attrs),
            return_address=(attrs.get("return_address") or "").strip(),
        )


class SellerField(serializers.Field["SellerRecord", Any, str, Any]):
    """A seller's name, or an object with its name and account."""

    default_error_messages = {
        "invalid": "must be a name, or an object with a name, username and email",
        "required": "is required",
        "null": "is required",
    }

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.name = Text(max_length=200, help_text="The seller's name.")
        self.with_account = SellerAccountSerializer()

    def to_internal_value(self, data: Any) -> SellerRecord:
        if isinstance(data, dict):
            record: SellerRecord = self.with_account.run_validation(data)
            return record
        if isinstance(data, str):
            return SellerRecord(name=self.name.run_validation(data), account=None)
        self.fail("invalid")

    def to_representation(self, value: SellerRecord) -> Any:
        return value.name


# A record's shipment and receipt, which the API also takes alone for one order. Made
# where a serializer declares them, which keeps its fields (and their problems) in order.
def shipped_at_field() -> Moment:
    return Moment(required=False, allow_null=True, help_text=f"null: not shipped. {MOMENT}")


def received_at_field() -> Moment:
    return Moment(
        required=False, allow_null=True, help_text=f"null: not received (in transit). {MOMENT}"
    )


def delivery_by_field() -> Moment:
    return Moment(
        may_be_ahead=True,
        required=False,
        allow_null=True,
        help_text="The delivery date promised; from it a parcel that has not arrived can be "
        "disputed. null: some days after shipment (DISPUTE_DELIVERY_DEFAULT_DAYS, 60). " + MOMENT,
    )


class OrderRecordSerializer(ClosedSerializer):
    """One order of the marketplace, as ``import_orders`` and the API take it; upserted by
    its number."""

    default_error_messages = {"invalid": "must be a JSON object"}

    number = Text(
        max_length=32,
        validators=[
            RegexValidator(
                r"^[0-9A-Za-z-]{1,32}$", "may only hold letters, digits and dashes (32 at most)"
            )
        ],
        help_text="Letters, digits and dashes; 32 at most. The upsert key.",
    )
    buyer = AccountRecordSerializer()
    seller = SellerField(
        help_text="A name (no account: its disputes go to the mediators), or a name with the "
        "seller's account, which then answers its disputes."
    )
    item = Text(max_length=300, help_text="The item's title.")
    description = Text(required=False, allow_null=True, allow_blank=True)
    price = Price()
    currency = Text(validators=[validate_currency], help_text="ISO 4217 code, e.g. EUR.")
    placed_at = Moment()
    shipped_at = shipped_at_field()
    received_at = received_at_field()
    delivery_by = delivery_by_field()

    def validate(self, attrs: dict[str, Any]) -> OrderRecord:
        placed, shipped, received = (
            attrs["placed_at"],
            attrs.get("shipped_at"),
            attrs.get("received_at"),
        )
        problems: dict[str, str] = {}
        price, currency = attrs["price"], attrs["currency"]
        places = get_currency_precision(currency)
        exponent = price.normalize().as_tuple().exponent
        if isinstance(exponent, int) and -exponent > places:
            problems["price"] = serializers.ErrorDetail(
                f"has more decimal places than {currency} has ({places})",
                code="too_precise_for_currency",
            )
        if shipped and shipped < placed:
            problems["shipped_at"] = "is before placed_at"
        if (delivery_by := attrs.get("delivery_by")) and delivery_by < placed:
            problems["delivery_by"] = "is before placed_at"
        if received and not shipped:
            problems["received_at"] = "is set but shipped_at is null"
        elif received and shipped and received < shipped:
            problems["received_at"] = "is before shipped_at"
        if problems:
            raise serializers.ValidationError(problems)
        optional = {
            "description": "",
            "shipped_at": None,
            "received_at": None,
            "delivery_by": None,
        }
        return OrderRecord(**optional | attrs | {"description": attrs.get("description") or ""})


def _problems(index: int, detail: Any, field: str = "") -> Iterator[Problem]:
    """DRF's nested errors as problems, dotted for nested fields ("buyer.email")."""
    if isinstance(detail, dict):
        for name, value in detail.items():
            if name == api_settings.NON_FIELD_ERRORS_KEY:
                yield from _problems(index, value, field or "(record)")
            else:
                yield from _problems(index, value, f"{field}.{name}" if field else name)
    elif isinstance(detail, list):
        for value in detail:
            yield from _problems(index, value, field)
    else:
        yield Problem(index, field, str(detail), getattr(detail, "code", None) or "invalid")


@dataclass(frozen=True)
class Batch:
    """Valid records, the accounts they name and the orders they update: ``accounts.people``
    holds each record's buyer, then its seller's account when it has one."""

    records: list[OrderRecord]
    indexes: list[int]  # each record's index in the file
    accounts: provisioning.Plan
    # The records' orders already saved, by number: read once and locked, for the checks
    # and the upsert.
    existing: dict[str, Order]
    roles: list[str]  # of each account, "buyer" or "seller"
    record_at: list[int]  # of each account, its record's position in ``records``
    buyer_at: list[int]  # each record's buyer, as a position in ``accounts``
    seller_at: list[int | None]  # its seller's account, if it has one


def validate(records: Any) -> Batch:
    """Every record, read and checked, or ``OrderImportError`` listing every problem."""
    if not isinstance(records, list):
        raise OrderImportError([Problem(0, "(file)", "must be a JSON array of orders")])
    serializer = OrderRecordSerializer()
    problems: list[Problem] = []
    valid: list[OrderRecord] = []
    indexes: list[int] = []
    for index, raw in enumerate(records):
        try:
            valid.append(serializer.run_validation(raw))
        except serializers.ValidationError as error:
            problems.extend(_problems(index, error.detail))
        else:
            indexes.append(index)
    batch = _batch(valid, indexes)
    problems.extend(_repeated_numbers(batch))
    problems.extend(_account_problems(batch))
    problems.extend(_owner_problems(batch))
    problems.extend(_confirmed_receipt_problems(batch))
    problems.extend(_seller_problems(batch))
    problems.extend(_fixed_terms_problems(batch))
    if problems:
        raise OrderImportError(sorted(problems, key=lambda problem: problem.index))
    return batch


def _batch(records: list[OrderRecord], indexes: list[int]) -> Batch:
    people: list[Person] = []
    roles: list[str] = []
    record_at: list[int] = []
    buyer_at: list[int] = []
    seller_at: list[int | None] = []
    for position, record in enumerate(records):
        buyer_at.append(len(people))
        people.append(record.buyer)
        roles.append("buyer")
        record_at.append(position)
        seller_at.append(len(people) if record.seller.account else None)
        if record.seller.account:
            people.append(record.seller.account)
            roles.append("seller")
            record_at.append(position)
    return Batch(
        records=records,
        indexes=indexes,
        accounts=provisioning.plan(people),
        existing=_locked_orders([record.number for record in records]),
        roles=roles,
        record_at=record_at,
        buyer_at=buyer_at,
        seller_at=seller_at,
    )


def _locked_orders(numbers: list[str]) -> dict[str, Order]:
    """The records' saved orders, locked until the import ends: a dispute opened meanwhile
    (``disputes.actions.open_dispute`` locks its order) either waits for the import, or is
    seen by the checks below once it is saved."""
    return Order.objects.select_for_update(of=("self",)).in_bulk(numbers, field_name="number")


def _repeated_numbers(batch: Batch) -> Iterator[Problem]:
    seen: dict[str, int] = {}
    for index, record in zip(batch.indexes, batch.records, strict=True):
        if (first := seen.setdefault(record.number, index)) != index:
            yield Problem(index, "number", f"repeats record {first}")


def _account_problems(batch: Batch) -> Iterator[Problem]:
    """Buyers' and sellers' accounts: never a staff account, one username per account, one
    account per username and marketplace id (``accounts.provisioning``)."""
    for refusal in batch.accounts.refusals:
        index = batch.indexes[batch.record_at[refusal.position]]
        role = batch.roles[refusal.position]
        yield Problem(index, f"{role}.{refusal.field}", refusal.message)


def _owner_problems(batch: Batch) -> Iterator[Problem]:
    """An order number already known for another buyer is a mistake, not a transfer."""
    for number, position in _positions(batch).items():
        order = batch.existing.get(number)
        if order and batch.accounts.identity(batch.buyer_at[position]) != order.buyer_id:
            message = f"order {number} belongs to another buyer"
            yield Problem(batch.indexes[position], "buyer.username", message)


def _positions(batch: Batch) -> dict[str, int]:
    """Each number's record, the last when it repeats (the earlier ones are refused)."""
    return {record.number: position for position, record in enumerate(batch.records)}


def _confirmed_receipt_problems(batch: Batch) -> Iterator[Problem]:
    """A receipt the buyer confirmed stays, so the shipment cannot move after it."""
    for number, position in _positions(batch).items():
        order = batch.existing.get(number)
        if order is None or (received := order.receipt_confirmed_at) is None:
            continue
        shipped = batch.records[position].shipped_at
        if shipped is None:
            message = f"is null but its buyer confirmed receipt on {received.isoformat()}"
        elif shipped > received:
            message = f"is after the receipt its buyer confirmed on {received.isoformat()}"
        else:
            continue
        yield Problem(batch.indexes[position], "shipped_at", message)


def _seller_problems(batch: Batch) -> Iterator[Problem]:
    """A seller keeps its one account, an account belongs to one seller, and nobody sells
    to itself (the buyer's account is never the seller's, whether the file links them or
    the database already does)."""
    plan = batch.accounts
    names = {record.seller.name for record in batch.records}
    account_ids = [plan.identity(at) for at in batch.seller_at if at is not None]
    linked = Seller.objects.filter(
        Q(name__in=names) | Q(user__in=[pk for pk in account_ids if isinstance(pk, int)]),
        user__isnull=False,
    )
    # seller name: its account's identity, and each account's username as saved
    account_of: dict[str, provisioning.Identity] = {}
    username_of: dict[provisioning.Identity, str] = {}
    for name, user_id, username in linked.values_list("name", "user_id", "user__username"):
        account_of[name], username_of[user_id] = user_id, username
    seller_of = {identity: name for name, identity in account_of.items()}
    for position, record in enumerate(batch.records):
        at, name = batch.seller_at[position], record.seller.name
        if at is None:
            continue
        identity = plan.identity(at)
        username_of.setdefault(identity, plan.people[at].username)
        if (known := account_of.setdefault(name, identity)) != identity:
            yield Problem(
                batch.indexes[position],
                "seller.username",
                f"seller {name!r} already has the account {username_of[known]!r}",
            )
        elif (known_name := seller_of.setdefault(identity, name)) != name:
            yield Problem(
                batch.indexes[position],
                "seller.username",
                f"{plan.people[at].username!r} is already the account of {known_name!r}",
            )
    for position, record in enumerate(batch.records):
        at = batch.seller_at[position]
        seller = plan.identity(at) if at is not None else account_of.get(record.seller.name)
        if seller is not None and seller == plan.identity(batch.buyer_at[position]):
            yield Problem(
                batch.indexes[position],
                "seller.username" if at is not None else "seller",
                f"{username_of[seller]!r} is this order's buyer: nobody sells to themselves",
            )


def _fixed_terms_problems(batch: Batch) -> Iterator[Problem]:
    """Once an order has a dispute (``Order.terms_fixed_at``), its seller, price and currency
    stay and its shipment, receipt and promised delivery are not cleared: the dispute is
    between these parties about this amount, and its window ran from these dates
    (PRODUCT.md §8). Sending the same values again is fine."""
    fixed = [
        (order, position)
        for number, position in _positions(batch).items()
        if (order := batch.existing.get(number)) and order.terms_fixed_at
    ]
    if not fixed:
        return
    sellers = Seller.objects.filter(pk__in={order.seller_id for order, _ in fixed})
    seller_names = dict(sellers.values_list("pk", "name"))
    for order, position in fixed:
        record, index = batch.records[position], batch.indexes[position]
        seller_field = "seller.name" if record.seller.account else "seller"
        for field, sent, kept in (
            (seller_field, record.seller.name, seller_names[order.seller_id]),
            ("price", record.price, order.price),
            ("currency", record.currency, order.currency),
        ):
            if sent != kept:
                yield Problem(index, field, f"must stay {kept} once the order has a dispute")
        for field, sent_moment, kept_moment in (
            ("shipped_at", record.shipped_at, order.shipped_at),
            ("received_at", record.received_at, order.received_at),
            ("delivery_by", record.delivery_by, order.delivery_by),
        ):
            if sent_moment is None and kept_moment is not None:
                yield Problem(
                    index,
                    field,
                    "cannot be cleared once the order has a dispute (it is "
                    f"{kept_moment.astimezone(UTC).isoformat()})",
                )
