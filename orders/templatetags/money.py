"""Money in the buyer's language: ``12,99 €`` in French, ``€12.99`` in English."""

from babel.numbers import format_currency
from django import template
from django.utils.translation import get_language, to_locale

register = template.Library()


def _locale():
    return to_locale(get_language() or "en")


@register.filter
def money(amount, currency):
    if amount is None:
        return ""
    return format_currency(amount, currency, locale=_locale())
