"""Hostile import files through the command: every value that once printed a traceback
is named by record and field, a file that cannot be read at all is refused saying where it
breaks, and nothing is written. tests/api/test_orders_hostile.py sends the same cases to
the API, which reads them through the same code (``orders.importing``).

The NUL cases matter most on PostgreSQL, which refuses NUL in text: CI runs these files
there too (DATABASE_URL), where a NUL that slipped through would fail the write."""

import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from orders.importing import EXAMPLE_ORDER
from orders.models import Order

pytestmark = pytest.mark.django_db

# One record whose field ``name`` holds ``raw``: JSON text, written as is into the file.
PLACEHOLDER = "@@raw@@"


def record_with(name, raw):
    return json.dumps([EXAMPLE_ORDER | {name: PLACEHOLDER}]).replace(f'"{PLACEHOLDER}"', raw)


FIELD_CASES = [
    ("placed_at", '"2026-02-30T09:30:00Z"', "is not an ISO 8601 date and time"),
    ("placed_at", '"2026-10-01T25:00:00Z"', "is not an ISO 8601 date and time"),
    ("placed_at", '"0001-01-01T00:00:00+05:00"', "is out of range"),
    ("shipped_at", '"9999-12-31T23:00:00-05:00"', "is out of range"),
    ("item", r'"USB-C \ud800 cable"', "must be text without NUL characters or lone surrogates"),
    ("item", r'"USB-C \u0000 cable"', "must be text without NUL characters or lone surrogates"),
    ("description", r'"\udfff"', "must be text without NUL characters or lone surrogates"),
    ("currency", r'"EUR\u0000"', "must be text without NUL characters or lone surrogates"),
    ("price", "1" * 5000, "is too large"),
    ("price", "1e999999999999999999999", "is too large"),
    ("price", "1e-999999999999999999999", "must be more than 0"),
    ("price", '"NaN"', "is not a number"),
    ("number", "9" * 5000, "must be a string"),
]
FIELD_IDS = [
    "30 February",
    "hour 25",
    "year 1 with an offset",
    "year 9999 with an offset",
    "lone surrogate",
    "NUL",
    "lone low surrogate",
    "NUL in the currency",
    "5000-digit price",
    "exponent beyond Decimal's",
    "negative exponent beyond Decimal's",
    "NaN as a string",
    "5000-digit number",
]


def nothing_written():
    return Order.objects.count() == 0 and get_user_model().objects.count() == 0


def import_file(tmp_path, content: bytes):
    path = tmp_path / "orders.json"
    path.write_bytes(content)
    with pytest.raises(CommandError) as error:
        call_command("import_orders", str(path))
    return str(error.value)


@pytest.mark.parametrize(("name", "raw", "message"), FIELD_CASES, ids=FIELD_IDS)
def test_the_command_names_the_record_and_field(tmp_path, name, raw, message):
    error = import_file(tmp_path, record_with(name, raw).encode())
    assert f"record 0, field '{name}': {message}" in error
    assert nothing_written()


UNREADABLE_KEYS = [(r"\ud800", "'\\ud800'"), (r"\u0000", "'\\x00'")]
UNREADABLE_KEY_IDS = ["lone surrogate", "NUL"]


def record_with_key(key):
    """A record with one more field, named ``key`` (JSON text)."""
    return json.dumps([EXAMPLE_ORDER]).replace('"item"', f'"{key}": 1, "item"').encode()


@pytest.mark.parametrize(("key", "named"), UNREADABLE_KEYS, ids=UNREADABLE_KEY_IDS)
def test_an_unknown_field_whose_name_is_not_text_is_named_readably(tmp_path, key, named):
    error = import_file(tmp_path, record_with_key(key))
    assert f"record 0, field '{named}': is not a field of an order record" in error
    assert nothing_written()


FILE_CASES = [
    # "café" in Latin-1: its é, at line 2, column 6, is not UTF-8.
    (b'[{"item":\n "caf\xe9"}]', "is not UTF-8 text: byte 0xe9 at line 2, column 6"),
    # A lone surrogate written raw (as UTF-8 would encode it) is not UTF-8 either.
    (b'["\xed\xa0\x80"]', "is not UTF-8 text: byte 0xed at line 1, column 3"),
    (b"[" * 100_000, "is nested too deeply to be read"),
    (b'[{"price": NaN}]', "is not valid JSON: NaN is not a number"),
]
FILE_IDS = ["Latin-1", "raw surrogate", "deep nesting", "NaN"]


@pytest.mark.parametrize(("content", "message"), FILE_CASES, ids=FILE_IDS)
def test_the_command_refuses_a_file_it_cannot_read_saying_where(tmp_path, content, message):
    error = import_file(tmp_path, content)
    assert f"orders.json {message}. Nothing was imported." in error
    assert nothing_written()


@pytest.mark.parametrize(("content", "message"), FILE_CASES, ids=FILE_IDS)
def test_standard_input_it_cannot_read_is_refused_saying_where(monkeypatch, content, message):
    """``import_orders -`` reads the bytes piped in, as it reads a file's: standard input
    decoded by Python first would stop at the first byte that is not UTF-8, with a
    traceback."""
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(content), encoding="utf-8"))
    with pytest.raises(CommandError) as error:
        call_command("import_orders", "-")
    assert f"standard input {message}. Nothing was imported." in str(error.value)
    assert nothing_written()
