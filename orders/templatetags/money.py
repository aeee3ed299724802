"""Money and durations in the buyer's language: ``12,99 €`` in French, ``€12.99`` in English."""

from babel.dates import format_timedelta
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


@register.filter
def duration(delta):
    """A time left such as "3 days" or "5 hours", rounded the way people say it."""
    if delta is None:
        return ""
    return format_timedelta(delta, threshold=1.5, locale=_locale())
