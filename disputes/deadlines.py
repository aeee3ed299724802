"""Every deadline of an open dispute, computed in one place from the stage table. Pure: no
database, no clock.

A stage's deadline is whole 24-hour days after the stage started, counted in UTC like the
dispute window (``eligibility``), so it is the same instant for every party. Who must
act next, and by when, follows from the stage (``disputes.stages``).
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings

from .parties import MEDIATOR
from .stages import ASKED_PARTY, STAGES, OnDeadline, Told, rule_of

if TYPE_CHECKING:
    from .models import Dispute

__all__ = [
    "MEDIATOR",
    "NextStep",
    "StageDays",
    "appeal_answer_due",
    "appeal_closes_at",
    "next_step",
    "refund_expected_by",
    "refunds_late_before",
    "reminder_at",
    "stage_deadline",
]


@dataclass(frozen=True)
class StageDays:
    """How many days each stage gives whoever acts in it, and when they are reminded."""

    days: Mapping[str, int]
    reminder_hours_before: int

    @classmethod
    def from_settings(cls) -> "StageDays":
        return cls(
            days={stage: getattr(settings, rule.days_setting) for stage, rule in STAGES.items()},
            reminder_hours_before=settings.DISPUTE_REMINDER_HOURS_BEFORE,
        )

    def for_stage(self, stage: str) -> int:
        return self.days[stage]


def stage_deadline(stage: str, started_at: datetime, *, days: StageDays | None = None) -> datetime:
    """When whoever acts in ``stage`` must have acted, for a stage started at ``started_at``."""
    days = days or StageDays.from_settings()
    return started_at.astimezone(UTC) + timedelta(days=days.for_stage(stage))


def reminder_at(deadline: datetime, *, days: StageDays | None = None) -> datetime:
    """When a party who has not acted is reminded of ``deadline``."""
    days = days or StageDays.from_settings()
    return deadline - timedelta(hours=days.reminder_hours_before)


@dataclass(frozen=True)
class NextStep:
    """Who must act next on a dispute, and by when; ``enforced`` when the deadline acts.
    ``told`` is how the stage table words it while that actor must act."""

    actor: str | None
    deadline: datetime | None = None
    enforced: bool = False
    told: Told | None = None

    def time_left(self, now: datetime) -> timedelta | None:
        if self.deadline is None:
            return None
        return max(self.deadline - now, timedelta(0))


def next_step(dispute: "Dispute") -> NextStep:
    """Who acts next on ``dispute``: a party, the mediators, or nobody once it has ended."""
    if not dispute.is_open or dispute.stage is None:
        return NextStep(actor=None)
    rule = rule_of(dispute.stage)
    actor = dispute.information_requested_from if rule.acts == ASKED_PARTY else rule.acts
    assert actor is not None, "the database's constraint names the party asked"
    return NextStep(
        actor=actor,
        deadline=dispute.stage_deadline,
        enforced=rule.on_deadline != OnDeadline.SHOWN_ONLY,
        told=rule.told[actor],
    )


def refund_expected_by(instructed_at: datetime) -> datetime:
    """When the marketplace should have reported a refund instructed at ``instructed_at``
    executed: after that, the mediators see it in their queue."""
    return instructed_at.astimezone(UTC) + timedelta(days=settings.REFUND_EXECUTION_DAYS)


def refunds_late_before(now: datetime) -> datetime:
    """Refunds instructed at or before this instant and still not reported are late at
    ``now`` (the inverse of ``refund_expected_by``)."""
    return now.astimezone(UTC) - timedelta(days=settings.REFUND_EXECUTION_DAYS)


def appeal_closes_at(decided_at: datetime) -> datetime:
    """The last instant a party may appeal a decision made at ``decided_at`` (inclusive)."""
    return decided_at.astimezone(UTC) + timedelta(days=settings.DISPUTE_APPEAL_DAYS)


def appeal_answer_due(sent_at: datetime) -> datetime:
    """When customer service should answer an appeal sent at ``sent_at`` (shown, reminded
    in the mediators' queue, not enforced)."""
    return sent_at.astimezone(UTC) + timedelta(days=settings.DISPUTE_APPEAL_ANSWER_DAYS)
