"""Reading an import's JSON (the command's file and the API's body alike): UTF-8, numbers
exact (``Decimal`` prices), NaN and Infinity refused."""

import json
from decimal import Decimal, InvalidOperation
from typing import Any, NoReturn


class UnreadableJSON(ValueError):
    """A document that cannot be decoded or parsed at all; its message says where."""


def _refuse_constant(name: str) -> NoReturn:
    raise UnreadableJSON(f"is not valid JSON: {name} is not a number")


def _decimal(text: str) -> Decimal:
    """A JSON number with a fraction or an exponent, exact; one whose exponent is beyond
    even ``Decimal``'s (1e999999999999999999999) is read as a float would, infinite or
    zero, for the field that reads it to refuse by name."""
    try:
        return Decimal(text)
    except InvalidOperation:
        return Decimal(float(text))


def _integer(digits: str) -> int | Decimal:
    """A JSON integer; one too long for ``int()`` (Python refuses over 4,300 digits) stays
    an exact ``Decimal``, for the field that reads it to refuse by name."""
    try:
        return int(digits)
    except ValueError:
        return Decimal(digits)


def _utf8(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        before = raw[: error.start]
        line = before.count(b"\n") + 1
        column = len(before[before.rfind(b"\n") + 1 :].decode("utf-8")) + 1
        raise UnreadableJSON(
            f"is not UTF-8 text: byte {raw[error.start]:#04x} at line {line}, column {column}"
        ) from None


def parse_json(raw: bytes | str) -> Any:
    """The JSON document ``raw``.

    What no record can be named in raises ``UnreadableJSON`` saying where it breaks;
    every other oddity (a 5,000-digit number, a lone surrogate, a NUL) parses, and
    validation names its record and field.
    """
    text = _utf8(raw) if isinstance(raw, bytes) else raw
    try:
        return json.loads(
            text, parse_float=_decimal, parse_int=_integer, parse_constant=_refuse_constant
        )
    except json.JSONDecodeError as error:
        raise UnreadableJSON(
            f"is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}"
        ) from None
    except RecursionError:
        raise UnreadableJSON("is nested too deeply to be read") from None
