"""Orders from the marketplace's order system (PRODUCT.md §8): validated whole, then upserted.

All or nothing: every record is checked before anything is written, and each problem
names the record's index and field (``Problem``: the command prints them, the API returns
them as JSON). A field the format does not know is refused rather than ignored: a typo
such as ``recieved_at`` would otherwise silently mean "still in transit".

A seller given as an object (name, username, email) gets an account, created like a
buyer's (no usable password) and linked to the seller, so it answers its disputes in the
app; a seller given as a plain name gets none, and keeps the account an earlier import
gave it. Once a buyer has confirmed receipt (``orders.receipts``), the order keeps the
buyer's receipt time whatever a record says, and the report lists it (PRODUCT.md §9).
"""

import json
import re
from dataclasses import dataclass, field
from datetime import UTC
from decimal import Decimal, InvalidOperation

from babel.numbers import list_currencies
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.utils.dateparse import parse_datetime

from .models import Order, Seller

CURRENCIES = frozenset(list_currencies())
ORDER_NUMBER = re.compile(r"^[0-9A-Za-z-]{1,32}$")
ORDER_FIELDS = ("item", "description", "price", "currency")
DATE_FIELDS = ("placed_at", "shipped_at", "received_at")
RECORD_FIELDS = frozenset(("number", "buyer", "seller", *ORDER_FIELDS, *DATE_FIELDS))
BUYER_FIELDS = frozenset(("username", "email"))
SELLER_FIELDS = frozenset(("name", "username", "email"))

# PRODUCT.md §8's example record: the API schema's example, the tests' and the benchmark's base.
EXAMPLE_ORDER = {
    "number": "8030112233445566",
    "buyer": {"username": "alice", "email": "alice@example.com"},
    "seller": {
        "name": "Shenzhen Gadget Store",
        "username": "szgadget",
        "email": "disputes@szgadget.example",
    },
    "item": "USB-C cable, 2 m, braided",
    "description": "Braided nylon, 100 W, 2 m",
    "price": "12.99",
    "currency": "EUR",
    "placed_at": "2026-10-01T09:30:00Z",
    "shipped_at": "2026-10-03T14:00:00Z",
    "received_at": None,
}


@dataclass(frozen=True)
class Problem:
    index: int
    field: str
    message: str

    def __str__(self):
        return f"record {self.index}, field '{self.field}': {self.message}"


class UnreadableJSON(ValueError):
    """A document that cannot be decoded or parsed at all; its message says where."""


def _refuse_constant(name):
    raise UnreadableJSON(f"is not valid JSON: {name} is not a number")


def _decimal(text):
    """A JSON number with a fraction or an exponent, exact; one whose exponent is beyond
    even ``Decimal``'s (1e999999999999999999999) is read as a float would, infinite or
    zero, for the field that reads it to refuse by name."""
    try:
        return Decimal(text)
    except InvalidOperation:
        return Decimal(float(text))


def _integer(digits):
    """A JSON integer; one too long for ``int()`` (Python refuses over 4,300 digits) stays
    an exact ``Decimal``, for the field that reads it to refuse by name."""
    try:
        return int(digits)
    except ValueError:
        return Decimal(digits)


def parse_json(raw: bytes | str):
    """The JSON document ``raw``, read as every import reads it (the command's file and the
    API's body): UTF-8, numbers exact (``Decimal`` prices), NaN and Infinity refused.

    What no record can be named in raises ``UnreadableJSON`` saying where it breaks;
    every other oddity (a 5,000-digit number, a lone surrogate, a NUL) parses, and
    ``validate`` names its record and field.
    """
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            before = raw[: error.start]
            line = before.count(b"\n") + 1
            column = len(before[before.rfind(b"\n") + 1 :].decode("utf-8")) + 1
            raise UnreadableJSON(
                f"is not UTF-8 text: byte {raw[error.start]:#04x} at line {line}, column {column}"
            ) from None
    try:
        return json.loads(
            raw, parse_float=_decimal, parse_int=_integer, parse_constant=_refuse_constant
        )
    except json.JSONDecodeError as error:
        raise UnreadableJSON(
            f"is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}"
        ) from None
    except RecursionError:
        raise UnreadableJSON("is nested too deeply to be read") from None


