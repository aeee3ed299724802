"""Deadlines in people's words, never rounded up (the rule is ``disputes.time_left``):
``{{ eligibility.time_left|time_left_words }}`` ("11 days") and
``{{ dispute.stage_deadline|time_left }}`` ("4 days left", counted from now)."""

from datetime import timedelta

from django import template
from django.utils import timezone
from django.utils.translation import gettext

from disputes.time_left import time_left_words as _time_left_words

register = template.Library()


@register.filter
def time_left_words(left):
    """A time left such as "11 days" or "23 hours", never rounded up; "" when there is none."""
    if not isinstance(left, timedelta):
        return ""
    return _time_left_words(left)


@register.filter
def time_left(deadline):
    """The time left from now until ``deadline``: "4 days left"; "time is up" once passed."""
    if deadline is None:
        return ""
    left = deadline - timezone.now()
    if left <= timedelta(0):
        return gettext("time is up")
    return gettext("%(time)s left") % {"time": _time_left_words(left)}
