"""Every change of a dispute's state: one function each, atomic, each writing its event.

Views, the admin and commands call these and nothing else. A change that is not
allowed raises ``DisputeActionError`` with a message the buyer or mediator can read.
"""

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accounts.roles import is_mediator
from orders.models import Order

from . import evidence_service, notifications
from .eligibility import dispute_eligibility
from .models import (
    Appeal,
    Dispute,
    DisputeEvent,
    DisputeStatus,
    EventKind,
    Evidence,
    Outcome,
    RefundRequest,
)


class DisputeActionError(Exception):
    """A state change that is not allowed now; ``eligibility`` says why when rules failed."""

    def __init__(self, message, *, eligibility=None):
        super().__init__(message)
        self.message = message
        self.eligibility = eligibility


def record_event(dispute, kind, actor, *, now, **details):
    return DisputeEvent.objects.create(
        dispute=dispute, kind=kind, actor=actor, created_at=now, details=details
    )


def _validated_request(order, refund_request, requested_amount):
    if refund_request == RefundRequest.FULL:
        return None
    if refund_request != RefundRequest.PARTIAL:
        raise DisputeActionError(_("Choose a full or a partial refund."))
    if requested_amount is None or not (Decimal(0) < requested_amount < order.price):
        raise DisputeActionError(
            _("A partial refund must be more than 0 and less than %(price)s %(currency)s.")
            % {"price": order.price, "currency": order.currency}
        )
    return requested_amount


def _locked_order_of(buyer, order):
    # Locking the order row makes concurrent submissions for one order queue up, so the
    # second one sees the first one's dispute when it re-checks the rules.
    try:
        return Order.objects.select_for_update().get(pk=order.pk, buyer=buyer)
    except Order.DoesNotExist:
        raise DisputeActionError(_("This order is not yours.")) from None


def _check_rules(order, *, now, reopening=None):
    eligibility = dispute_eligibility(order, order.disputes.all(), now=now)
    if not eligibility.allowed:
        raise DisputeActionError(
            _("A dispute cannot be opened on this order now."), eligibility=eligibility
        )
    if eligibility.cancelled_dispute != reopening:
        raise DisputeActionError(
            _("You cancelled a dispute on this order: reopen it instead of opening a new one.")
        )
    return eligibility


def _names(evidence):
    """The buyer's file names, as events record them."""
    return [item.original_name for item in evidence]


def _request_details(dispute, attached_evidence):
    """What the buyer asked for, as the opened or reopened event records it."""
    amount = dispute.requested_amount
    return {
        "reason": dispute.reason,
        "refund_request": dispute.refund_request,
        "requested_amount": str(amount) if amount is not None else None,
        "evidence": _names(attached_evidence),
    }


def _save_open_dispute(dispute):
    try:
        with transaction.atomic():
            dispute.save()
    except IntegrityError:
        raise DisputeActionError(_("A dispute is already open for this order.")) from None


def _take_answers(dispute, *, reason, refund_request, description, requested_amount=None):
    """The wizard's answers onto ``dispute``, checked against the order's price."""
    dispute.reason = reason
    dispute.refund_request = refund_request
    dispute.requested_amount = _validated_request(dispute.order, refund_request, requested_amount)
    dispute.description = description
    # Emails about the dispute will speak the language the buyer used for it.
    dispute.language = get_language() or dispute.language


def _submit(dispute, kind, *, buyer, draft_key, now):
    _save_open_dispute(dispute)
    attached = evidence_service.attach_draft_evidence(
        buyer=buyer, order=dispute.order, draft_key=draft_key, dispute=dispute
    )
    record_event(dispute, kind, buyer, now=now, **_request_details(dispute, attached))
    return dispute


@transaction.atomic
def open_dispute(*, order, buyer, draft_key="", now=None, **answers):
    """Open a dispute after checking every rule again, and attach the draft's evidence.

    ``answers`` are the wizard's: reason, refund_request, requested_amount, description.
    """
    now = now or timezone.now()
    order = _locked_order_of(buyer, order)
    _check_rules(order, now=now)
    dispute = Dispute(order=order, opened_at=now)
    _take_answers(dispute, **answers)
    return _submit(dispute, EventKind.OPENED, buyer=buyer, draft_key=draft_key, now=now)


def _locked_dispute_of(buyer, dispute):
    try:
        return (
            Dispute.objects.select_for_update()
            .select_related("order")
            .get(pk=dispute.pk, order__buyer=buyer)
        )
    except Dispute.DoesNotExist:
        raise DisputeActionError(_("This dispute is not yours.")) from None


@transaction.atomic
def cancel_dispute(*, dispute, buyer, now=None):
    now = now or timezone.now()
    dispute = _locked_dispute_of(buyer, dispute)
    if dispute.status != DisputeStatus.OPEN:
        raise DisputeActionError(_("Only an open dispute can be cancelled."))
    dispute.status = DisputeStatus.CANCELLED
    dispute.cancelled_at = now
    dispute.save(update_fields=["status", "cancelled_at"])
    record_event(dispute, EventKind.CANCELLED, buyer, now=now)
    return dispute


