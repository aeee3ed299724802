"""Amounts read from what a buyer types, and written, the locale's way; Decimal throughout."""

from decimal import Decimal

import pytest

from orders.money import format_amount, format_money, parse_amount


@pytest.mark.parametrize(
    ("typed", "locale", "amount"),
    [
        ("5.50", "en", "5.50"),
        ("5,50", "en", "5.50"),  # the comma can only be a decimal separator here
        ("5,5", "en", "5.5"),
        ("5", "en", "5"),
        (" 5.50 ", "en", "5.50"),
        ("€5.50", "en", "5.50"),
        ("5.50 EUR", "en", "5.50"),
        ("1,234.50", "en", "1234.50"),
        ("1,234", "en", "1234"),  # English groups
        ("1,234,567.89", "en", "1234567.89"),
        ("5,50", "fr", "5.50"),
        ("5.50", "fr", "5.50"),  # the dot can only be a decimal separator here
        ("5,50 €", "fr", "5.50"),
        ("5,50\u00a0€", "fr", "5.50"),
        ("1 234,50", "fr", "1234.50"),
        ("1\u202f234,50", "fr", "1234.50"),
        ("1.234,50", "fr", "1234.50"),
        ("0,99", "fr", "0.99"),
    ],
)
def test_an_amount_is_read_the_locales_way(typed, locale, amount):
    parsed = parse_amount(typed, "EUR", locale)
    assert isinstance(parsed, Decimal)
    assert parsed == Decimal(amount)


@pytest.mark.parametrize(
    ("typed", "locale"),
    [
        ("", "en"),
        ("abc", "en"),
        ("five", "en"),
        ("5.5.0", "en"),
        ("1.234.50", "en"),  # the decimal separator twice
        ("5,50.00", "en"),  # "5,50" is no group of three
        ("5,555", "fr"),  # three decimals: a euro has two
        ("5.555", "en"),
        ("5,5,5", "en"),
        ("-5", "en"),
        ("1e3", "en"),
        ("NaN", "en"),
        ("5 50", "en"),  # a space is no decimal separator
        ("1,234 567", "en"),  # two different group separators
        (",50", "en"),
    ],
)
def test_what_is_not_an_amount_is_refused(typed, locale):
    with pytest.raises(ValueError):
        parse_amount(typed, "EUR", locale)


def test_a_currency_without_decimals_refuses_them():
    assert parse_amount("1500", "JPY", "en") == Decimal(1500)
    with pytest.raises(ValueError):
        parse_amount("1500.50", "JPY", "en")


def test_amounts_are_written_the_locales_way():
    assert format_money(Decimal("12.99"), "EUR", "en") == "€12.99"
    assert format_money(Decimal("21.90"), "EUR", "fr") == "21,90\u00a0€"
    assert format_amount(Decimal("5.5"), "EUR", "en") == "5.50"
    assert format_amount(Decimal("1234.5"), "EUR", "fr") == "1234,50"
    assert format_amount(Decimal("1500"), "JPY", "en") == "1500"
