"""Amounts written and read the buyer's way: ``€12.99`` / ``12,99 €``, and what they type.

Written with Babel, like every amount on a page. Read into a ``Decimal`` (never a float)
from what a buyer types in a text box: the locale's decimal separator, or the other one
where it cannot be a thousands separator ("5,50" is 5.50 on an English page too).
"""

import functools
import re
from decimal import Decimal

from babel.numbers import (
    format_currency,
    format_decimal,
    get_currency_precision,
    get_currency_symbol,
    get_decimal_symbol,
)
from django.utils.translation import get_language, to_locale

SEPARATORS = ".,"
SPACES = " \u00a0\u202f"  # a space, a no-break space, a narrow no-break space (French groups)


def current_locale() -> str:
    return to_locale(get_language() or "en")


def format_money(amount: Decimal | int, currency: str, locale: str | None = None) -> str:
    """``€12.99`` in English, ``12,99 €`` in French."""
    return _formatted(amount, currency, locale or current_locale())


@functools.lru_cache(maxsize=4096)
def _formatted(amount: Decimal | int, currency: str, locale: str) -> str:
    # A page of cards shows dozens of amounts, the same ones on every visit, and Babel
    # builds each anew. Pure, so remembered per process (a few hundred kB at most).
    return format_currency(amount, currency, locale=locale)


def in_minor_units(amount: Decimal, currency: str) -> Decimal:
    """``amount`` with as many decimals as ``currency`` has: the database keeps three for
    every currency (12.990 EUR is 12.99; 1.250 BHD stays 1.250)."""
    return amount.quantize(Decimal(1).scaleb(-get_currency_precision(currency)))


def format_amount(amount: Decimal | int, currency: str, locale: str | None = None) -> str:
    """The plain number a buyer would type for ``amount``: ``5.50`` or ``5,50``."""
    places = get_currency_precision(currency)
    pattern = "0." + "0" * places if places else "0"
    return format_decimal(amount, format=pattern, locale=locale or current_locale())


def parse_amount(text: str, currency: str, locale: str | None = None) -> Decimal:
    """What a buyer typed, read as an amount of ``currency``; ValueError if it is not one.

    The locale's decimal separator is always one. The other separator is read as a decimal
    one when it appears once, followed by one or two digits ("5,50" in English, "5.50" in
    French), and otherwise only as a thousands separator between groups of three digits
    ("1,234.50", "1 234,50"). The currency's symbol or code around the number is ignored.
    An amount with more decimals than the currency has is refused, never rounded.
    """
    locale = locale or current_locale()
    number = _strip_currency(text.strip(), currency, locale).strip(SPACES)
    number = re.sub(f"[{SPACES}]", " ", number)
    if not number or any(c not in "0123456789" + SEPARATORS + SPACES for c in number):
        raise ValueError(f"not an amount: {text!r}")

    decimal_symbol = get_decimal_symbol(locale)
    other = "," if decimal_symbol == "." else "."
    whole, fraction = number, ""
    if decimal_symbol in number:
        whole, fraction = number.rsplit(decimal_symbol, 1)
    elif number.count(other) == 1 and re.fullmatch(r"\d{1,2}", number.split(other)[1]):
        whole, fraction = number.split(other)

    if not whole.isdigit() and not _grouped(whole, separators=(other, " ")):
        raise ValueError(f"not an amount: {text!r}")
    if fraction and not (fraction.isdigit() and len(fraction) <= get_currency_precision(currency)):
        raise ValueError(f"not an amount of {currency}: {text!r}")
    digits = re.sub(r"\D", "", whole)
    return Decimal(f"{digits}.{fraction}" if fraction else digits)


def _grouped(whole: str, *, separators: tuple[str, ...]) -> bool:
    """Whether ``whole`` is digits in groups of three, all split by one of ``separators``."""
    for separator in separators:
        first, *groups = whole.split(separator)
        if (
            groups
            and first.isdigit()
            and len(first) <= 3
            and all(group.isdigit() and len(group) == 3 for group in groups)
        ):
            return True
    return False


def _strip_currency(text: str, currency: str, locale: str) -> str:
    for mark in (get_currency_symbol(currency, locale), currency):
        if text.upper().startswith(mark.upper()):
            return text[len(mark) :]
        if text.upper().endswith(mark.upper()):
            return text[: -len(mark)]
    return text
