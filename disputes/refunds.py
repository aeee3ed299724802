"""Refund instructions, and what the marketplace reports back (PRODUCT.md §4f).

Every outcome that moves money instructs, in its own transaction, what it adds to the
refunds already instructed for its dispute (``instruct_outcome``, called where
``disputes.actions`` records every outcome). The marketplace reports each instruction
executed or failed, once: the same report again answers as the first, a contradicting
one is refused with a code. A mediator instructs a failed one again, under a new id.
Each change is a dispute event, so it reaches the timeline, the emails and the webhooks.
"""

from datetime import datetime, timedelta
from decimal import Decimal
from uuid import UUID

from django.db import transaction
from django.db.models import QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import is_mediator
from orders.models import Order

from . import events
from .errors import DisputeActionError, DisputeErrorCode
from .models import ENDED_STATUSES, Dispute, RefundInstruction, RefundStatus

# A marketplace's clock may run a little ahead of ours.
CLOCK_SKEW = timedelta(minutes=5)


def _moved(instructions: QuerySet[RefundInstruction]) -> Decimal:
    total: Decimal | None = instructions.aggregate(total=Sum("amount"))["total"]
    return total or Decimal(0)


def instruct_outcome(
    *, dispute: Dispute, actor: User | None, now: datetime
) -> RefundInstruction | None:
    """Instruct what ``dispute``'s outcome, just recorded, refunds beyond what was already
    instructed for it; None when nothing more. A lower outcome instructs nothing: what was
    refunded too much is settled with the marketplace (``Dispute.objects.refunds_to_settle``).

    The order's row is locked, so the total its standing instructions moved is the one the
    database then checks against the price.
    """
    order = Order.objects.select_for_update().get(pk=dispute.order_id)
    standing = RefundInstruction.objects.live().filter(order=order)
    owed = (dispute.refunded_amount or Decimal(0)) - _moved(standing.filter(dispute=dispute))
    if owed <= 0:
        return None
    assert dispute.outcome is not None, "an outcome that refunds has been recorded"
    instruction = RefundInstruction.objects.create(
        dispute=dispute,
        order=order,
        amount=owed,
        currency=order.currency,
        order_price=order.price,
        moved_before=_moved(standing),
        outcome=dispute.outcome,
        instructed_at=now,
    )
    events.refund_instructed_event(instruction=instruction, actor=actor, now=now)
    return instruction


def _locked(refund_id: UUID) -> RefundInstruction:
    """The instruction, locked; ``RefundInstruction.DoesNotExist`` when there is none."""
    return (
        RefundInstruction.objects.select_for_update(of=("self",))
        .select_related("dispute__order")
        .get(public_id=refund_id)
    )


def _refuse_superseded(instruction: RefundInstruction) -> None:
    if instruction.status == RefundStatus.SUPERSEDED:
        replacement = instruction.replaced_by
        raise DisputeActionError(
            DisputeErrorCode.REFUND_SUPERSEDED,
            _("This refund failed and was instructed again as %(id)s: report on that one.")
            % {"id": replacement.public_id},
        )


@transaction.atomic
def report_executed(
    *, refund_id: UUID, reference: str, executed_at: datetime, now: datetime | None = None
) -> RefundInstruction:
    """The marketplace sent the refund, under its ``reference``, at ``executed_at``.

    The same report again changes nothing; another reference for it is refused. A refund
    reported failed may still be reported executed (the marketplace's retry succeeded)
    until a mediator instructs it again.
    """
    now = now or timezone.now()
    instruction = _locked(refund_id)
    _refuse_superseded(instruction)
    if instruction.status == RefundStatus.EXECUTED:
        if instruction.reference == reference:
            return instruction
        raise DisputeActionError(
            DisputeErrorCode.REFUND_OTHER_REFERENCE,
            _("This refund was already reported executed, with the reference %(reference)s.")
            % {"reference": instruction.reference},
        )
    if executed_at > now + CLOCK_SKEW:
        raise DisputeActionError(
            DisputeErrorCode.REFUND_EXECUTED_IN_THE_FUTURE,
            _("A refund cannot have been executed in the future."),
        )
    instruction.status = RefundStatus.EXECUTED
    instruction.reference = reference
    instruction.executed_at = executed_at
    instruction.save()
    events.refund_executed_event(instruction=instruction, now=now)
    return instruction


