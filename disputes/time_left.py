"""The time left before a deadline, in words: "11 days", "4 days 23 hours", "59 minutes".

A deadline must never look later than it is, so the time left is counted down in whole
units and never rounded up. From a week on, whole days are enough: 11 days and 23 hours is
"11 days" (not "12 days", nor "2 weeks"). Below a week a day matters, so the hours are
said too: a 5-day stage that has just started has "4 days 23 hours" left, not "4 days".
One second short of a day is "23 hours", and under a minute is "less than a minute".
Pure: the caller passes the time left; the words are in the active language.
"""

import functools
from datetime import timedelta

from django.utils.translation import get_language, gettext, ngettext, pgettext

WEEK = timedelta(weeks=1)
DAY = timedelta(days=1)
HOUR = timedelta(hours=1)
MINUTE = timedelta(minutes=1)


def _days(count: int) -> str:
    return ngettext("%(count)s day", "%(count)s days", count) % {"count": count}


def _hours(count: int) -> str:
    return ngettext("%(count)s hour", "%(count)s hours", count) % {"count": count}


def time_left_words(left: timedelta) -> str:
    """``left`` in whole days from a week on, else in days and hours, hours or minutes;
    always rounded down."""
    if left >= DAY:
        days, rest = divmod(left, DAY)
        return _words(days, 0 if left >= WEEK else rest // HOUR, 0, get_language())
    if left >= HOUR:
        return _words(0, left // HOUR, 0, get_language())
    # Also what a deadline already passed gets: callers show a time left only before it.
    return _words(0, 0, max(left // MINUTE, 0), get_language())


@functools.lru_cache(maxsize=1024)
def _words(days: int, hours: int, minutes: int, language: str | None) -> str:
    # Said in ``language``, the active one: a list of deadlines says the same few times
    # left for every reader, and each took up to four translations.
    if days and hours:
        return pgettext("time left", "%(days)s %(hours)s") % {
            "days": _days(days),
            "hours": _hours(hours),
        }
    if days:
        return _days(days)
    if hours:
        return _hours(hours)
    if minutes:
        return ngettext("%(count)s minute", "%(count)s minutes", minutes) % {"count": minutes}
    return gettext("less than a minute")
