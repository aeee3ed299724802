"""Money in the buyer's language: ``12,99 €`` in French, ``€12.99`` in English."""

from django import template

from orders.money import format_money

register = template.Library()


@register.filter
def money(amount, currency):
    if amount is None:
        return ""
    return format_money(amount, currency)
