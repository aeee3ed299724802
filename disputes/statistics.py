"""What the mediators' statistics page and a dispute's signals read: counts, times and
rates computed by the database over indexed columns (``Dispute.Meta.indexes``,
``Order.Meta.indexes``). Reads only; nothing here decides anything.

The counts are ``COUNT(*)``, not of the key: what they read is then in the index, which
PostgreSQL reads alone, without the rows (at 100x the benchmark's data, each week's
column read some 15,000 pages of disputes; tests/test_hot_reads_use_indexes.py).
"""

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from django.db import connection
from django.db.models import (
    Aggregate,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
)
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import TruncWeek
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from orders.models import Order

from .models import (
    Appeal,
    DecisionReason,
    Dispute,
    DisputeStatus,
    Outcome,
    RefundInstruction,
)

WEEKS = 12
# The window of a seller's dispute rate and of a dispute's signals.
RECENT_DAYS = 90


def first_week(now: datetime, weeks: int = WEEKS) -> datetime:
    """Midnight of the Monday that starts the first of the ``weeks`` shown, in the
    site's zone: the weeks are the ones a mediator reads in the calendar."""
    today = timezone.localtime(now).date()
    monday = today - timedelta(days=today.weekday() + 7 * (weeks - 1))
    return timezone.make_aware(datetime.combine(monday, datetime.min.time()))


@dataclass(frozen=True)
class Week:
    starts: date
    opened: int
    escalated: int
    agreed: int
    decided: int
    refunds_instructed: int
    refunds_executed: int


def weekly_counts(*, now: datetime, weeks: int = WEEKS) -> list[Week]:
    """Per week, newest first: disputes opened, escalated, ended by agreement, decided;
    refund instructions sent to the marketplace (each one, a failed one instructed again
    included) and those it reported executed, in the week it says it sent them."""
    since = first_week(now, weeks)
    disputes = Dispute.objects.order_by()
    refunds = RefundInstruction.objects.order_by()
    columns = {
        "opened": _per_week(disputes, "opened_at", since),
        "escalated": _per_week(disputes, "escalated_at", since),
        "agreed": _per_week(disputes.filter(status=DisputeStatus.AGREED), "decided_at", since),
        "decided": _per_week(disputes.filter(status=DisputeStatus.DECIDED), "decided_at", since),
        "refunds_instructed": _per_week(refunds, "instructed_at", since),
        "refunds_executed": _per_week(refunds, "executed_at", since),
    }
    mondays = [since.date() + timedelta(weeks=week) for week in range(weeks)]
    return [
        Week(monday, **{name: counts.get(monday, 0) for name, counts in columns.items()})
        for monday in reversed(mondays)
    ]


def _per_week(rows_of: QuerySet[Any], column: str, since: datetime) -> dict[date, int]:
    rows = (
        rows_of.filter(**{f"{column}__gte": since})
        .annotate(week=TruncWeek(column))
        .values("week")
        .annotate(count=Count("*"))
    )
    return {timezone.localtime(row["week"]).date(): row["count"] for row in rows}


class PercentileCont(Aggregate):
    """PostgreSQL's ``percentile_cont(fraction) WITHIN GROUP (ORDER BY expression)``."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression: Any, *, fraction: float, **extra: Any) -> None:
        super().__init__(expression, fraction=float(fraction), **extra)


@dataclass(frozen=True)
class TimeToDecision:
    decisions: int
    median: timedelta | None
    percentile_90: timedelta | None

    @property
    def median_days(self) -> float | None:
        return _days(self.median)

    @property
    def percentile_90_days(self) -> float | None:
        return _days(self.percentile_90)


def _days(duration: timedelta | None) -> float | None:
    return None if duration is None else duration / timedelta(days=1)


def time_to_decision(*, since: datetime | None = None) -> TimeToDecision:
    """Median and 90th percentile of the time from escalation to decision, over the
    mediators' decisions (since ``since``), as ``percentile_cont`` defines them: linear
    interpolation between the two nearest of the times sorted."""
    decisions = Dispute.objects.filter(
        status=DisputeStatus.DECIDED, escalated_at__isnull=False
    ).order_by()
    if since is not None:
        decisions = decisions.filter(decided_at__gte=since)
    waited = ExpressionWrapper(F("decided_at") - F("escalated_at"), output_field=DurationField())
    if connection.vendor == "postgresql":
        figures = decisions.aggregate(
            count=Count("*"),
            median=PercentileCont(waited, fraction=0.5),
            percentile_90=PercentileCont(waited, fraction=0.9),
        )
        return TimeToDecision(figures["count"], figures["median"], figures["percentile_90"])
    count = decisions.count()
    return TimeToDecision(
        count,
        _interpolated(decisions, waited, count, 0.5),
        _interpolated(decisions, waited, count, 0.9),
    )


def _interpolated(
    decisions: QuerySet[Dispute],
    waited: ExpressionWrapper[CombinedExpression],
    count: int,
    fraction: float,
) -> timedelta | None:
    """``percentile_cont`` where the database has none (SQLite): the database sorts the
    times and returns the one or two around the position ``fraction * (count - 1)``, and
    the value between them is interpolated here."""
    if count == 0:
        return None
    position = fraction * (count - 1)
    below = math.floor(position)
    times = list(
        decisions.annotate(waited=waited)
        .order_by("waited")
        .values_list("waited", flat=True)[below : math.ceil(position) + 1]
    )
    low: timedelta = times[0]
    high: timedelta = times[-1]
    return low + (high - low) * (position - below)


def overdue_count(*, now: datetime) -> int:
    """Open disputes past their stage's date, as the queue's overdue filter counts them."""
    return Dispute.objects.filter(status=DisputeStatus.OPEN, stage_deadline__lt=now).count()


@dataclass(frozen=True)
class ReasonCount:
    reason: StrOrPromise
    decisions: int
    appeal_answers: int


def decision_reason_counts(*, since: datetime | None = None) -> list[ReasonCount]:
    """How often each reason was given, in decisions and in answers to appeals."""
    decisions = Dispute.objects.filter(status=DisputeStatus.DECIDED).exclude(decision_reason="")
    answers = Appeal.objects.exclude(answer_reason="")
    if since is not None:
        decisions = decisions.filter(decided_at__gte=since)
        answers = answers.filter(answered_at__gte=since)
    by_decision = dict(
        decisions.order_by().values_list("decision_reason").annotate(count=Count("*"))
    )
    by_answer = dict(answers.order_by().values_list("answer_reason").annotate(count=Count("*")))
    return [
        ReasonCount(reason.label, by_decision.get(reason, 0), by_answer.get(reason, 0))
        for reason in DecisionReason
    ]


class SellerSort(StrEnum):
    """The orders the sellers' table can be read in; the highest first."""

    RATE = "rate"
    DISPUTES = "disputes"
    ORDERS = "orders"
    REJECTED = "rejected"

    @property
    def label(self) -> StrOrPromise:
        return SELLER_SORT_LABELS[self]

    @classmethod
    def of(cls, value: str | None) -> "SellerSort":
        """The sort asked for in the page's address, the dispute rate by default."""
        return cls(value) if value is not None and value in cls._value2member_map_ else cls.RATE


