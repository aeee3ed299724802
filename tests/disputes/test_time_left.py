"""The time left before a deadline, in words: whole units, never rounded up; below a week,
days and hours (PRODUCT.md §4a)."""

from datetime import timedelta

import pytest
from django.template import Context, Template
from django.utils import translation

from disputes.eligibility import Windows, dispute_eligibility
from disputes.time_left import time_left_words
from tests.disputes.test_eligibility import order
from tests.factories import FIXED_NOW

SECOND = timedelta(seconds=1)
DAY = timedelta(days=1)
HOUR = timedelta(hours=1)
MINUTE = timedelta(minutes=1)


@pytest.mark.parametrize(
    ("left", "english", "french"),
    [
        (timedelta(days=12), "12 days", "12 jours"),
        (timedelta(days=12) - SECOND, "11 days", "11 jours"),
        (timedelta(days=11, hours=12), "11 days", "11 jours"),
        (timedelta(days=7), "7 days", "7 jours"),
        (timedelta(days=7) - SECOND, "6 days 23 hours", "6 jours 23 heures"),
        (timedelta(days=5), "5 days", "5 jours"),
        (timedelta(days=5) - SECOND, "4 days 23 hours", "4 jours 23 heures"),
        (timedelta(days=2, hours=1), "2 days 1 hour", "2 jours 1 heure"),
        (timedelta(days=2, hours=1) - SECOND, "2 days", "2 jours"),
        (timedelta(days=2), "2 days", "2 jours"),
        (timedelta(days=1, hours=5, minutes=59), "1 day 5 hours", "1 jour 5 heures"),
        (DAY + HOUR - SECOND, "1 day", "1 jour"),
        (DAY, "1 day", "1 jour"),
        (DAY - SECOND, "23 hours", "23 heures"),
        (DAY - MINUTE, "23 hours", "23 heures"),
        (2 * HOUR, "2 hours", "2 heures"),
        (HOUR, "1 hour", "1 heure"),
        (HOUR - SECOND, "59 minutes", "59 minutes"),
        (2 * MINUTE, "2 minutes", "2 minutes"),
        (MINUTE, "1 minute", "1 minute"),
        (MINUTE - SECOND, "less than a minute", "moins d\u2019une minute"),
        (SECOND, "less than a minute", "moins d\u2019une minute"),
        (timedelta(0), "less than a minute", "moins d\u2019une minute"),
    ],
)
def test_time_left_is_counted_down_in_whole_units_with_hours_below_a_week(left, english, french):
    with translation.override("en"):
        assert time_left_words(left) == english
    with translation.override("fr"):
        assert time_left_words(left) == french


def test_a_deadline_already_passed_has_less_than_a_minute_left():
    with translation.override("en"):
        assert time_left_words(-HOUR) == "less than a minute"


def test_eleven_and_a_half_days_before_the_window_closes_say_eleven_days_not_two_weeks():
    windows = Windows(
        opens_days_after_shipment=10, closes_days_after_receipt=15, delivery_days_after_shipment=60
    )
    received = order(shipped_days_ago=12, received_days_ago=3)
    eligibility = dispute_eligibility(
        received, [], now=FIXED_NOW + timedelta(hours=12), windows=windows
    )
    template = Template("{% load deadlines %}{{ left|time_left_words }}")
    with translation.override("en"):
        assert template.render(Context({"left": eligibility.time_left})) == "11 days"
    assert template.render(Context({"left": None})) == ""
