"""Orders from the marketplace's order system (PRODUCT.md §8): validated whole, then upserted.

All or nothing: every record is checked before anything is written, and each problem
names the record's index and field.
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from babel.numbers import list_currencies
from django.contrib.auth import get_user_model
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.dateparse import parse_datetime

from .models import Order, Seller

CURRENCIES = frozenset(list_currencies())
ORDER_NUMBER = re.compile(r"^[0-9A-Za-z-]{1,32}$")
ORDER_FIELDS = ("seller", "item", "description", "price", "currency")
DATE_FIELDS = ("placed_at", "shipped_at", "received_at")


@dataclass(frozen=True)
class Problem:
    index: int
    field: str
    message: str

    def __str__(self):
        return f"record {self.index}, field '{self.field}': {self.message}"


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


class _Record:
    """Reads one JSON object, noting every problem instead of stopping at the first."""

    def __init__(self, index, raw, problems):
        self.index = index
        self.raw = raw
        self.problems = problems

    def problem(self, field_name, message):
        self.problems.append(Problem(self.index, field_name, message))

    def text(self, field_name, *, required=True, max_length=None, source=None):
        value = (source if source is not None else self.raw).get(field_name.split(".")[-1])
        if value is None or value == "":
            if required:
                self.problem(field_name, "is required")
            return ""
        if not isinstance(value, str):
            self.problem(field_name, "must be a string")
            return ""
        if max_length and len(value) > max_length:
            self.problem(field_name, f"is longer than {max_length} characters")
        return value.strip()

    def moment(self, field_name, *, required):
        value = self.raw.get(field_name)
        if value is None:
            if required:
                self.problem(field_name, "is required")
            return None
        parsed = parse_datetime(value) if isinstance(value, str) else None
        if parsed is None:
            self.problem(field_name, f"is not an ISO 8601 date and time: {value!r}")
            return None
        if parsed.tzinfo is None:
            self.problem(field_name, "must include a time zone (e.g. 'Z' for UTC)")
            return None
        return parsed

    def price(self):
        value = self.raw.get("price")
        if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
            self.problem("price", 'must be a decimal string such as "12.99"')
            return None
        try:
            price = Decimal(str(value))
        except InvalidOperation:
            self.problem("price", f"is not a number: {value!r}")
            return None
        if not price.is_finite() or price <= 0:
            self.problem("price", "must be more than 0")
        elif price.as_tuple().exponent < -2:
            self.problem("price", "has more than 2 decimal places")
        elif price >= Decimal("1e10"):
            self.problem("price", "is too large")
        return price


def _parse(index, raw, problems):
    if not isinstance(raw, dict):
        problems.append(Problem(index, "(record)", "must be a JSON object"))
        return None
    record = _Record(index, raw, problems)
    number = record.text("number")
    if number and not ORDER_NUMBER.match(number):
        record.problem("number", "may only hold letters, digits and dashes (32 at most)")

    buyer = raw.get("buyer")
    username = email = ""
    if not isinstance(buyer, dict):
        record.problem("buyer", "must be an object with a username and an email")
    else:
        username = record.text("buyer.username", max_length=150, source=buyer)
        email = record.text("buyer.email", required=False, max_length=254, source=buyer)
        for field_name, value, validator in (
            ("buyer.username", username, UnicodeUsernameValidator()),
            ("buyer.email", email, validate_email),
        ):
            try:
                if value:
                    validator(value)
            except ValidationError as error:
                record.problem(field_name, error.messages[0])

    values = {
        "seller": record.text("seller", max_length=200),
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
    return {"number": number, "username": username, "email": email, **values, **dates}


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
    _check_buyers(parsed, problems)
    if problems:
        raise OrderImportError(problems)
    return parsed


def _check_owners(parsed, problems):
    """An order number already known for another buyer is a mistake, not a transfer."""
    numbers = {values["number"]: index for index, values in enumerate(parsed) if values}
    existing = Order.objects.filter(number__in=numbers).values_list("number", "buyer__username")
    for number, username in existing:
        index = numbers[number]
        if parsed[index]["username"] and parsed[index]["username"] != username:
            problems.append(
                Problem(index, "buyer.username", f"order {number} belongs to another buyer")
            )


def _check_buyers(parsed, problems):
    """Orders belong to buyers: never to a staff account, and one email per buyer per file."""
    first_seen = {}  # username: (index, email) of its first record
    for index, values in enumerate(parsed):
        if values and values["username"]:
            _first, email = first_seen.setdefault(values["username"], (index, values["email"]))
            if values["email"] != email:
                problems.append(
                    Problem(index, "buyer.email", f"differs from an earlier record: {email!r}")
                )
    staff = get_user_model().objects.filter(username__in=first_seen, is_staff=True)
    for username in staff.values_list("username", flat=True):
        index, _email = first_seen[username]
        problems.append(Problem(index, "buyer.username", f"{username!r} is a staff account"))


@transaction.atomic
def import_orders(records, *, dry_run=False):
    """Upsert ``records`` by number; with ``dry_run`` nothing is kept."""
    report = ImportReport()
    buyers, sellers = {}, {}
    user_model = get_user_model()
    for values in validate(records):
        username = values["username"]
        if username not in buyers:
            buyer, created = user_model.objects.get_or_create(
                username=username, defaults={"email": values["email"]}
            )
            if created:
                buyer.set_unusable_password()
                buyer.save(update_fields=["password"])
                report.buyers_created.append(username)
            elif values["email"] and buyer.email != values["email"]:
                # The marketplace owns the buyer's contact details.
                buyer.email = values["email"]
                buyer.save(update_fields=["email"])
                report.buyers_updated.append(username)
            buyers[username] = buyer
        if values["seller"] not in sellers:
            seller, created = Seller.objects.get_or_create(name=values["seller"])
            if created:
                report.sellers_created.append(seller.name)
            sellers[values["seller"]] = seller
        fields = {
            "buyer": buyers[username],
            "seller": sellers[values["seller"]],
            **{name: values[name] for name in ORDER_FIELDS if name != "seller"},
            **{name: values[name] for name in DATE_FIELDS},
        }
        _upsert(values["number"], fields, report)
    if dry_run:
        transaction.set_rollback(True)
    return report


def _upsert(number, fields, report):
    order = Order.objects.filter(number=number).first()
    if order is None:
        Order.objects.create(number=number, **fields)
        report.created.append(number)
        return
    changed = [name for name, value in fields.items() if getattr(order, name) != value]
    if not changed:
        report.unchanged.append(number)
        return
    for name in changed:
        setattr(order, name, fields[name])
    order.save(update_fields=changed)
    report.updated.append(number)
