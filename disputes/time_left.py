"""The time left before a deadline, in words: "11 days", "23 hours", "59 minutes".

A deadline must never look later than it is, so the time left is counted down in whole
units and never rounded up: 11 days and 23 hours is "11 days" (not "12 days", nor "2
weeks"), one second short of a day is "23 hours", and under a minute is "less than a
minute". Pure: the caller passes the time left; the words are in the active language.
"""

from datetime import timedelta

from django.utils.translation import gettext, ngettext

DAY = timedelta(days=1)
HOUR = timedelta(hours=1)
MINUTE = timedelta(minutes=1)


def time_left_words(left: timedelta) -> str:
    """``left`` in its largest whole unit (days, hours, minutes), rounded down."""
    if left >= DAY:
        days = left // DAY
        return ngettext("%(count)s day", "%(count)s days", days) % {"count": days}
    if left >= HOUR:
        hours = left // HOUR
        return ngettext("%(count)s hour", "%(count)s hours", hours) % {"count": hours}
    if left >= MINUTE:
        minutes = left // MINUTE
        return ngettext("%(count)s minute", "%(count)s minutes", minutes) % {"count": minutes}
    # Also what a deadline already passed gets: callers show a time left only before it.
    return gettext("less than a minute")