class OrderImportError(Exception):
    def __init__(self, problems):
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))


@dataclass
class ImportReport:
    created: list = field(default_factory=list)
    updated: list = field(default_factory=list)
    unchanged: list = field(default_factory=list)
    buyers_created: list = field(default_factory=list)
    buyers_updated: list = field(default_factory=list)
    sellers_created: list = field(default_factory=list)
    # Seller accounts: usernames created or given a new email, seller names newly linked.
    seller_accounts_created: list = field(default_factory=list)
    seller_accounts_updated: list = field(default_factory=list)
    sellers_linked: list = field(default_factory=list)
    # Orders whose record gave another receipt time than the one their buyer confirmed.
    receipts_kept: list = field(default_factory=list)


class _Record:
    """Reads one JSON object, noting every problem instead of stopping at the first."""

    def __init__(self, index, raw, problems):
        self.index = index
        self.raw = raw
        self.problems = problems

    def problem(self, field_name, message):
        self.problems.append(Problem(self.index, field_name, message))

    def known_fields(self, source, known, prefix=""):
        for name in source:
            if name not in known:
                # A name that is not text (a NUL, a lone surrogate) is shown escaped.
                shown = name if _is_text(name) else repr(name)
                self.problem(f"{prefix}{shown}", "is not a field of an order record")

    def text(self, field_name, *, required=True, max_length=None, source=None):
        value = (source if source is not None else self.raw).get(field_name.split(".")[-1])
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.problem(field_name, "is required")
            return ""
        if not isinstance(value, str):
            self.problem(field_name, "must be a string")
            return ""
        if not _is_text(value):
            # Neither fits in a database's text (PostgreSQL refuses NUL and lone surrogates).
            self.problem(field_name, "must be text without NUL characters or lone surrogates")
            return ""
        if max_length and len(value) > max_length:
            self.problem(field_name, f"is longer than {max_length} characters")
        return value.strip()

    def account(self, role, source):
        """The username and email of ``role`` (buyer or seller) in ``source``, validated."""
        username = self.text(f"{role}.username", max_length=150, source=source)
        email = self.text(f"{role}.email", required=False, max_length=254, source=source)
        for field_name, value, validator in (
            (f"{role}.username", username, UnicodeUsernameValidator()),
            (f"{role}.email", email, validate_email),
        ):
            try:
                if value:
                    validator(value)
            except ValidationError as error:
                self.problem(field_name, error.messages[0])
        return username, email

    def seller(self):
        """The seller's name, and the username and email of its account when it has one."""
        seller = self.raw.get("seller")
        if isinstance(seller, dict):
            self.known_fields(seller, SELLER_FIELDS, "seller.")
            name = self.text("seller.name", max_length=200, source=seller)
            return name, *self.account("seller", seller)
        if seller is not None and not isinstance(seller, str):
            self.problem("seller", "must be a name, or an object with a name, username and email")
            return "", "", ""
        return self.text("seller", max_length=200), "", ""

    def moment(self, field_name, *, required):
        value = self.raw.get(field_name)
        if value is None:
            if required:
                self.problem(field_name, "is required")
            return None
        try:
            parsed = parse_datetime(value) if isinstance(value, str) else None
        except ValueError:  # well formed, but no such date ("2026-13-01T00:00:00Z")
            parsed = None
        if parsed is None:
            self.problem(field_name, f"is not an ISO 8601 date and time: {value!r}")
            return None
        if parsed.tzinfo is None:
            self.problem(field_name, "must include a time zone (e.g. 'Z' for UTC)")
            return None
        try:
            return parsed.astimezone(UTC)
        except OverflowError:  # "0001-01-01T00:00:00+05:00" is before year 1 in UTC
            self.problem(field_name, f"is out of range: {value!r}")
            return None

    def price(self):
        value = self.raw.get("price")
        if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
            self.problem("price", 'must be a decimal string such as "12.99"')
            return None
        try:
            price = Decimal(value)
        except InvalidOperation:
            self.problem("price", f"is not a number: {value!r}")
            return None
        if price.is_nan():
            self.problem("price", f"is not a number: {value!r}")
        elif price <= 0:
            self.problem("price", "must be more than 0")
        elif price >= Decimal("1e10"):  # Infinity too
            self.problem("price", "is too large")
        elif price.as_tuple().exponent < -2:
            self.problem("price", "has more than 2 decimal places")
        return price


