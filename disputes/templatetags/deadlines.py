"""Deadlines in people's words, never rounded up (the rule is ``disputes.time_left``):
``{{ eligibility.time_left|time_left_words }}`` ("11 days"),
``{{ dispute.stage_deadline|time_left }}`` ("4 days left", counted from now), and
``{% told next_step.told.to_other next_step.deadline %}`` (a stage's sentence)."""

from datetime import datetime, timedelta

from django import template
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from disputes import deadlines
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


@register.simple_tag(takes_context=True)
def told(context, sentence: Promise | None, deadline: datetime) -> SafeString | str:
    """A sentence of the stage table (``disputes.stages``) with its deadline's date and the
    time left. Like ``{% blocktranslate %}``, only the values are escaped, not the words."""
    if sentence is None:
        return ""
    values = {
        "date": date_format(timezone.localtime(deadline), "DATETIME_FORMAT"),
        "left": time_left(deadline),
    }
    if context.autoescape:
        values = {name: conditional_escape(value) for name, value in values.items()}
    return mark_safe(str(sentence) % values)


@register.filter
def appeal_closes(decided_at):
    """The last instant a decision made at ``decided_at`` can be appealed."""
    return deadlines.appeal_closes_at(decided_at) if decided_at else None
