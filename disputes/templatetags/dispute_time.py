"""The time left until a deadline, as people read it on a dispute page.

Never rounded up: 4 days and 23 hours is "4 days left"; below a day it counts hours,
below an hour minutes, so nobody is told they have more time than they do.
"""

from datetime import timedelta

from django import template
from django.utils import timezone
from django.utils.translation import gettext, ngettext

register = template.Library()


@register.filter
def time_left(deadline):
    """``deadline`` as the whole days, hours or minutes left from now: "4 days left"."""
    if deadline is None:
        return ""
    return whole_time_left(deadline - timezone.now())


def whole_time_left(left: timedelta) -> str:
    """``left`` in its largest whole unit, rounded down: "4 days left", "23 hours left"."""
    if left <= timedelta(0):
        return gettext("time is up")
    if left.days:
        return ngettext("%(count)s day left", "%(count)s days left", left.days) % {
            "count": left.days
        }
    hours, seconds = divmod(left.seconds, 3600)
    if hours:
        return ngettext("%(count)s hour left", "%(count)s hours left", hours) % {"count": hours}
    minutes = seconds // 60
    if minutes:
        return ngettext("%(count)s minute left", "%(count)s minutes left", minutes) % {
            "count": minutes
        }
    return gettext("less than a minute left")
