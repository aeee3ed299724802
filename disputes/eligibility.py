"""Can a dispute be opened (or reopened) on an order now, and every reason why not.

Pure rules: no HTTP, no database writes. The answer is a value the order page renders;
each reason carries the dates the buyer needs and a code the templates turn into words.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Self

from django.conf import settings
from django_stubs_ext import StrOrPromise

from orders.models import Order

from .deadlines import appeal_closes_at
from .models import RECEIVED_ITEM_REASONS, Dispute, DisputeReason, DisputeStatus


class ReasonCode:
    NOT_SHIPPED = "not_shipped"
    TOO_EARLY = "too_early"
    IN_TRANSIT = "in_transit"
    WINDOW_CLOSED = "window_closed"
    DISPUTE_OPEN = "dispute_open"
    ALREADY_DECIDED = "already_decided"
    ALREADY_AGREED = "already_agreed"


@dataclass(frozen=True)
class Reason:
    code: str
    shipped_at: datetime | None = None
    opens_at: datetime | None = None
    closed_at: datetime | None = None
    dispute: Dispute | None = None
    # In transit: the delivery date promised, from which "Item not received" can be opened;
    # with ``window_closed``, the window that closed was that dispute's (PRODUCT.md §2a).
    delivery_by: datetime | None = None


@dataclass(frozen=True)
class Windows:
    """The dispute window of PRODUCT.md §2, in days; both ends inclusive."""

    opens_days_after_shipment: int
    closes_days_after_receipt: int
    # The delivery date promised when the marketplace sent none (PRODUCT.md §2a).
    delivery_days_after_shipment: int

    @classmethod
    def from_settings(cls) -> Self:
        return cls(
            opens_days_after_shipment=settings.DISPUTE_OPENS_DAYS_AFTER_SHIPMENT,
            closes_days_after_receipt=settings.DISPUTE_WINDOW_DAYS_AFTER_RECEIPT,
            delivery_days_after_shipment=settings.DISPUTE_DELIVERY_DEFAULT_DAYS,
        )

    def delivery_by(self, order: Order, disputes: Iterable[Dispute] = ()) -> datetime | None:
        """The delivery date promised for ``order``, None until it has shipped: the
        marketplace's, else some days after shipment; a later date a seller gave in answer
        to "Item not received" counts once the buyer accepted it."""
        if order.shipped_at is None:
            return None
        promised = order.delivery_by or _days_after(
            order.shipped_at, self.delivery_days_after_shipment
        )
        accepted = [
            dispute.delivery_extended_to
            for dispute in disputes
            if dispute.extension_accepted_at is not None and dispute.delivery_extended_to
        ]
        return max([promised, *accepted])

    def opens_at(self, order: Order) -> datetime | None:
        """None until the order has shipped."""
        if order.shipped_at is None:
            return None
        return _days_after(order.shipped_at, self.opens_days_after_shipment)

    def closes_at(self, order: Order) -> datetime | None:
        """None until the order is received."""
        if order.received_at is None:
            return None
        return _days_after(order.received_at, self.closes_days_after_receipt)


def _days_after(moment: datetime, days: int) -> datetime:
    """``days`` whole 24-hour days later: the same instant for every buyer, whatever their zone.

    Python adds days to an aware datetime on its own wall clock, which would shift the
    deadline by an hour across a daylight-saving change, so the sum is done in UTC.
    """
    return moment.astimezone(UTC) + timedelta(days=days)


@dataclass(frozen=True)
class Eligibility:
    reasons: tuple[Reason, ...]
    windows: Windows
    now: datetime
    # What the buyer may do when allowed: open a new dispute, or reopen the one they cancelled.
    cancelled_dispute: Dispute | None = None
    window_closes_at: datetime | None = None
    # Shipped and still in transit: a dispute can only say "Item not received", from the
    # delivery date promised, ``delivery_by`` (PRODUCT.md §2a).
    not_received: bool = False
    delivery_by: datetime | None = None

    @property
    def allowed(self) -> bool:
        return not self.reasons

    @property
    def awaits_delivery(self) -> bool:
        """In transit before the delivery date promised: nothing to dispute yet."""
        return any(reason.code == ReasonCode.IN_TRANSIT for reason in self.reasons)

    @property
    def offered_reasons(self) -> tuple[tuple[str, StrOrPromise], ...]:
        """The reasons (value, label) a dispute may give now."""
        if self.not_received:
            return ((DisputeReason.NOT_RECEIVED.value, DisputeReason.NOT_RECEIVED.label),)
        return RECEIVED_ITEM_REASONS

    def allows_wizard(self, reopening: Dispute | None = None) -> bool:
        """Whether the wizard that opens a dispute (``reopening`` None), or that reopens
        the cancelled dispute ``reopening``, may be walked and sent now."""
        return self.allowed and self.cancelled_dispute == reopening

    @property
    def is_reopen(self) -> bool:
        return self.allowed and self.cancelled_dispute is not None

    @property
    def time_left(self) -> timedelta | None:
        if not self.allowed or self.window_closes_at is None:
            return None
        return self.window_closes_at - self.now


def dispute_eligibility(
    order: Order,
    disputes: Iterable[Dispute],
    *,
    now: datetime,
    windows: Windows | None = None,
) -> Eligibility:
    """Judge ``order`` at ``now`` against every rule, given all of the order's disputes (in
    any order)."""
    windows = windows or Windows.from_settings()
    reasons = []
    by_opening = sorted(disputes, key=lambda d: d.opened_at)
    opens_at = windows.opens_at(order)
    closes_at = windows.closes_at(order)
    # A parcel still in transit can be disputed as not received from the date promised,
    # and its window counts from that date as from a receipt (PRODUCT.md §2a).
    delivery_by = windows.delivery_by(order, by_opening) if order.received_at is None else None
    if delivery_by is not None:
        closes_at = _days_after(delivery_by, windows.closes_days_after_receipt)

    if opens_at is None:
        reasons.append(Reason(ReasonCode.NOT_SHIPPED))
    else:
        if now < opens_at:
            reasons.append(
                Reason(ReasonCode.TOO_EARLY, shipped_at=order.shipped_at, opens_at=opens_at)
            )
        if delivery_by is not None and now < delivery_by:
            reasons.append(
                Reason(ReasonCode.IN_TRANSIT, shipped_at=order.shipped_at, delivery_by=delivery_by)
            )
        elif closes_at is not None and now > closes_at:
            # With the order's latest dispute, if any: what is left to do is there.
            latest = by_opening[-1] if by_opening else None
            reasons.append(
                Reason(
                    ReasonCode.WINDOW_CLOSED,
                    closed_at=closes_at,
                    dispute=latest,
                    delivery_by=delivery_by,
                )
            )

    by_status: dict[str, Dispute] = {}
    for dispute in by_opening:
        by_status[dispute.status] = dispute
    if open_dispute := by_status.get(DisputeStatus.OPEN):
        reasons.append(Reason(ReasonCode.DISPUTE_OPEN, dispute=open_dispute))
    if decided_dispute := by_status.get(DisputeStatus.DECIDED):
        reasons.append(Reason(ReasonCode.ALREADY_DECIDED, dispute=decided_dispute))
    if agreed_dispute := by_status.get(DisputeStatus.AGREED):
        reasons.append(Reason(ReasonCode.ALREADY_AGREED, dispute=agreed_dispute))

    return Eligibility(
        reasons=tuple(reasons),
        windows=windows,
        cancelled_dispute=by_status.get(DisputeStatus.CANCELLED),
        window_closes_at=closes_at,
        now=now,
        not_received=delivery_by is not None,
        delivery_by=delivery_by,
    )


class AppealRefusal:
    """Why a party may not appeal a dispute's decision now (PRODUCT.md §4c)."""

    NOT_DECIDED = "not_decided"  # no mediator's decision: an agreement, or still open
    NOT_AGAINST_YOU = "not_against_you"  # the decision gave this party what they asked
    ALREADY_APPEALED = "already_appealed"  # one appeal per party
    WINDOW_CLOSED = "window_closed"  # more than DISPUTE_APPEAL_DAYS after the decision


def appeal_refusal(dispute: Dispute, party: str, *, now: datetime) -> str | None:
    """Why ``party`` may not appeal ``dispute`` at ``now`` (an ``AppealRefusal``), or None
    when they may: its decision went against them, they have not appealed it, and it was
    made at most ``DISPUTE_APPEAL_DAYS`` ago (the last instant included)."""
    if dispute.status != DisputeStatus.DECIDED or dispute.decided_at is None:
        return AppealRefusal.NOT_DECIDED
    if not dispute.is_against(party):
        return AppealRefusal.NOT_AGAINST_YOU
    if dispute.appeal_of(party) is not None:
        return AppealRefusal.ALREADY_APPEALED
    if now > appeal_closes_at(dispute.decided_at):
        return AppealRefusal.WINDOW_CLOSED
    return None