@transaction.atomic
def report_failed(
    *, refund_id: UUID, reason: str, now: datetime | None = None
) -> RefundInstruction:
    """The marketplace could not send the refund, for ``reason``: the mediators see it.

    A refund already failed stays as first reported; one executed cannot fail.
    """
    now = now or timezone.now()
    instruction = _locked(refund_id)
    _refuse_superseded(instruction)
    if instruction.status == RefundStatus.FAILED:
        return instruction
    if instruction.status == RefundStatus.EXECUTED:
        raise DisputeActionError(
            DisputeErrorCode.REFUND_ALREADY_EXECUTED,
            _("This refund was already reported executed: it cannot fail now."),
        )
    instruction.status = RefundStatus.FAILED
    instruction.failure_reason = reason
    instruction.failed_at = now
    instruction.save()
    events.refund_failed_event(instruction=instruction, now=now)
    return instruction


def excess_of(dispute: Dispute) -> Decimal:
    """What ``dispute``'s standing instructions refunded above its outcome now: more than
    zero once an appeal lowered or cancelled a refund already instructed."""
    standing = RefundInstruction.objects.live().filter(dispute=dispute)
    return _moved(standing) - (dispute.refunded_amount or Decimal(0))


@transaction.atomic
def settle_excess(*, dispute: Dispute, mediator: User, now: datetime | None = None) -> Dispute:
    """A mediator has settled with the marketplace what was refunded above the outcome: the
    dispute leaves the queue's "to settle" (a later excess, after another appeal, comes
    back to it)."""
    now = now or timezone.now()
    if not is_mediator(mediator):
        raise DisputeActionError(DisputeErrorCode.NOT_MEDIATOR, _("Only a mediator can do this."))
    dispute = (
        Dispute.objects.select_for_update(of=("self",)).select_related("order").get(pk=dispute.pk)
    )
    excess = excess_of(dispute)
    if dispute.status not in ENDED_STATUSES or excess <= dispute.refund_settled:
        raise DisputeActionError(
            DisputeErrorCode.NOTHING_TO_SETTLE,
            _("Nothing was refunded above this dispute's outcome that is left to settle."),
        )
    dispute.refund_settled = excess
    dispute.save(update_fields=["refund_settled"])
    events.refund_settled_event(dispute=dispute, mediator=mediator, amount=excess, now=now)
    return dispute


@transaction.atomic
def instruct_again(
    *, refund: RefundInstruction, mediator: User, now: datetime | None = None
) -> RefundInstruction:
    """A mediator instructs a failed refund again: the same amount under a new id, which
    the marketplace executes as a new refund; the failed one is superseded."""
    now = now or timezone.now()
    if not is_mediator(mediator):
        raise DisputeActionError(DisputeErrorCode.NOT_MEDIATOR, _("Only a mediator can do this."))
    failed = _locked(refund.public_id)
    if failed.status != RefundStatus.FAILED:
        raise DisputeActionError(
            DisputeErrorCode.REFUND_NOT_FAILED,
            _("Only a refund the marketplace reported failed can be instructed again."),
        )
    Order.objects.select_for_update().get(pk=failed.order_id)
    failed.status = RefundStatus.SUPERSEDED
    failed.save()
    instruction = RefundInstruction.objects.create(
        dispute=failed.dispute,
        order_id=failed.order_id,
        amount=failed.amount,
        currency=failed.currency,
        order_price=failed.order_price,
        moved_before=failed.moved_before,
        outcome=failed.outcome,
        instructed_at=now,
        replaces=failed,
    )
    events.refund_instructed_event(instruction=instruction, actor=mediator, now=now)
    return instruction
