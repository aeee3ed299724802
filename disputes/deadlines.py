"""Every deadline of an open dispute, computed in one place. Pure: no database, no clock.

A stage's deadline is whole 24-hour days after the stage started, counted in UTC like the
dispute window (``eligibility``), so it is the same instant for every party. Who must
act next, and by when, follows from the stage.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings

from .models import Party, Stage

MEDIATOR = "mediator"


@dataclass(frozen=True)
class StageDays:
    """How long each party has in each stage (PRODUCT.md §4a)."""

    seller_answer: int
    offer_answer: int
    mediator_decision: int
    information: int
    reminder_hours_before: int

    @classmethod
    def from_settings(cls):
        return cls(
            seller_answer=settings.DISPUTE_SELLER_ANSWER_DAYS,
            offer_answer=settings.DISPUTE_OFFER_ANSWER_DAYS,
            mediator_decision=settings.DISPUTE_MEDIATOR_DECISION_DAYS,
            information=settings.DISPUTE_INFORMATION_DAYS,
            reminder_hours_before=settings.DISPUTE_REMINDER_HOURS_BEFORE,
        )

    def for_stage(self, stage: str) -> int:
        return {
            Stage.WAITING_FOR_SELLER: self.seller_answer,
            Stage.OFFER_WAITING_FOR_BUYER: self.offer_answer,
            Stage.WITH_MEDIATOR: self.mediator_decision,
            Stage.INFORMATION_REQUESTED: self.information,
        }[stage]


def stage_deadline(stage: str, started_at: datetime, *, days: StageDays | None = None):
    """When the party of ``stage`` must have acted, for a stage started at ``started_at``."""
    days = days or StageDays.from_settings()
    return started_at.astimezone(UTC) + timedelta(days=days.for_stage(stage))


def reminder_at(deadline: datetime, *, days: StageDays | None = None) -> datetime:
    """When a party who has not acted is reminded of ``deadline``."""
    days = days or StageDays.from_settings()
    return deadline - timedelta(hours=days.reminder_hours_before)


@dataclass(frozen=True)
class NextStep:
    """Who must act next on a dispute, and by when; ``enforced`` when the deadline acts."""

    actor: str | None
    deadline: datetime | None = None
    enforced: bool = False

    def time_left(self, now: datetime) -> timedelta | None:
        if self.deadline is None:
            return None
        return max(self.deadline - now, timedelta(0))


def next_step(dispute) -> NextStep:
    """Who acts next on ``dispute``: a party, the mediators, or nobody once it has ended."""
    if not dispute.is_open:
        return NextStep(actor=None)
    actor = {
        Stage.WAITING_FOR_SELLER: Party.SELLER,
        Stage.OFFER_WAITING_FOR_BUYER: Party.BUYER,
        Stage.WITH_MEDIATOR: MEDIATOR,
        Stage.INFORMATION_REQUESTED: dispute.information_requested_from,
    }[dispute.stage]
    # The mediators' decision date is shown, not enforced (PRODUCT.md §4a).
    return NextStep(
        actor=actor, deadline=dispute.stage_deadline, enforced=dispute.stage != Stage.WITH_MEDIATOR
    )
