"""One function per kind of dispute event: the shape of each event's ``details``, written once.

Every state change in ``disputes.actions`` writes exactly one of these (or two: a seller's
refusal is also an escalation), in the same transaction. Each event is then announced by
``signals.dispute_event_recorded``, still in that transaction, and its effects are the
listeners': the emails (``disputes.notifications``) and the marketplace's webhooks
(``api.signals``) are queued as rows beside the event, so an event is never without them
and a crash between its commit and a send loses nothing. A new channel is one more
listener, connected in its app's ``ready``; nothing here names it.

The timeline (the parties' pages and the admin) reads the details named here:

- opened, reopened: ``reason``, ``refund_request``, ``requested_amount`` (a string, or
  None for a full refund) and ``evidence`` (the file names attached);
- seller_accepted, offer_accepted: ``refund_amount`` (a string: what will be refunded);
- offer_made: ``amount``;
- seller_refused: ``evidence``;
- escalated: ``reason`` (an ``EscalationReason``);
- information_requested: ``party`` and ``message`` (the question's pk);
  information_lapsed: ``party``;
- message: ``message`` (its pk) and ``evidence``;
- evidence_added: ``evidence``; appeal_sent: ``party`` (who appealed) and ``evidence``;
- decided: ``outcome``, ``refund_amount`` (a string, or None) and ``decision_reason``;
- appeal_answered: ``party``, ``ruling`` (upheld or replaced), ``decision_reason`` (the
  answer's), and the decision that now stands: ``outcome`` and ``refund_amount`` (a
  replacing decision has its own ``decided`` event after it);
- offer_refused, cancelled, new_information_read: nothing;
- refund_instructed: ``refund`` (the instruction's public id), ``amount``, ``outcome``
  and ``replaces`` (the public id of the failed instruction it replaces, or None);
  refund_executed: ``refund``, ``amount``, ``reference`` and ``executed_at`` (ISO 8601,
  UTC); refund_failed: ``refund``, ``amount`` and ``failure_reason``.
- return_asked: ``by`` ("seller" or "mediator"), ``postage_paid_by`` (a party) and
  ``return_address``; return_shipped: ``carrier``, ``tracking_number`` and ``evidence``;
  return_arrived, return_refund_released: ``refund_amount``; return_problem: ``evidence``;
- delivery_proved: ``carrier``, ``tracking_number`` and ``evidence``;
- delivery_extended: ``delivery_by`` (the new date, ISO 8601);
- extension_accepted: ``delivery_by``; extension_refused: nothing;
- reason_changed: ``reason`` and ``previous_reason``;
- assigned: ``assignee`` (the mediator's pk, or None for nobody) and ``assignee_name``.

Assigned and new_information_read are the mediators' own (``MEDIATORS_ONLY_EVENTS``).

``actor`` is None for what a deadline did by itself, and for what the marketplace reported.
"""

from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import Decimal

from accounts.models import User
from orders.money import in_minor_units

from . import signals
from .models import (
    Appeal,
    Dispute,
    DisputeEvent,
    DisputeMessage,
    EventKind,
    Evidence,
    RefundInstruction,
)


def _event(
    dispute: Dispute, kind: EventKind, actor: User | None, now: datetime, **details: object
) -> DisputeEvent:
    event = DisputeEvent.objects.create(
        dispute=dispute, kind=kind, actor=actor, created_at=now, details=details
    )
    signals.dispute_event_recorded.send(sender=DisputeEvent, event=event)
    return event


def _file_names(evidence: Iterable[Evidence]) -> list[str]:
    """The uploader's file names, as events record them."""
    return [item.original_name for item in evidence]


def _amount(dispute: Dispute, amount: Decimal | None) -> str | None:
    """``amount`` in the order's currency's decimals ("5.50", never the stored "5.500")."""
    return str(in_minor_units(amount, dispute.order.currency)) if amount is not None else None


def _request(dispute: Dispute, evidence: Iterable[Evidence]) -> dict[str, object]:
    return {
        "reason": dispute.reason,
        "refund_request": dispute.refund_request,
        "requested_amount": _amount(dispute, dispute.requested_amount),
        "evidence": _file_names(evidence),
    }


def dispute_opened_event(
    *, dispute: Dispute, buyer: User, evidence: Iterable[Evidence], now: datetime
) -> DisputeEvent:
    return _event(dispute, EventKind.OPENED, buyer, now, **_request(dispute, evidence))


def dispute_reopened_event(
    *, dispute: Dispute, buyer: User, evidence: Iterable[Evidence], now: datetime
) -> DisputeEvent:
    return _event(dispute, EventKind.REOPENED, buyer, now, **_request(dispute, evidence))


