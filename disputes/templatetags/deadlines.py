"""Deadlines in the buyer's words: ``{{ eligibility.time_left|time_left_words }}``."""

from datetime import timedelta

from django import template

from disputes.time_left import time_left_words as _time_left_words

register = template.Library()


@register.filter
def time_left_words(left):
    """A time left such as "11 days" or "23 hours", never rounded up; "" when there is none."""
    if not isinstance(left, timedelta):
        return ""
    return _time_left_words(left)
