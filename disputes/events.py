"""One function per kind of dispute event: the shape of each event's ``details``, written once.

Every state change in ``disputes.actions`` writes exactly one of these, in the same
transaction. The timeline (the buyer's page and the admin) reads the details named here:

- opened, reopened: ``reason``, ``refund_request``, ``requested_amount`` (a string, or
  None for a full refund) and ``evidence`` (the file names attached);
- evidence_added, appeal_sent: ``evidence``;
- decided: ``outcome`` and ``refund_amount`` (a string, or None);
- cancelled, appeal_answered: nothing.
"""

from collections.abc import Iterable
from datetime import datetime

from .models import Appeal, Dispute, DisputeEvent, EventKind, Evidence


def _event(dispute, kind, actor, now, **details) -> DisputeEvent:
    return DisputeEvent.objects.create(
        dispute=dispute, kind=kind, actor=actor, created_at=now, details=details
    )


def _file_names(evidence: Iterable[Evidence]) -> list[str]:
    """The uploader's file names, as events record them."""
    return [item.original_name for item in evidence]


def _request(dispute: Dispute, evidence) -> dict:
    amount = dispute.requested_amount
    return {
        "reason": dispute.reason,
        "refund_request": dispute.refund_request,
        "requested_amount": str(amount) if amount is not None else None,
        "evidence": _file_names(evidence),
    }


def dispute_opened_event(*, dispute: Dispute, buyer, evidence, now: datetime) -> DisputeEvent:
    return _event(dispute, EventKind.OPENED, buyer, now, **_request(dispute, evidence))


def dispute_reopened_event(*, dispute: Dispute, buyer, evidence, now: datetime) -> DisputeEvent:
    return _event(dispute, EventKind.REOPENED, buyer, now, **_request(dispute, evidence))


def dispute_cancelled_event(*, dispute: Dispute, buyer, now: datetime) -> DisputeEvent:
    return _event(dispute, EventKind.CANCELLED, buyer, now)


def evidence_added_event(*, dispute: Dispute, uploader, evidence, now: datetime) -> DisputeEvent:
    return _event(dispute, EventKind.EVIDENCE_ADDED, uploader, now, evidence=_file_names(evidence))


def dispute_decided_event(*, dispute: Dispute, mediator, now: datetime) -> DisputeEvent:
    amount = dispute.refund_amount
    return _event(
        dispute,
        EventKind.DECIDED,
        mediator,
        now,
        outcome=dispute.outcome,
        refund_amount=str(amount) if amount is not None else None,
    )


def appeal_sent_event(*, appeal: Appeal, buyer, evidence, now: datetime) -> DisputeEvent:
    return _event(appeal.dispute, EventKind.APPEAL_SENT, buyer, now, evidence=_file_names(evidence))


def appeal_answered_event(*, appeal: Appeal, mediator, now: datetime) -> DisputeEvent:
    return _event(appeal.dispute, EventKind.APPEAL_ANSWERED, mediator, now)