@transaction.atomic
def reopen_dispute(*, dispute, buyer, draft_key="", now=None, **answers):
    """Reopen a dispute the buyer cancelled, with the answers of the wizard walked again."""
    now = now or timezone.now()
    dispute = _locked_dispute_of(buyer, dispute)
    if dispute.status != DisputeStatus.CANCELLED:
        raise DisputeActionError(_("Only a dispute you cancelled can be reopened."))
    _check_rules(_locked_order_of(buyer, dispute.order), now=now, reopening=dispute)
    dispute.status = DisputeStatus.OPEN
    dispute.cancelled_at = None
    _take_answers(dispute, **answers)
    return _submit(dispute, EventKind.REOPENED, buyer=buyer, draft_key=draft_key, now=now)


@transaction.atomic
def add_evidence(*, dispute, buyer, evidence, now=None):
    """Attach stored evidence to an open dispute (the buyer adds it after opening)."""
    now = now or timezone.now()
    dispute = _locked_dispute_of(buyer, dispute)
    if dispute.status != DisputeStatus.OPEN:
        raise DisputeActionError(_("Evidence can only be added to an open dispute."))
    Evidence.objects.filter(pk__in=[item.pk for item in evidence]).update(
        dispute=dispute, draft_key=""
    )
    record_event(dispute, EventKind.EVIDENCE_ADDED, buyer, now=now, evidence=_names(evidence))
    return dispute


def _require_mediator(user):
    if not is_mediator(user):
        raise DisputeActionError(_("Only a mediator can do this."))


@transaction.atomic
def decide_dispute(*, dispute, mediator, outcome, refund_amount=None, note, now=None):
    """Record a mediator's decision on an open dispute, and tell the buyer by email."""
    now = now or timezone.now()
    _require_mediator(mediator)
    dispute = Dispute.objects.select_for_update().select_related("order").get(pk=dispute.pk)
    if dispute.status == DisputeStatus.CANCELLED:
        raise DisputeActionError(_("The buyer cancelled this dispute: it cannot be decided."))
    if dispute.status == DisputeStatus.DECIDED:
        raise DisputeActionError(_("This dispute has already been decided."))
    if not note.strip():
        raise DisputeActionError(_("Write a note to the buyer explaining the decision."))
    if outcome not in Outcome.values:
        raise DisputeActionError(_("Choose a decision."))
    if outcome == Outcome.PARTIAL_REFUND:
        price = dispute.order.price
        if refund_amount is None or not (Decimal(0) < refund_amount < price):
            raise DisputeActionError(
                _("A partial refund must be more than 0 and less than the price paid (%(price)s).")
                % {"price": price}
            )
    else:
        refund_amount = None
    dispute.status = DisputeStatus.DECIDED
    dispute.outcome = outcome
    dispute.refund_amount = refund_amount
    dispute.decision_note = note.strip()
    dispute.decided_by = mediator
    dispute.decided_at = now
    dispute.save()
    record_event(
        dispute,
        EventKind.DECIDED,
        mediator,
        now=now,
        outcome=outcome,
        refund_amount=str(refund_amount) if refund_amount else None,
    )
    transaction.on_commit(lambda: notifications.dispute_decided(dispute))
    return dispute


@transaction.atomic
def send_appeal(*, dispute, buyer, message, draft_key="", now=None):
    """The buyer contacts customer service about a decision against them: once per decision."""
    now = now or timezone.now()
    dispute = _locked_dispute_of(buyer, dispute)
    if dispute.status != DisputeStatus.DECIDED or not dispute.is_against_buyer:
        raise DisputeActionError(_("Only a decision against you can be appealed."))
    if not message.strip():
        raise DisputeActionError(_("Tell customer service why the decision is wrong."))
    try:
        with transaction.atomic():
            appeal = Appeal.objects.create(dispute=dispute, message=message.strip(), sent_at=now)
    except IntegrityError:
        raise DisputeActionError(_("You have already appealed this decision.")) from None
    attached = evidence_service.attach_draft_evidence(
        buyer=buyer, order=dispute.order, draft_key=draft_key, appeal=appeal
    )
    record_event(
        dispute,
        EventKind.APPEAL_SENT,
        buyer,
        now=now,
        evidence=_names(attached),
    )
    return appeal


@transaction.atomic
def answer_appeal(*, appeal, mediator, answer, now=None):
    now = now or timezone.now()
    _require_mediator(mediator)
    appeal = Appeal.objects.select_for_update().select_related("dispute__order").get(pk=appeal.pk)
    if appeal.is_answered:
        raise DisputeActionError(_("This appeal has already been answered."))
    if not answer.strip():
        raise DisputeActionError(_("Write an answer to the buyer."))
    appeal.answer = answer.strip()
    appeal.answered_by = mediator
    appeal.answered_at = now
    appeal.save()
    record_event(appeal.dispute, EventKind.APPEAL_ANSWERED, mediator, now=now)
    transaction.on_commit(lambda: notifications.appeal_answered(appeal))
    return appeal
