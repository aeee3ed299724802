"""Every change of a dispute's state: one function each, atomic, each writing its event.

Views, the admin and commands call these and nothing else. A change that is not allowed
raises ``DisputeActionError`` with a code and a message the buyer or mediator can read.
"""

from datetime import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accounts.roles import is_mediator
from orders.models import Order

from . import events, notifications
from .eligibility import Eligibility, dispute_eligibility
from .errors import DisputeActionError, DisputeErrorCode
from .evidence import recording
from .models import Appeal, Dispute, DisputeStatus, Evidence, Outcome, RefundRequest


def _validated_request(order: Order, refund_request: str, requested_amount: Decimal | None):
    if refund_request == RefundRequest.FULL:
        return None
    if refund_request != RefundRequest.PARTIAL:
        raise DisputeActionError(
            DisputeErrorCode.INVALID_REQUEST, _("Choose a full or a partial refund.")
        )
    if requested_amount is None or not (Decimal(0) < requested_amount < order.price):
        raise DisputeActionError(
            DisputeErrorCode.INVALID_AMOUNT,
            _("A partial refund must be more than 0 and less than %(price)s %(currency)s.")
            % {"price": order.price, "currency": order.currency},
        )
    return requested_amount


def _locked_order_of(buyer, order: Order) -> Order:
    # Locking the order row makes concurrent submissions for one order queue up, so the
    # second one sees the first one's dispute when it re-checks the rules.
    try:
        return Order.objects.select_for_update().get(pk=order.pk, buyer=buyer)
    except Order.DoesNotExist:
        raise DisputeActionError(
            DisputeErrorCode.NOT_YOURS, _("This order is not yours.")
        ) from None


def _check_rules(order: Order, *, now: datetime, reopening: Dispute | None = None) -> Eligibility:
    eligibility = dispute_eligibility(order, order.disputes.all(), now=now)
    if not eligibility.allowed:
        raise DisputeActionError(
            DisputeErrorCode.NOT_ELIGIBLE,
            _("A dispute cannot be opened on this order now."),
            eligibility=eligibility,
        )
    if eligibility.cancelled_dispute != reopening:
        raise DisputeActionError(
            DisputeErrorCode.REOPEN_INSTEAD,
            _("You cancelled a dispute on this order: reopen it instead of opening a new one."),
        )
    return eligibility


def _save_open_dispute(dispute: Dispute) -> None:
    try:
        with transaction.atomic():
            dispute.save()
    except IntegrityError:
        raise DisputeActionError(
            DisputeErrorCode.ALREADY_OPEN, _("A dispute is already open for this order.")
        ) from None


def _take_answers(dispute, *, reason, refund_request, description, requested_amount=None):
    """The wizard's answers onto ``dispute``, checked against the order's price."""
    dispute.reason = reason
    dispute.refund_request = refund_request
    dispute.requested_amount = _validated_request(dispute.order, refund_request, requested_amount)
    dispute.description = description
    # Emails about the dispute will speak the language the buyer used for it.
    dispute.language = get_language() or dispute.language


def _submit(dispute: Dispute, *, buyer, draft_key: str) -> list[Evidence]:
    """Save the open dispute and attach the draft's evidence; return what was attached."""
    _save_open_dispute(dispute)
    return recording.attach_drafts(
        uploader=buyer, order=dispute.order, draft_key=draft_key, dispute=dispute
    )


@transaction.atomic
def open_dispute(*, order: Order, buyer, draft_key: str = "", now=None, **answers) -> Dispute:
    """Open a dispute after checking every rule again, and attach the draft's evidence.

    ``answers`` are the wizard's: reason, refund_request, requested_amount, description.
    """
    now = now or timezone.now()
    order = _locked_order_of(buyer, order)
    _check_rules(order, now=now)
    dispute = Dispute(order=order, opened_at=now)
    _take_answers(dispute, **answers)
    attached = _submit(dispute, buyer=buyer, draft_key=draft_key)
    events.dispute_opened_event(dispute=dispute, buyer=buyer, evidence=attached, now=now)
    return dispute


def _locked_dispute_of(buyer, dispute: Dispute) -> Dispute:
    try:
        return (
            Dispute.objects.select_for_update()
            .select_related("order")
            .get(pk=dispute.pk, order__buyer=buyer)
        )
    except Dispute.DoesNotExist:
        raise DisputeActionError(
            DisputeErrorCode.NOT_YOURS, _("This dispute is not yours.")
        ) from None


@transaction.atomic
def cancel_dispute(*, dispute: Dispute, buyer, now=None) -> Dispute:
    now = now or timezone.now()
    dispute = _locked_dispute_of(buyer, dispute)
    if dispute.status != DisputeStatus.OPEN:
        raise DisputeActionError(
            DisputeErrorCode.NOT_OPEN, _("Only an open dispute can be cancelled.")
        )
    dispute.status = DisputeStatus.CANCELLED
    dispute.cancelled_at = now
    dispute.save(update_fields=["status", "cancelled_at"])
    events.dispute_cancelled_event(dispute=dispute, buyer=buyer, now=now)
    return dispute


@transaction.atomic
def reopen_dispute(*, dispute: Dispute, buyer, draft_key: str = "", now=None, **answers) -> Dispute:
    """Reopen a dispute the buyer cancelled, with the answers of the wizard walked again."""
    now = now or timezone.now()
    dispute = _locked_dispute_of(buyer, dispute)
    if dispute.status != DisputeStatus.CANCELLED:
        raise DisputeActionError(
            DisputeErrorCode.NOT_CANCELLED, _("Only a dispute you cancelled can be reopened.")
        )
    _check_rules(_locked_order_of(buyer, dispute.order), now=now, reopening=dispute)
    dispute.status = DisputeStatus.OPEN
    dispute.cancelled_at = None
    _take_answers(dispute, **answers)
    attached = _submit(dispute, buyer=buyer, draft_key=draft_key)
    events.dispute_reopened_event(dispute=dispute, buyer=buyer, evidence=attached, now=now)
    return dispute


