import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Self

from django.conf import settings
from django.db import models
from django.db.models import (
    Case,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.roles import is_mediator
from orders.models import AppendOnlyEvent, Order, Seller, event_actor

from .deadlines import appeal_answer_due
from .evidence.storage import evidence_storage
from .parties import Party, party_of
from .stages import (
    ASKED_PARTY,
    EXPIRING_STAGES,
    MEDIATOR_STAGES,
    SELLER_ANSWER_STAGES,
    EscalationReason,
    Stage,
    stages_acted_by,
)

if TYPE_CHECKING:
    from accounts.models import User


class DisputeReason(models.TextChoices):
    NOT_AS_DESCRIBED = "not_as_described", _("Item not as described")
    DEFECTIVE = "defective", _("Item defective or damaged")
    WRONG_ITEM = "wrong_item", _("Wrong item")
    MISSING_PARTS = "missing_parts", _("Missing parts or quantity")
    COUNTERFEIT = "counterfeit", _("Counterfeit item")
    OTHER = "other", _("Other")
    # Offered alone, once the delivery date promised has passed (PRODUCT.md §2a).
    NOT_RECEIVED = "not_received", _("Item not received")


# What the buyer may say is wrong with an item they received (PRODUCT.md §3).
RECEIVED_ITEM_REASONS = tuple(
    (reason.value, reason.label) for reason in DisputeReason if reason != DisputeReason.NOT_RECEIVED
)


# The reasons for which the seller pays the return's postage: the item was at fault.
SELLER_PAYS_RETURN_POSTAGE = (
    DisputeReason.NOT_AS_DESCRIBED,
    DisputeReason.DEFECTIVE,
    DisputeReason.WRONG_ITEM,
    DisputeReason.MISSING_PARTS,
    DisputeReason.COUNTERFEIT,
)


class RefundRequest(models.TextChoices):
    FULL = "full", _("Full refund")
    PARTIAL = "partial", _("Partial refund")


class Outcome(models.TextChoices):
    FULL_REFUND = "full_refund", _("Full refund")
    PARTIAL_REFUND = "partial_refund", _("Partial refund")
    REJECTED = "rejected", _("Rejected, in the seller's favour")


class DecisionReason(models.TextChoices):
    """Why a mediator decided as they did (or answered an appeal so): one of a fixed list,
    so both parties read it in their language and the statistics can count it."""

    EVIDENCE_SHOWS_DEFECT = "evidence_shows_defect", _("The evidence shows the defect")
    ITEM_AS_DESCRIBED = "item_as_described", _("The item matches its description")
    NOT_AS_DESCRIBED = "not_as_described", _("The item does not match its description")
    PROOF_OF_DELIVERY = "proof_of_delivery", _("The seller proved the delivery")
    NO_PROOF_OF_DELIVERY = "no_proof_of_delivery", _("The seller did not prove the delivery")
    NO_RETURN_RECEIVED = "no_return_received", _("No return was received")
    PARTLY_JUSTIFIED = "partly_justified", _("The buyer's request was partly justified")
    NOT_ENOUGH_EVIDENCE = "not_enough_evidence", _("There is not enough evidence")
    SELLER_DID_NOT_ANSWER = "seller_did_not_answer", _("The seller did not answer")


class DisputeStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CANCELLED = "cancelled", _("Cancelled")
    AGREED = "agreed", _("Ended by agreement")
    DECIDED = "decided", _("Decided")


# The disputes in the mediators' queue as it opens (admin), which its index covers.
WAITING_ON_MEDIATORS = Q(status=DisputeStatus.OPEN, stage__in=MEDIATOR_STAGES)
ENDED_STATUSES = (DisputeStatus.AGREED, DisputeStatus.DECIDED)
# What the queue's filters (admin) read beside its order: in its indexes
# (``Dispute.Meta.indexes``).
QUEUE_FILTER_COLUMNS = [
    "assigned_to",
    "new_information_since",
    "stage",
    "reason",
    "stage_deadline",
    "outcome",
]
RETURN_STAGES = (Stage.RETURN_TO_SHIP, Stage.RETURN_ON_ITS_WAY)


def _waiting_for(party: str) -> Q:
    return Q(status=DisputeStatus.OPEN) & (
        Q(stage__in=stages_acted_by(party))
        | Q(stage__in=stages_acted_by(ASKED_PARTY), information_requested_from=party)
    )


class DisputeQuerySet(models.QuerySet["Dispute"]):
    def of_buyer(self, buyer: "User") -> Self:
        return self.filter(order__buyer=buyer)

    def of_seller(self, user: "User") -> Self:
        """Disputes on the orders of the seller whose account is ``user``.

        The seller is found first, by a subquery: PostgreSQL then reads its disputes from
        an index that leads with the seller, in the list's order, a page and no more.
        Joined to the sellers, it sorted all of the seller's disputes, or walked every
        seller's waiting ones."""
        account = Seller.objects.filter(user=user).order_by()  # one at most (one-to-one)
        return self.filter(seller=Subquery(account.values("pk")[:1]))

    def of_party(self, user: "User") -> Self:
        """Disputes where ``user`` is the buyer or the seller."""
        return self.filter(Q(order__buyer=user) | Q(seller__user=user))

    def waiting_for(self, party: str) -> Self:
        """Open disputes where ``party`` must act next: answer (the seller the request, the
        buyer an offer) or reply to a mediator's request for information."""
        return self.filter(_waiting_for(party))

    def not_waiting_for(self, party: str) -> Self:
        """The others: ``waiting_for(party)`` negated in place, not as an anti-join."""
        return self.exclude(_waiting_for(party))

    def with_late_refund(self, instructed_before: datetime) -> Self:
        """Disputes with a refund instructed at or before ``instructed_before``
        (``deadlines.refunds_late_before``) that the marketplace has not reported yet."""
        late = RefundInstruction.objects.late(instructed_before).filter(dispute=OuterRef("pk"))
        return self.filter(Exists(late))

    def with_failed_refund(self) -> Self:
        """Disputes with a refund the marketplace reported failed, not instructed again."""
        failed = RefundInstruction.objects.filter(
            dispute=OuterRef("pk"), status=RefundStatus.FAILED
        )
        return self.filter(Exists(failed))

    def refunds_to_settle(self) -> Self:
        """Ended disputes whose refunds instructed add up to more than their outcome grants
        now (an appeal lowered or cancelled it), beyond what the mediators have settled:
        they settle it with the marketplace, as no refund is ever negative.

        Counted from the refunds' side, grouped by dispute, since only a dispute with a
        standing refund can have been refunded too much; what a full refund grants is the
        order's price, which each instruction records (it cannot change once the order is
        disputed: PRODUCT.md §8), so no order is read. Summed for each ended dispute and
        compared with its order's price, this read every dispute and order (20 s at 100x
        the benchmark's data; docs/benchmark.md).
        """
        money = DecimalField(max_digits=13, decimal_places=3)
        granted = Case(
            When(dispute__outcome=Outcome.FULL_REFUND, then=Max("order_price")),
            When(dispute__outcome=Outcome.PARTIAL_REFUND, then=F("dispute__refund_amount")),
            default=Value(0),
            output_field=money,
        )
        refunded_too_much = (
            RefundInstruction.objects.live()
            .filter(dispute__status__in=ENDED_STATUSES)
            .values("dispute")
            .annotate(instructed=Sum("amount"), granted=granted)
            .filter(
                instructed__gt=ExpressionWrapper(
                    F("granted") + F("dispute__refund_settled"), output_field=money
                )
            )
            .values("dispute")
        )
        return self.filter(pk__in=refunded_too_much)

    def overdue(self, now: datetime) -> Self:
        """Open disputes whose party deadline has passed: the worker acts on these."""
        return self.filter(
            status=DisputeStatus.OPEN, stage__in=EXPIRING_STAGES, stage_deadline__lte=now
        )


class Dispute(models.Model):
    """A buyer's claim about one order. Changed only through ``disputes.actions``."""

    order = models.ForeignKey(
        Order, on_delete=models.PROTECT, related_name="disputes", verbose_name=_("order")
    )
    # The order's seller, kept on the dispute so that the seller's lists and a seller's
    # search read the seller's own disputes from an index in their order, instead of
    # finding them through every order the seller sold. It never goes stale: once an order
    # has a dispute its seller cannot change (PRODUCT.md §8, ``Order.terms_fixed_at``).
    # No index of its own: the seller's indexes below lead with it.
    seller = models.ForeignKey(
        Seller,
        on_delete=models.PROTECT,
        related_name="disputes",
        verbose_name=_("seller"),
        db_index=False,
    )
    status = models.CharField(
        _("status"), max_length=16, choices=DisputeStatus, default=DisputeStatus.OPEN
    )
    reason = models.CharField(_("what is wrong"), max_length=32, choices=DisputeReason)
    refund_request = models.CharField(_("request"), max_length=16, choices=RefundRequest)
    requested_amount = models.DecimalField(
        _("requested amount"), max_digits=13, decimal_places=3, null=True, blank=True
    )
    description = models.TextField(_("description"))
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    # Where an open dispute stands; NULL once it is cancelled, agreed or decided.
    stage = models.CharField(  # noqa: DJ001
        _("stage"), max_length=32, choices=Stage, null=True, blank=True
    )
    stage_started_at = models.DateTimeField(_("stage started at"), null=True, blank=True)
    # Computed by disputes.deadlines when the stage starts; a later change of the settings
    # never moves a deadline already given to a party.
    stage_deadline = models.DateTimeField(_("answer expected by"), null=True, blank=True)
    information_requested_from = models.CharField(  # noqa: DJ001
        _("information requested from"), max_length=8, choices=Party, null=True, blank=True
    )
    offer_amount = models.DecimalField(
        _("seller's offer"), max_digits=13, decimal_places=3, null=True, blank=True
    )
    seller_statement = models.TextField(_("seller's statement"), blank=True)
    # An "Item not received" (PRODUCT.md §2a): the seller's proof of delivery, and the
    # new delivery date they may give once, which counts from when the buyer accepts it.
    delivery_carrier = models.CharField(_("carrier"), max_length=100, blank=True)
    delivery_tracking_number = models.CharField(_("tracking number"), max_length=100, blank=True)
    delivery_extended_to = models.DateTimeField(_("new delivery date given"), null=True, blank=True)
    extension_accepted_at = models.DateTimeField(
        _("new delivery date accepted at"), null=True, blank=True
    )
    # The deadline a reminder was last sent for, so a reminder task that runs twice
    # sends one email.
    reminded_for = models.DateTimeField(_("reminder sent for"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    escalation_reason = models.CharField(
        _("why it was escalated"), max_length=32, choices=EscalationReason, blank=True
    )
    # Emails about the dispute are written in the language the buyer used to open it.
    language = models.CharField(
        _("buyer's language"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    # NULL, not "", for "not decided yet": the constraints pair it with decided_at.
    outcome = models.CharField(  # noqa: DJ001
        _("decision"), max_length=16, choices=Outcome, null=True, blank=True
    )
    refund_amount = models.DecimalField(
        _("refund granted"), max_digits=13, decimal_places=3, null=True, blank=True
    )
    # What was refunded above the outcome (an appeal lowered it) and the mediators have
    # settled with the marketplace: no longer to settle (``refunds.settle_excess``).
    # The database's default too: rows written in bulk (the benchmark's) need not name it.
    refund_settled = models.DecimalField(
        _("refunded above the outcome, settled"),
        max_digits=13,
        decimal_places=3,
        default=0,
        db_default=0,
    )
    decision_note = models.TextField(_("note to the buyer"), blank=True)
    # For an agreement: who accepted (the seller the request, or the buyer the offer).
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decided_disputes",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    # A mediator's decision only; "" for an agreement and for disputes decided before
    # reasons were recorded.
    decision_reason = models.CharField(
        _("reason for the decision"), max_length=32, choices=DecisionReason, blank=True
    )
    # The mediator handling the dispute; a dispute event records each change.
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_disputes",
        verbose_name=_("assigned to"),
    )
    # Since when a party has written to a dispute with the mediators that no mediator has
    # acted on since (disputes.actions): NULL when there is nothing new.
    new_information_since = models.DateTimeField(_("new information since"), null=True, blank=True)
    # Returning the item before the refund (PRODUCT.md §4e): who made the refund wait for
    # the return (the seller accepting on that condition, or a mediator deciding so), the
    # address the buyer was given then, and what the buyer entered once they shipped it.
    return_asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="returns_asked",
        verbose_name=_("return asked by"),
    )
    return_address = models.TextField(_("return address"), blank=True)
    return_carrier = models.CharField(_("return carrier"), max_length=100, blank=True)
    return_tracking_number = models.CharField(
        _("return tracking number"), max_length=100, blank=True
    )
    return_shipped_at = models.DateTimeField(_("return shipped at"), null=True, blank=True)
    return_problem = models.TextField(_("problem with the returned item"), blank=True)

    objects = DisputeQuerySet.as_manager()

    class Meta:
        verbose_name = _("dispute")
        verbose_name_plural = _("disputes")
        ordering = ["-opened_at", "-pk"]
        indexes = [
            # The mediators' queue (admin) on one status, in the queue's order (the admin
            # adds -pk): its page is the first 25 entries. Its filters' columns follow the
            # order (the key ends at the unique id, so they never change it): a filter is
            # checked in the index, its count reads no row and its page only the rows it
            # shows (at 100x the benchmark's data, counts that read their rows took
            # 150-250 ms; docs/benchmark.md).
            models.Index(
                fields=["status", "escalated_at", "opened_at", "-id", *QUEUE_FILTER_COLUMNS],
                name="dispute_queue_idx",
            ),
            # The queue as it opens, on what waits on the mediators in its order (oldest
            # escalation first; ascending puts the never escalated last): its page is the
            # first 25 entries, not a sort of every waiting dispute; its count and its
            # filters' are the index alone, as above.
            models.Index(
                fields=["escalated_at", "opened_at", "-id", *QUEUE_FILTER_COLUMNS],
                condition=WAITING_ON_MEDIATORS,
                name="dispute_mediators_queue_idx",
            ),
            # The seller's list (``disputes.pages.seller_disputes``): what waits for the
            # seller, soonest deadline first, then the others, newest first. The second also
            # serves a seller's search in the queue, the API's seller filter and a seller's
            # signals, and PROTECT's check when a seller is deleted.
            models.Index(
                fields=["seller", "stage_deadline", "id"],
                condition=_waiting_for(Party.SELLER),
                name="dispute_seller_waiting_idx",
            ),
            models.Index(fields=["seller", "-opened_at", "-id"], name="dispute_seller_newest_idx"),
            # The worker's sweep and the overdue filter: deadlines that have passed.
            models.Index(fields=["stage", "stage_deadline"], name="dispute_deadline_idx"),
            # The open disputes past their date, whatever their stage (the statistics, the
            # queue's overdue filter on every status): a range of this index, where
            # PostgreSQL otherwise read every open dispute's row (180 ms at 100x).
            models.Index(
                fields=["stage_deadline"],
                condition=Q(status=DisputeStatus.OPEN),
                name="dispute_open_deadline_idx",
            ),
            # The statistics (disputes.statistics): weeks of openings, escalations and
            # endings, and the signals' 90 days. The openings with what the sellers' table
            # reads, the endings by status with what the time to a decision and the reasons
            # read: each of those is the index alone (docs/benchmark.md).
            models.Index(
                fields=["opened_at", "seller", "status", "outcome"], name="dispute_opened_idx"
            ),
            models.Index(fields=["escalated_at"], name="dispute_escalated_idx"),
            models.Index(
                fields=["status", "decided_at", "escalated_at", "decision_reason"],
                name="dispute_decided_idx",
            ),
            # The queue's outcome filter, in the queue's order: without it, its count read
            # every dispute (tests/test_hot_reads_use_indexes.py) and its page walked the
            # escalations to find 25 (190 ms at 100x the benchmark's data; now 0.2 ms).
            models.Index(
                fields=["outcome", "escalated_at", "opened_at", "-id"],
                condition=Q(outcome__isnull=False),
                name="dispute_outcome_idx",
            ),
            # The queue's "new information" filter.
            models.Index(
                fields=["new_information_since"],
                condition=Q(new_information_since__isnull=False),
                name="dispute_new_information_idx",
            ),
        ]
        constraints = [
            # Two tabs submitting at once still make one open dispute.
            models.UniqueConstraint(
                fields=["order"],
                condition=Q(status="open"),
                name="one_open_dispute_per_order",
                violation_error_message=_("A dispute is already open for this order."),
            ),
            models.CheckConstraint(
                condition=Q(refund_request="full", requested_amount__isnull=True)
                | Q(refund_request="partial", requested_amount__gt=0),
                name="dispute_partial_request_has_amount",
            ),
            models.CheckConstraint(
                condition=Q(status__in=DisputeStatus.values)
                & Q(reason__in=DisputeReason.values)
                & Q(refund_request__in=RefundRequest.values)
                & (Q(outcome__isnull=True) | Q(outcome__in=Outcome.values))
                & (Q(stage__isnull=True) | Q(stage__in=Stage.values))
                & Q(decision_reason__in=["", *DecisionReason.values]),
                name="dispute_known_choices",
            ),
            models.CheckConstraint(
                condition=(
                    Q(status__in=["decided", "agreed"], outcome__isnull=False)
                    & Q(decided_at__isnull=False, decided_by__isnull=False)
                    & (Q(status="agreed") | ~Q(decision_note=""))
                )
                | (
                    ~Q(status__in=["decided", "agreed"])
                    & Q(outcome__isnull=True, decided_at__isnull=True)
                ),
                name="dispute_decided_iff_outcome",
            ),
            models.CheckConstraint(
                condition=Q(
                    status="open",
                    stage__isnull=False,
                    stage_started_at__isnull=False,
                    stage_deadline__isnull=False,
                )
                | (~Q(status="open") & Q(stage__isnull=True)),
                name="dispute_open_iff_stage",
            ),
            models.CheckConstraint(
                condition=Q(stage="information_requested", information_requested_from__isnull=False)
                | (~Q(stage="information_requested") & Q(information_requested_from__isnull=True)),
                name="dispute_information_request_names_a_party",
            ),
            models.CheckConstraint(
                condition=Q(offer_amount__isnull=True) | Q(offer_amount__gt=0),
                name="dispute_offer_positive",
            ),
            models.CheckConstraint(
                condition=Q(outcome="partial_refund", refund_amount__gt=0)
                | (~Q(outcome="partial_refund") & Q(refund_amount__isnull=True)),
                name="dispute_partial_outcome_has_amount",
            ),
            models.CheckConstraint(
                condition=Q(delivery_carrier="", delivery_tracking_number="")
                | (~Q(delivery_carrier="") & ~Q(delivery_tracking_number="")),
                name="dispute_proof_of_delivery_complete",
            ),
            models.CheckConstraint(
                condition=Q(extension_accepted_at__isnull=True)
                | Q(delivery_extended_to__isnull=False),
                name="dispute_accepted_extension_has_a_date",
            ),
            models.CheckConstraint(
                condition=Q(status="cancelled", cancelled_at__isnull=False)
                | ~Q(status="cancelled"),
                name="dispute_cancelled_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(stage__in=RETURN_STAGES) | Q(return_asked_by__isnull=False),
                name="dispute_return_asked_by_someone",
            ),
            models.CheckConstraint(
                condition=~Q(stage="return_on_its_way")
                | (
                    Q(return_shipped_at__isnull=False)
                    & ~Q(return_carrier="")
                    & ~Q(return_tracking_number="")
                ),
                name="dispute_return_on_its_way_is_tracked",
            ),
        ]

    def __str__(self):
        return _("Dispute on order %(number)s") % {"number": self.order.number}

    def get_absolute_url(self):
        return reverse("disputes:detail", args=[self.pk])

    @property
    def is_open(self):
        return self.status == DisputeStatus.OPEN

    @property
    def has_ended(self):
        """Agreed or decided: nothing can change it any more but an appeal."""
        return self.status in ENDED_STATUSES

    def waits_for_answer_of(self, user) -> bool:
        """The buyer's request waits for the answer of ``user``, its seller (the actions
        check it again, under a lock). One account can be both: never of its own dispute."""
        waiting = self.is_open and self.stage in SELLER_ANSWER_STAGES
        return waiting and party_of(user, self.order) == Party.SELLER

    def appeal_of(self, party: str) -> "Appeal | None":
        """``party``'s appeal, read from the appeals prefetched with the dispute where the
        page or the API did (``prefetch_related("appeals")``)."""
        return next((appeal for appeal in self.appeals.all() if appeal.party == party), None)

    def return_to_ship_by(self, user) -> bool:
        """The item is to be shipped back by ``user``, its buyer (the actions check it again)."""
        waiting = self.is_open and self.stage == Stage.RETURN_TO_SHIP
        return waiting and party_of(user, self.order) == Party.BUYER

    def return_on_its_way_to(self, user) -> bool:
        """The returned item is on its way to ``user``, its seller, who confirms or reports."""
        waiting = self.is_open and self.stage == Stage.RETURN_ON_ITS_WAY
        return waiting and party_of(user, self.order) == Party.SELLER

    @property
    def can_be_cancelled(self) -> bool:
        """Open, and no refund is waiting for the item's return (``actions.cancel_dispute``)."""
        return self.is_open and self.stage not in RETURN_STAGES

    @property
    def waits_on_mediators(self) -> bool:
        return self.is_open and self.stage in MEDIATOR_STAGES

    @property
    def return_postage_paid_by(self) -> Party:
        """Who pays the return's postage: the seller when the item was at fault, otherwise
        the buyer (PRODUCT.md §4e). Stated to both before the return is asked or shipped."""
        return Party.SELLER if self.reason in SELLER_PAYS_RETURN_POSTAGE else Party.BUYER

    @property
    def return_decided_by_mediator(self) -> bool:
        """The return was a mediator's decision (with its note to the buyer), not a seller's
        condition: its refund ends the dispute as decided, not by agreement."""
        return bool(self.decision_note)

    @property
    def appeal(self) -> "Appeal | None":
        """The buyer's appeal, as pages and emails to the buyer name it."""
        return self.appeal_of(Party.BUYER)

    @property
    def waiting_appeal(self) -> "Appeal | None":
        """An appeal customer service has not answered yet, if any."""
        return next((appeal for appeal in self.appeals.all() if not appeal.is_answered), None)

    def is_against(self, party: str) -> bool:
        """Decided against ``party``: the buyer got less than asked, the seller must refund."""
        if party == Party.BUYER:
            return self.is_against_buyer
        return self.status == DisputeStatus.DECIDED and self.outcome != Outcome.REJECTED

    @property
    def refunded_amount(self):
        """What the buyer gets back once the dispute has ended: None when nothing."""
        if self.outcome == Outcome.FULL_REFUND:
            return self.order.price
        return self.refund_amount

    @property
    def is_against_buyer(self):
        """Decided with less than the buyer asked for: the appeal path applies.

        An agreement is never against the buyer: the buyer accepted it, or asked for it.
        """
        if self.status != DisputeStatus.DECIDED:
            return False
        if self.outcome == Outcome.REJECTED:
            return True
        if self.outcome == Outcome.PARTIAL_REFUND:
            asked = self.requested_amount or self.order.price
            return self.refund_amount < asked
        return False


class EventKind(models.TextChoices):
    OPENED = "opened", _("Dispute opened")
    SELLER_ACCEPTED = "seller_accepted", _("Seller accepted the request")
    OFFER_MADE = "offer_made", _("Seller offered a partial refund")
    OFFER_ACCEPTED = "offer_accepted", _("Buyer accepted the offer")
    OFFER_REFUSED = "offer_refused", _("Buyer refused the offer")
    SELLER_REFUSED = "seller_refused", _("Seller refused the request")
    ESCALATED = "escalated", _("Escalated to the mediators")
    INFORMATION_REQUESTED = "information_requested", _("Mediator asked for information")
    INFORMATION_LAPSED = "information_lapsed", _("The information request lapsed")
    MESSAGE = "message", _("Message")
    CANCELLED = "cancelled", _("Dispute cancelled")
    REOPENED = "reopened", _("Dispute reopened")
    EVIDENCE_ADDED = "evidence_added", _("Evidence added")
    DECIDED = "decided", _("Decision made")
    APPEAL_SENT = "appeal_sent", _("Appeal sent to customer service")
    APPEAL_ANSWERED = "appeal_answered", _("Customer service answered the appeal")
    REFUND_INSTRUCTED = "refund_instructed", _("Refund instructed to the marketplace")
    REFUND_EXECUTED = "refund_executed", _("Refund sent by the marketplace")
    REFUND_FAILED = "refund_failed", _("Refund failed at the marketplace")
    # Returning the item before the refund (PRODUCT.md §4e).
    RETURN_ASKED = "return_asked", _("Refund on condition of a return")
    RETURN_SHIPPED = "return_shipped", _("Buyer shipped the return")
    RETURN_ARRIVED = "return_arrived", _("Seller confirmed the return arrived")
    RETURN_PROBLEM = "return_problem", _("Seller reported a problem with the returned item")
    RETURN_REFUND_RELEASED = "return_refund_released", _("Refund released after the return")
    # A parcel that never arrived (PRODUCT.md §2a).
    DELIVERY_PROVED = "delivery_proved", _("Seller refused with proof of delivery")
    DELIVERY_EXTENDED = "delivery_extended", _("Seller gave a new delivery date")
    EXTENSION_ACCEPTED = "extension_accepted", _("Buyer accepted the new delivery date")
    EXTENSION_REFUSED = "extension_refused", _("Buyer refused the new delivery date")
    REASON_CHANGED = "reason_changed", _("Buyer kept the dispute with another reason")
    # The mediators' own bookkeeping (PRODUCT.md §5).
    ASSIGNED = "assigned", _("Assigned to a mediator")
    NEW_INFORMATION_READ = "new_information_read", _("A mediator read the new information")
    REFUND_SETTLED = "refund_settled", _("Refund above the outcome settled with the marketplace")


# The mediators' own bookkeeping: in the admin's timeline and the API, never on a party's
# page nor in their emails.
MEDIATORS_ONLY_EVENTS = (
    EventKind.ASSIGNED,
    EventKind.NEW_INFORMATION_READ,
    EventKind.REFUND_SETTLED,
)


class DisputeEvent(AppendOnlyEvent):
    """One line of a dispute's timeline: append-only, written by ``disputes.actions``."""

    dispute = models.ForeignKey(
        Dispute, on_delete=models.CASCADE, related_name="events", verbose_name=_("dispute")
    )
    kind = models.CharField(_("what happened"), max_length=32, choices=EventKind)
    # None when nobody acted: a deadline passed and the worker moved the dispute on.
    actor = event_actor("dispute_events")

    class Meta(AppendOnlyEvent.Meta):
        verbose_name = _("dispute event")
        verbose_name_plural = _("dispute events")
        indexes = [
            # The disputes feed stops short of the events younger than a few seconds
            # (``api.views.settled``): found here, not among every event after its cursor.
            models.Index(fields=["created_at"], name="dispute_event_created_idx"),
        ]


class DisputeMessage(models.Model):
    """One message of a dispute's conversation; an internal note only mediators ever see."""

    dispute = models.ForeignKey(
        Dispute, on_delete=models.CASCADE, related_name="messages", verbose_name=_("dispute")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="dispute_messages",
        verbose_name=_("author"),
    )
    body = models.TextField(_("message"))
    internal = models.BooleanField(
        _("internal note"), default=False, help_text=_("Seen by mediators only.")
    )
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("conversation")
        ordering = ["sent_at", "pk"]
        indexes = [models.Index(fields=["dispute", "sent_at"], name="dispute_message_idx")]
        constraints = [
            models.CheckConstraint(condition=~Q(body=""), name="dispute_message_not_empty")
        ]

    def __str__(self):
        return f"{self.author} ({self.sent_at:%Y-%m-%d %H:%M})"


class AppealRuling(models.TextChoices):
    UPHELD = "upheld", _("Decision upheld")
    REPLACED = "replaced", _("Decision replaced")


class Appeal(models.Model):
    """A party's appeal of a decision to customer service (PRODUCT.md §4c): one per party
    per dispute. The answer upholds the decision or replaces it (``disputes.actions``)."""

    dispute = models.ForeignKey(
        Dispute, on_delete=models.PROTECT, related_name="appeals", verbose_name=_("dispute")
    )
    party = models.CharField(_("sent by"), max_length=8, choices=Party, default=Party.BUYER)
    message = models.TextField(_("message"))
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
    answer = models.TextField(_("answer"), blank=True)
    ruling = models.CharField(_("ruling"), max_length=16, choices=AppealRuling, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="answered_appeals",
        verbose_name=_("answered by"),
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answer_reason = models.CharField(
        _("reason for the answer"), max_length=32, choices=DecisionReason, blank=True
    )

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(fields=["dispute", "party"], name="one_appeal_per_party"),
            models.CheckConstraint(
                condition=Q(
                    answered_at__isnull=True, answered_by__isnull=True, answer="", ruling=""
                )
                | (
                    Q(answered_at__isnull=False, answered_by__isnull=False)
                    & ~Q(answer="")
                    & Q(ruling__in=AppealRuling.values)
                ),
                name="appeal_answer_complete",
            ),
            models.CheckConstraint(condition=Q(party__in=Party.values), name="appeal_known_party"),
        ]

    def __str__(self):
        return _("Appeal on order %(number)s") % {"number": self.dispute.order.number}

    @property
    def is_answered(self):
        return self.answered_at is not None

    @property
    def answer_due(self) -> datetime:
        """When customer service should have answered (shown, not enforced)."""
        return appeal_answer_due(self.sent_at)


class RefundStatus(models.TextChoices):
    INSTRUCTED = "instructed", _("Instructed, being processed")
    EXECUTED = "executed", _("Sent")
    FAILED = "failed", _("Failed")
    SUPERSEDED = "superseded", _("Instructed again")


class RefundInstructionQuerySet(models.QuerySet["RefundInstruction"]):
    def live(self) -> Self:
        """The instructions that stand: every one but those a re-instruction replaced."""
        return self.exclude(status=RefundStatus.SUPERSEDED)

    def late(self, instructed_before: datetime) -> Self:
        """Instructed before ``instructed_before`` (``deadlines.refunds_late_before``) and
        still not reported executed or failed."""
        return self.filter(status=RefundStatus.INSTRUCTED, instructed_at__lte=instructed_before)


class RefundInstruction(models.Model):
    """What the marketplace must refund to carry out a dispute's outcome (PRODUCT.md §4f).

    Created by ``disputes.refunds`` in the transaction of the outcome it carries out;
    ``public_id`` is the marketplace's idempotency key. An order never gets back more than
    its price: each instruction records what the order's standing instructions had moved
    before it, and the database refuses more than the price in all.
    """

    public_id = models.UUIDField(_("refund id"), default=uuid.uuid4, unique=True, editable=False)
    dispute = models.ForeignKey(
        Dispute,
        on_delete=models.PROTECT,
        related_name="refund_instructions",
        verbose_name=_("dispute"),
    )
    order = models.ForeignKey(
        Order,
        on_delete=models.PROTECT,
        related_name="refund_instructions",
        verbose_name=_("order"),
    )
    amount = models.DecimalField(_("amount"), max_digits=13, decimal_places=3)
    currency = models.CharField(_("currency"), max_length=3)
    # The order's price and what its standing instructions had moved, when this one was
    # made: the database checks the sum against the price with them.
    order_price = models.DecimalField(_("price paid"), max_digits=13, decimal_places=3)
    moved_before = models.DecimalField(
        _("refunded before"), max_digits=13, decimal_places=3, default=0
    )
    # The outcome it carries out: the dispute's agreement or decision at that moment.
    outcome = models.CharField(_("outcome carried out"), max_length=16, choices=Outcome)
    status = models.CharField(
        _("status"), max_length=16, choices=RefundStatus, default=RefundStatus.INSTRUCTED
    )
    instructed_at = models.DateTimeField(_("instructed at"), default=timezone.now)
    replaces = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaced_by",
        verbose_name=_("instructed again in place of"),
    )
    # What the marketplace reported: its own reference and time, or why it failed.
    reference = models.CharField(_("marketplace's reference"), max_length=255, blank=True)
    executed_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    failure_reason = models.TextField(_("why it failed"), blank=True)
    failed_at = models.DateTimeField(_("failed at"), null=True, blank=True)

    objects = RefundInstructionQuerySet.as_manager()

    class Meta:
        verbose_name = _("refund instruction")
        verbose_name_plural = _("refund instructions")
        ordering = ["instructed_at", "pk"]
        indexes = [
            models.Index(fields=["status", "instructed_at"], name="refund_status_idx"),
            # The statistics' weeks (disputes.statistics): refunds instructed and executed.
            models.Index(fields=["instructed_at"], name="refund_instructed_idx"),
            models.Index(
                fields=["executed_at"],
                condition=Q(executed_at__isnull=False),
                name="refund_executed_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_positive"),
            models.CheckConstraint(
                condition=Q(moved_before__gte=0)
                & Q(amount__lte=F("order_price") - F("moved_before")),
                name="refund_within_what_is_left_of_the_price",
            ),
            # Two instructions made from the same total would be one too many: the one
            # made second must count the first.
            models.UniqueConstraint(
                fields=["order", "moved_before"],
                condition=~Q(status="superseded"),
                name="refund_one_standing_per_total_before",
            ),
            models.CheckConstraint(
                condition=Q(status__in=RefundStatus.values) & Q(outcome__in=Outcome.values),
                name="refund_known_choices",
            ),
            # One executed report per instruction: its reference and time, only when sent.
            models.CheckConstraint(
                condition=Q(status="executed", executed_at__isnull=False) & ~Q(reference="")
                | (~Q(status="executed") & Q(executed_at__isnull=True, reference="")),
                name="refund_executed_iff_reported",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["failed", "superseded"])
                | (Q(failed_at__isnull=False) & ~Q(failure_reason="")),
                name="refund_failed_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return _("Refund %(id)s on order %(number)s") % {
            "id": self.public_id,
            "number": self.order.number,
        }


class EvidenceKind(models.TextChoices):
    PHOTO = "photo", _("Photo")
    VIDEO = "video", _("Video")


class EvidenceQuerySet(models.QuerySet):
    # A draft is evidence not yet attached to anything it was uploaded for.
    def drafts(self, *, buyer=None, order=None, key=None):
        """Draft evidence, of one buyer, order or draft key when given."""
        drafts = self.filter(dispute__isnull=True, appeal__isnull=True)
        if key is not None:
            drafts = drafts.filter(draft_key=key) if key else drafts.none()
        if buyer is not None:
            drafts = drafts.filter(uploaded_by=buyer)
        if order is not None:
            drafts = drafts.filter(order=order)
        return drafts

    def visible_to(self, user, *, originals):
        """The evidence ``user`` may fetch: everything for mediators, their own uploads, and,
        unless ``originals`` are asked for, the re-encoded copies of what the other party of
        their disputes sent (never a draft, nor a file of a mediator's internal note)."""
        if is_mediator(user):
            return self
        own = Q(uploaded_by=user)
        if originals:
            return self.filter(own)
        other_party = (Q(dispute__order__buyer=user) | Q(dispute__seller__user=user)) & ~Q(
            message__internal=True
        )
        return self.filter(own | other_party)


class Evidence(models.Model):
    """A photo or video a buyer uploaded, kept privately with derivatives for display.

    Uploaded as it is chosen in the wizard, it first belongs to a draft (``draft_key``)
    and is attached to the dispute or appeal when the buyer submits.
    """

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="evidence",
        verbose_name=_("uploaded by"),
    )
    order = models.ForeignKey(
        Order, on_delete=models.PROTECT, related_name="evidence", verbose_name=_("order")
    )
    dispute = models.ForeignKey(
        Dispute,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="evidence",
        verbose_name=_("dispute"),
    )
    appeal = models.ForeignKey(
        Appeal,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="evidence",
        verbose_name=_("appeal"),
    )
    # Evidence sent with a message (or the seller's refusal) also belongs to the dispute,
    # so it counts against its uploader's files there.
    message = models.ForeignKey(
        DisputeMessage,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="evidence",
        verbose_name=_("message"),
    )
    draft_key = models.CharField(_("draft"), max_length=64, blank=True, db_index=True)
    kind = models.CharField(_("kind"), max_length=8, choices=EvidenceKind)
    original_name = models.CharField(_("file name"), max_length=255)
    original = models.FileField(_("original"), storage=evidence_storage, max_length=255)
    display = models.FileField(
        _("display copy"), storage=evidence_storage, max_length=255, blank=True
    )
    thumbnail = models.FileField(
        _("thumbnail"), storage=evidence_storage, max_length=255, blank=True
    )
    mime = models.CharField(_("detected type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    width = models.PositiveIntegerField(_("width"), null=True, blank=True)
    height = models.PositiveIntegerField(_("height"), null=True, blank=True)
    duration_seconds = models.FloatField(_("duration (s)"), null=True, blank=True)
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["uploaded_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(draft_key="") | Q(dispute__isnull=False) | Q(appeal__isnull=False),
                name="evidence_belongs_somewhere",
            ),
            models.CheckConstraint(
                condition=Q(dispute__isnull=True) | Q(appeal__isnull=True),
                name="evidence_of_a_dispute_or_an_appeal",
            ),
            models.CheckConstraint(
                condition=Q(message__isnull=True) | Q(dispute__isnull=False),
                name="evidence_of_a_message_is_the_disputes",
            ),
        ]

    def __str__(self):
        return self.original_name

    @property
    def is_draft(self):
        """Not attached to a dispute or an appeal yet: its uploader may still remove it."""
        return self.dispute_id is None and self.appeal_id is None

    @property
    def file_names(self):
        """The storage names of its original and derivatives."""
        return [file.name for file in (self.original, self.display, self.thumbnail) if file]


class SavedReply(models.Model):
    """A mediator's reply kept for reuse, in English and French, with placeholders such as
    ``{order_number}`` filled for a dispute in its reader's language (``saved_replies``)."""

    title = models.CharField(_("title"), max_length=100, unique=True)
    body_en = models.TextField(_("text in English"))
    body_fr = models.TextField(_("text in French"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("saved reply")
        verbose_name_plural = _("saved replies")
        ordering = ["title"]

    def __str__(self):
        return self.title

    def body_in(self, language: str) -> str:
        """The text in ``language``, in English for any other."""
        return self.body_fr if language.startswith("fr") else self.body_en