def _is_text(value):
    """Whether ``value`` fits a database's text: PostgreSQL refuses NUL, and a lone
    surrogate cannot be encoded (SQLite would store NUL: refused everywhere alike)."""
    if "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _parse(index, raw, problems):
    if not isinstance(raw, dict):
        problems.append(Problem(index, "(record)", "must be a JSON object"))
        return None
    record = _Record(index, raw, problems)
    record.known_fields(raw, RECORD_FIELDS)
    number = record.text("number", max_length=32)
    if number and not ORDER_NUMBER.match(number):
        record.problem("number", "may only hold letters, digits and dashes (32 at most)")

    buyer = raw.get("buyer")
    buyer_username = buyer_email = ""
    if not isinstance(buyer, dict):
        record.problem("buyer", "must be an object with a username and an email")
    else:
        record.known_fields(buyer, BUYER_FIELDS, "buyer.")
        buyer_username, buyer_email = record.account("buyer", buyer)
    seller, seller_username, seller_email = record.seller()

    values = {
        "item": record.text("item", max_length=300),
        "description": record.text("description", required=False),
        "price": record.price(),
        "currency": record.text("currency"),
    }
    if values["currency"] and values["currency"] not in CURRENCIES:
        record.problem("currency", f"is not an ISO 4217 currency code: {values['currency']!r}")
    dates = {
        "placed_at": record.moment("placed_at", required=True),
        "shipped_at": record.moment("shipped_at", required=False),
        "received_at": record.moment("received_at", required=False),
    }
    placed, shipped, received = dates.values()
    if shipped and placed and shipped < placed:
        record.problem("shipped_at", "is before placed_at")
    if received and not shipped:
        record.problem("received_at", "is set but shipped_at is null")
    elif received and shipped and received < shipped:
        record.problem("received_at", "is before shipped_at")
    return {
        "number": number,
        "buyer_username": buyer_username,
        "buyer_email": buyer_email,
        "seller": seller,
        "seller_username": seller_username,
        "seller_email": seller_email,
        **values,
        **dates,
    }


def validate(records):
    """Every record's values, or ``OrderImportError`` listing every problem found."""
    if not isinstance(records, list):
        raise OrderImportError([Problem(0, "(file)", "must be a JSON array of orders")])
    problems = []
    parsed = [_parse(index, raw, problems) for index, raw in enumerate(records)]
    seen = {}
    for index, values in enumerate(parsed):
        if values and values["number"]:
            if values["number"] in seen:
                problems.append(
                    Problem(index, "number", f"repeats record {seen[values['number']]}")
                )
            seen.setdefault(values["number"], index)
    _check_owners(parsed, problems)
    _check_confirmed_receipts(parsed, problems)
    _check_accounts(parsed, problems)
    _check_sellers(parsed, problems)
    if problems:
        raise OrderImportError(sorted(problems, key=lambda problem: problem.index))
    return parsed


def _check_owners(parsed, problems):
    """An order number already known for another buyer is a mistake, not a transfer."""
    numbers = {values["number"]: index for index, values in enumerate(parsed) if values}
    existing = Order.objects.filter(number__in=numbers).values_list("number", "buyer__username")
    for number, username in existing:
        index = numbers[number]
        if parsed[index]["buyer_username"] and parsed[index]["buyer_username"] != username:
            problems.append(
                Problem(index, "buyer.username", f"order {number} belongs to another buyer")
            )