@transaction.atomic
def add_evidence(*, dispute: Dispute, buyer, evidence: list[Evidence], now=None) -> Dispute:
    """Attach stored evidence to an open dispute (the buyer adds it after opening)."""
    now = now or timezone.now()
    dispute = _locked_dispute_of(buyer, dispute)
    if dispute.status != DisputeStatus.OPEN:
        raise DisputeActionError(
            DisputeErrorCode.NOT_OPEN, _("Evidence can only be added to an open dispute.")
        )
    Evidence.objects.filter(pk__in=[item.pk for item in evidence]).update(
        dispute=dispute, draft_key=""
    )
    events.evidence_added_event(dispute=dispute, uploader=buyer, evidence=evidence, now=now)
    return dispute


def _require_mediator(user) -> None:
    if not is_mediator(user):
        raise DisputeActionError(DisputeErrorCode.NOT_MEDIATOR, _("Only a mediator can do this."))


def _validated_outcome(dispute: Dispute, outcome: str, refund_amount: Decimal | None):
    """The refund that goes with ``outcome``: an amount below the price for a partial one."""
    if outcome not in Outcome.values:
        raise DisputeActionError(DisputeErrorCode.INVALID_OUTCOME, _("Choose a decision."))
    if outcome != Outcome.PARTIAL_REFUND:
        return None
    price = dispute.order.price
    if refund_amount is None or not (Decimal(0) < refund_amount < price):
        raise DisputeActionError(
            DisputeErrorCode.INVALID_AMOUNT,
            _("A partial refund must be more than 0 and less than the price paid (%(price)s).")
            % {"price": price},
        )
    return refund_amount


@transaction.atomic
def decide_dispute(
    *, dispute: Dispute, mediator, outcome: str, refund_amount=None, note: str, now=None
) -> Dispute:
    """Record a mediator's decision on an open dispute, and tell the buyer by email."""
    now = now or timezone.now()
    _require_mediator(mediator)
    dispute = Dispute.objects.select_for_update().select_related("order").get(pk=dispute.pk)
    if dispute.status == DisputeStatus.CANCELLED:
        raise DisputeActionError(
            DisputeErrorCode.CANCELLED,
            _("The buyer cancelled this dispute: it cannot be decided."),
        )
    if dispute.status == DisputeStatus.DECIDED:
        raise DisputeActionError(
            DisputeErrorCode.ALREADY_DECIDED, _("This dispute has already been decided.")
        )
    if not note.strip():
        raise DisputeActionError(
            DisputeErrorCode.NOTE_REQUIRED,
            _("Write a note to the buyer explaining the decision."),
        )
    dispute.refund_amount = _validated_outcome(dispute, outcome, refund_amount)
    dispute.status = DisputeStatus.DECIDED
    dispute.outcome = outcome
    dispute.decision_note = note.strip()
    dispute.decided_by = mediator
    dispute.decided_at = now
    dispute.save()
    events.dispute_decided_event(dispute=dispute, mediator=mediator, now=now)
    transaction.on_commit(lambda: notifications.dispute_decided(dispute))
    return dispute


@transaction.atomic
def send_appeal(*, dispute: Dispute, buyer, message: str, draft_key: str = "", now=None) -> Appeal:
    """The buyer contacts customer service about a decision against them: once per decision."""
    now = now or timezone.now()
    dispute = _locked_dispute_of(buyer, dispute)
    if dispute.status != DisputeStatus.DECIDED or not dispute.is_against_buyer:
        raise DisputeActionError(
            DisputeErrorCode.NOT_APPEALABLE, _("Only a decision against you can be appealed.")
        )
    if not message.strip():
        raise DisputeActionError(
            DisputeErrorCode.MESSAGE_REQUIRED,
            _("Tell customer service why the decision is wrong."),
        )
    try:
        with transaction.atomic():
            appeal = Appeal.objects.create(dispute=dispute, message=message.strip(), sent_at=now)
    except IntegrityError:
        raise DisputeActionError(
            DisputeErrorCode.ALREADY_APPEALED, _("You have already appealed this decision.")
        ) from None
    attached = recording.attach_drafts(
        uploader=buyer, order=dispute.order, draft_key=draft_key, appeal=appeal
    )
    events.appeal_sent_event(appeal=appeal, buyer=buyer, evidence=attached, now=now)
    return appeal


@transaction.atomic
def answer_appeal(*, appeal: Appeal, mediator, answer: str, now=None) -> Appeal:
    now = now or timezone.now()
    _require_mediator(mediator)
    appeal = Appeal.objects.select_for_update().select_related("dispute__order").get(pk=appeal.pk)
    if appeal.is_answered:
        raise DisputeActionError(
            DisputeErrorCode.ALREADY_ANSWERED, _("This appeal has already been answered.")
        )
    if not answer.strip():
        raise DisputeActionError(
            DisputeErrorCode.ANSWER_REQUIRED, _("Write an answer to the buyer.")
        )
    appeal.answer = answer.strip()
    appeal.answered_by = mediator
    appeal.answered_at = now
    appeal.save()
    events.appeal_answered_event(appeal=appeal, mediator=mediator, now=now)
    transaction.on_commit(lambda: notifications.appeal_answered(appeal))
    return appeal