SELLER_SORT_LABELS = {
    SellerSort.RATE: _("dispute rate"),
    SellerSort.DISPUTES: _("disputes"),
    SellerSort.ORDERS: _("orders"),
    SellerSort.REJECTED: _("rejected"),
}

# How a dispute stands or ended, by the name of its count in a seller's row and signals.
OUTCOMES: dict[str, dict[str, str]] = {
    "open": {"status": DisputeStatus.OPEN},
    "cancelled": {"status": DisputeStatus.CANCELLED},
    "agreed": {"status": DisputeStatus.AGREED},
    "full_refund": {"status": DisputeStatus.DECIDED, "outcome": Outcome.FULL_REFUND},
    "partial_refund": {"status": DisputeStatus.DECIDED, "outcome": Outcome.PARTIAL_REFUND},
    "rejected": {"status": DisputeStatus.DECIDED, "outcome": Outcome.REJECTED},
}


def _outcome_counts() -> dict[str, Count]:
    """A count of the disputes for each outcome: of their status (every dispute has one),
    as ``COUNT(*)`` takes no condition and the key is not in the indexes read."""
    return {name: Count("status", filter=Q(**fields)) for name, fields in OUTCOMES.items()}


def seller_rates(
    *, now: datetime, sort: SellerSort = SellerSort.RATE, limit: int = 50
) -> list[dict[str, Any]]:
    """The sellers with disputes opened in the last 90 days, ``limit`` of them in ``sort``'s
    order: their disputes, their orders placed in those days, the dispute rate (disputes /
    orders; None without orders) and the disputes' outcomes.

    Two grouped counts by the database: the disputes of the 90 days by seller and outcome
    (the disputes' opened_at index, read alone), then those sellers' orders of the 90 days
    (the orders' (seller, placed_at) index, read alone). Dividing and sorting the few hundred
    rows is left here: as one query, PostgreSQL counted a seller's orders once per
    dispute, not once per seller (docs/benchmark.md)."""
    since = now - timedelta(days=RECENT_DAYS)
    rows: list[dict[str, Any]] = [
        dict(row)
        for row in Dispute.objects.filter(opened_at__gte=since)
        .order_by()
        .values("seller", "seller__name")
        .annotate(disputes=Count("*"), **_outcome_counts())
    ]
    placed = dict(
        Order.objects.filter(seller__in=[row["seller"] for row in rows], placed_at__gte=since)
        .order_by()
        .values("seller")
        .annotate(count=Count("*"))
        .values_list("seller", "count")
    )
    sellers = [
        {
            "seller": row["seller__name"],
            "disputes": row["disputes"],
            "orders": (orders := placed.get(row["seller"], 0)),
            "rate": row["disputes"] / orders if orders else None,
            **{name: row[name] for name in OUTCOMES},
        }
        for row in rows
    ]
    sellers.sort(key=lambda seller: seller["seller"])
    sellers.sort(key=lambda seller: _highest_first(seller[sort.value]))
    return sellers[:limit]


def _highest_first(value: float | None) -> tuple[bool, float]:
    """A sort key putting the highest first and None (no orders) last."""
    return (value is None, -(value or 0))


@dataclass(frozen=True)
class PartyRecord:
    """One party's other disputes of the last 90 days, by how they stand or ended."""

    total: int
    open: int
    cancelled: int
    agreed: int
    full_refund: int
    partial_refund: int
    rejected: int


@dataclass(frozen=True)
class Signals:
    buyer: PartyRecord
    seller: PartyRecord


def party_signals(dispute: Dispute, *, now: datetime) -> Signals:
    """The buyer's and the seller's other disputes opened in the last 90 days: context
    beside the case for the mediators, never a rule."""
    recent = Dispute.objects.filter(opened_at__gte=now - timedelta(days=RECENT_DAYS)).exclude(
        pk=dispute.pk
    )
    return Signals(
        buyer=_record(recent.filter(order__buyer_id=dispute.order.buyer_id)),
        seller=_record(recent.filter(seller=dispute.seller_id)),
    )


def _record(disputes: QuerySet[Dispute]) -> PartyRecord:
    counts = disputes.aggregate(total=Count("*"), **_outcome_counts())
    return PartyRecord(**counts)