def _check_confirmed_receipts(parsed, problems):
    """A receipt the buyer confirmed stays, so the shipment cannot move after it."""
    numbers = {values["number"]: index for index, values in enumerate(parsed) if values}
    confirmed = Order.objects.filter(number__in=numbers, receipt_confirmed_at__isnull=False)
    for number, received in confirmed.values_list("number", "receipt_confirmed_at"):
        index = numbers[number]
        shipped = parsed[index]["shipped_at"]
        if shipped is None:
            message = f"is null but its buyer confirmed receipt on {received.isoformat()}"
        elif shipped > received:
            message = f"is after the receipt its buyer confirmed on {received.isoformat()}"
        else:
            continue
        problems.append(Problem(index, "shipped_at", message))


def _accounts(parsed):
    """Every account the file names, in file order: (index, role, username, email)."""
    for index, values in enumerate(parsed):
        for role in ("buyer", "seller"):
            if values and values[f"{role}_username"]:
                yield index, role, values[f"{role}_username"], values[f"{role}_email"]


def _check_accounts(parsed, problems):
    """Buyers' and sellers' accounts are never staff accounts, and have one email per file."""
    first_seen = {}  # username: (index, role, email) of its first record
    for index, role, username, email in _accounts(parsed):
        _index, _role, first_email = first_seen.setdefault(username, (index, role, email))
        if email != first_email:
            problems.append(
                Problem(index, f"{role}.email", f"differs from an earlier record: {first_email!r}")
            )
    staff = get_user_model().objects.filter(username__in=first_seen, is_staff=True)
    for username in staff.values_list("username", flat=True):
        index, role, _email = first_seen[username]
        problems.append(Problem(index, f"{role}.username", f"{username!r} is a staff account"))


def _check_sellers(parsed, problems):
    """A seller keeps its one account, an account belongs to one seller, and nobody sells
    to itself (the buyer's account is never the seller's, whether the file links them or
    the database already does)."""
    records = [(index, values) for index, values in enumerate(parsed) if values]
    names = {values["seller"] for _index, values in records}
    usernames = {values["seller_username"] for _index, values in records}
    linked = Seller.objects.filter(user__isnull=False).filter(
        Q(name__in=names) | Q(user__username__in=usernames)
    )
    account_of = dict(linked.values_list("name", "user__username"))  # seller name: username
    seller_of = {username: name for name, username in account_of.items()}
    for index, values in records:
        name, username = values["seller"], values["seller_username"]
        if not (name and username):
            continue
        if (known := account_of.setdefault(name, username)) != username:
            problems.append(
                Problem(
                    index, "seller.username", f"seller {name!r} already has the account {known!r}"
                )
            )
        elif (known := seller_of.setdefault(username, name)) != name:
            problems.append(
                Problem(
                    index, "seller.username", f"{username!r} is already the account of {known!r}"
                )
            )
    for index, values in records:
        seller_username = values["seller_username"] or account_of.get(values["seller"])
        if seller_username and seller_username == values["buyer_username"]:
            problems.append(
                Problem(
                    index,
                    "seller.username" if values["seller_username"] else "seller",
                    f"{seller_username!r} is this order's buyer: nobody sells to themselves",
                )
            )


@transaction.atomic
def import_orders(records, *, dry_run=False):
    """Upsert ``records`` by number; with ``dry_run`` nothing is kept.

    A few queries per batch, not per record: accounts, sellers and orders are read in bulk,
    and written in bulk. Two imports of the same new order at once (a client retrying a
    request still running) both succeed: the second one updates what the first created.
    """
    report = ImportReport()
    parsed = validate(records)
    accounts = _save_accounts(parsed, report)
    sellers = _save_sellers(parsed, accounts, report)
    _upsert(parsed, accounts, sellers, report)
    if dry_run:
        transaction.set_rollback(True)
    return report