def seller_accepted_event(*, dispute: Dispute, seller: User, now: datetime) -> DisputeEvent:
    return _event(
        dispute,
        EventKind.SELLER_ACCEPTED,
        seller,
        now,
        refund_amount=_amount(dispute, dispute.refunded_amount),
    )


def offer_made_event(*, dispute: Dispute, seller: User, now: datetime) -> DisputeEvent:
    amount = _amount(dispute, dispute.offer_amount)
    return _event(dispute, EventKind.OFFER_MADE, seller, now, amount=amount)


def offer_accepted_event(*, dispute: Dispute, buyer: User, now: datetime) -> DisputeEvent:
    return _event(
        dispute,
        EventKind.OFFER_ACCEPTED,
        buyer,
        now,
        refund_amount=_amount(dispute, dispute.refunded_amount),
    )


def offer_refused_event(*, dispute: Dispute, buyer: User, now: datetime) -> DisputeEvent:
    return _event(dispute, EventKind.OFFER_REFUSED, buyer, now)


def seller_refused_event(
    *, dispute: Dispute, seller: User, evidence: Iterable[Evidence], now: datetime
) -> DisputeEvent:
    return _event(dispute, EventKind.SELLER_REFUSED, seller, now, evidence=_file_names(evidence))


def escalated_event(*, dispute: Dispute, actor: User | None, now: datetime) -> DisputeEvent:
    return _event(dispute, EventKind.ESCALATED, actor, now, reason=dispute.escalation_reason)


def information_requested_event(
    *, dispute: Dispute, mediator: User, question: DisputeMessage, now: datetime
) -> DisputeEvent:
    return _event(
        dispute,
        EventKind.INFORMATION_REQUESTED,
        mediator,
        now,
        party=dispute.information_requested_from,
        message=question.pk,
    )


def information_lapsed_event(*, dispute: Dispute, party: str, now: datetime) -> DisputeEvent:
    return _event(dispute, EventKind.INFORMATION_LAPSED, None, now, party=party)


def message_event(
    *, message: DisputeMessage, evidence: Iterable[Evidence], now: datetime
) -> DisputeEvent:
    return _event(
        message.dispute,
        EventKind.MESSAGE,
        message.author,
        now,
        message=message.pk,
        evidence=_file_names(evidence),
    )


def dispute_cancelled_event(*, dispute: Dispute, buyer: User, now: datetime) -> DisputeEvent:
    return _event(dispute, EventKind.CANCELLED, buyer, now)


def evidence_added_event(
    *, dispute: Dispute, uploader: User, evidence: Iterable[Evidence], now: datetime
) -> DisputeEvent:
    return _event(dispute, EventKind.EVIDENCE_ADDED, uploader, now, evidence=_file_names(evidence))


def dispute_decided_event(*, dispute: Dispute, mediator: User, now: datetime) -> DisputeEvent:
    return _event(
        dispute,
        EventKind.DECIDED,
        mediator,
        now,
        outcome=dispute.outcome,
        refund_amount=_amount(dispute, dispute.refund_amount),
        decision_reason=dispute.decision_reason,
    )


def appeal_sent_event(
    *, appeal: Appeal, appellant: User, evidence: Iterable[Evidence], now: datetime
) -> DisputeEvent:
    return _event(
        appeal.dispute,
        EventKind.APPEAL_SENT,
        appellant,
        now,
        party=appeal.party,
        evidence=_file_names(evidence),
    )


# A parcel that never arrived (PRODUCT.md §2a).


def delivery_proved_event(
    *, dispute: Dispute, seller: User, evidence: Iterable[Evidence], now: datetime
) -> DisputeEvent:
    return _event(
        dispute,
        EventKind.DELIVERY_PROVED,
        seller,
        now,
        carrier=dispute.delivery_carrier,
        tracking_number=dispute.delivery_tracking_number,
        evidence=_file_names(evidence),
    )


def _delivery_by(dispute: Dispute) -> str | None:
    extended_to = dispute.delivery_extended_to
    return extended_to.isoformat() if extended_to else None


def delivery_extended_event(*, dispute: Dispute, seller: User, now: datetime) -> DisputeEvent:
    return _event(
        dispute, EventKind.DELIVERY_EXTENDED, seller, now, delivery_by=_delivery_by(dispute)
    )


def extension_accepted_event(*, dispute: Dispute, buyer: User, now: datetime) -> DisputeEvent:
    return _event(
        dispute, EventKind.EXTENSION_ACCEPTED, buyer, now, delivery_by=_delivery_by(dispute)
    )


def extension_refused_event(*, dispute: Dispute, buyer: User, now: datetime) -> DisputeEvent:
    return _event(dispute, EventKind.EXTENSION_REFUSED, buyer, now)