# role: the report's lists of the accounts created and of those given a new email
ACCOUNT_REPORTS = {
    "buyer": ("buyers_created", "buyers_updated"),
    "seller": ("seller_accounts_created", "seller_accounts_updated"),
}


def _create_missing(model, field_name, objects):
    """Insert ``objects`` (unsaved, unique by ``field_name``), skipping those another
    transaction inserted meanwhile, and return every one of them saved, by that field."""
    model.objects.bulk_create(objects, ignore_conflicts=True, batch_size=500)
    keys = [getattr(item, field_name) for item in objects]
    return model.objects.in_bulk(keys, field_name=field_name)


def _save_accounts(parsed, report):
    """Every account of the records, by username: created without a usable password (its
    owner signs in through the marketplace) with the email the marketplace gives, which
    also replaces an older one. Reported under the role the import first meets it in."""
    first_seen = {}  # username: (role, email), in file order
    for _index, role, username, email in _accounts(parsed):
        first_seen.setdefault(username, (role, email))
    user_model = get_user_model()
    users = user_model.objects.in_bulk(list(first_seen), field_name="username")
    new = []
    for username, (role, email) in first_seen.items():
        created, updated = (getattr(report, name) for name in ACCOUNT_REPORTS[role])
        user = users.get(username)
        if user is None:
            new.append(user_model(username=username, email=email, password=make_password(None)))
            created.append(username)
        elif email and user.email != email:
            # The marketplace owns its people's contact details.
            user.email = email
            user.save(update_fields=["email"])
            updated.append(username)
    return users | _create_missing(user_model, "username", new)


def _save_sellers(parsed, accounts, report):
    """Every seller of the records, by name: created if missing, and linked to its account
    when a record gives one and the seller has none yet."""
    names = list(dict.fromkeys(values["seller"] for values in parsed))
    sellers = Seller.objects.in_bulk(names, field_name="name")
    missing = [name for name in names if name not in sellers]
    sellers |= _create_missing(Seller, "name", [Seller(name=name) for name in missing])
    report.sellers_created.extend(missing)
    for values in parsed:
        seller = sellers[values["seller"]]
        if values["seller_username"] and seller.user_id is None:
            seller.user = accounts[values["seller_username"]]
            seller.save(update_fields=["user"])
            report.sellers_linked.append(seller.name)
    return sellers


# What an upsert may change on an existing order: everything but its number and buyer (an
# order never changes buyer: ``validate`` refuses it).
UPDATABLE = ("seller_id", *ORDER_FIELDS, *DATE_FIELDS)


def _upsert(parsed, accounts, sellers, report):
    existing = Order.objects.in_bulk([values["number"] for values in parsed], field_name="number")
    new, changed, changed_fields = [], [], set()
    for values in parsed:
        number = values["number"]
        fields = {
            "buyer_id": accounts[values["buyer_username"]].pk,
            "seller_id": sellers[values["seller"]].pk,
            **{name: values[name] for name in ORDER_FIELDS},
            **{name: values[name] for name in DATE_FIELDS},
        }
        order = existing.get(number)
        if order is None:
            new.append(Order(number=number, **fields))
            report.created.append(number)
            continue
        if order.receipt_confirmed_at and fields["received_at"] != order.received_at:
            # The buyer confirmed receipt (PRODUCT.md §9): the marketplace cannot move it.
            fields["received_at"] = order.received_at
            report.receipts_kept.append(number)
        names = [name for name, value in fields.items() if getattr(order, name) != value]
        if not names:
            report.unchanged.append(number)
            continue
        for name in names:
            setattr(order, name, fields[name])
        changed.append(order)
        changed_fields.update(names)
        report.updated.append(number)
    Order.objects.bulk_create(
        new,
        batch_size=500,
        update_conflicts=True,
        unique_fields=["number"],
        update_fields=UPDATABLE,
    )
    if changed:
        Order.objects.bulk_update(changed, sorted(changed_fields), batch_size=500)