def reason_changed_event(
    *, dispute: Dispute, buyer: User, previous_reason: str, now: datetime
) -> DisputeEvent:
    return _event(
        dispute,
        EventKind.REASON_CHANGED,
        buyer,
        now,
        reason=dispute.reason,
        previous_reason=previous_reason,
    )


def appeal_answered_event(*, appeal: Appeal, mediator: User, now: datetime) -> DisputeEvent:
    """With the decision that stands after it: upheld, or the one replacing it (whose own
    ``decided`` event follows)."""
    dispute = appeal.dispute
    return _event(
        dispute,
        EventKind.APPEAL_ANSWERED,
        mediator,
        now,
        party=appeal.party,
        ruling=appeal.ruling,
        decision_reason=appeal.answer_reason,
        outcome=dispute.outcome,
        refund_amount=_amount(dispute, dispute.refund_amount),
    )


def _refund(instruction: RefundInstruction) -> dict[str, object]:
    return {
        "refund": str(instruction.public_id),
        "amount": _amount(instruction.dispute, instruction.amount),
    }


def refund_instructed_event(
    *, instruction: RefundInstruction, actor: User | None, now: datetime
) -> DisputeEvent:
    """``actor``: who made the outcome it carries out, or the mediator who instructed again."""
    replaces = instruction.replaces
    return _event(
        instruction.dispute,
        EventKind.REFUND_INSTRUCTED,
        actor,
        now,
        **_refund(instruction),
        outcome=instruction.outcome,
        replaces=str(replaces.public_id) if replaces else None,
    )


def refund_executed_event(*, instruction: RefundInstruction, now: datetime) -> DisputeEvent:
    assert instruction.executed_at is not None, "an executed refund has its time"
    return _event(
        instruction.dispute,
        EventKind.REFUND_EXECUTED,
        None,
        now,
        **_refund(instruction),
        reference=instruction.reference,
        executed_at=instruction.executed_at.astimezone(UTC).isoformat(),
    )


def refund_failed_event(*, instruction: RefundInstruction, now: datetime) -> DisputeEvent:
    return _event(
        instruction.dispute,
        EventKind.REFUND_FAILED,
        None,
        now,
        **_refund(instruction),
        failure_reason=instruction.failure_reason,
    )


def refund_settled_event(
    *, dispute: Dispute, mediator: User, amount: Decimal, now: datetime
) -> DisputeEvent:
    """``amount``: all that was refunded above the outcome, now settled."""
    return _event(dispute, EventKind.REFUND_SETTLED, mediator, now, amount=_amount(dispute, amount))


def assigned_event(
    *, dispute: Dispute, mediator: User, assignee: User | None, now: datetime
) -> DisputeEvent:
    return _event(
        dispute,
        EventKind.ASSIGNED,
        mediator,
        now,
        assignee=assignee.pk if assignee else None,
        assignee_name=assignee.get_username() if assignee else None,
    )


def new_information_read_event(*, dispute: Dispute, mediator: User, now: datetime) -> DisputeEvent:
    return _event(dispute, EventKind.NEW_INFORMATION_READ, mediator, now)


# Returning the item before the refund (PRODUCT.md §4e).


def return_asked_event(*, dispute: Dispute, actor: User, now: datetime) -> DisputeEvent:
    """The seller accepted on condition of the return, or a mediator decided so."""
    return _event(
        dispute,
        EventKind.RETURN_ASKED,
        actor,
        now,
        by="mediator" if dispute.return_decided_by_mediator else "seller",
        postage_paid_by=dispute.return_postage_paid_by,
        return_address=dispute.return_address,
    )


def return_shipped_event(
    *, dispute: Dispute, buyer: User, evidence: Iterable[Evidence], now: datetime
) -> DisputeEvent:
    return _event(
        dispute,
        EventKind.RETURN_SHIPPED,
        buyer,
        now,
        carrier=dispute.return_carrier,
        tracking_number=dispute.return_tracking_number,
        evidence=_file_names(evidence),
    )


def return_arrived_event(*, dispute: Dispute, seller: User, now: datetime) -> DisputeEvent:
    return _event(
        dispute,
        EventKind.RETURN_ARRIVED,
        seller,
        now,
        refund_amount=_amount(dispute, dispute.refunded_amount),
    )


def return_problem_event(
    *, dispute: Dispute, seller: User, evidence: Iterable[Evidence], now: datetime
) -> DisputeEvent:
    return _event(dispute, EventKind.RETURN_PROBLEM, seller, now, evidence=_file_names(evidence))


def return_refund_released_event(*, dispute: Dispute, now: datetime) -> DisputeEvent:
    """The seller did not answer in time once the return was on its way."""
    return _event(
        dispute,
        EventKind.RETURN_REFUND_RELEASED,
        None,
        now,
        refund_amount=_amount(dispute, dispute.refunded_amount),
    )
