"""Every change of a dispute's state: one function each, atomic, each writing its event.

Views, the admin, commands and the worker's tasks call these and nothing else. A change
that is not allowed raises ``DisputeActionError`` with a code and a message the person
can read. Each stage with a party's deadline queues, in the same transaction, the task
that acts when the deadline passes and the reminder before it (``disputes.tasks``).
"""

import functools
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import formats, timezone
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import is_mediator
from orders.models import Order
from orders.money import format_money

from . import deadlines, events, refunds, tasks
from .amounts import checked_partial_refund
from .eligibility import (
    AppealRefusal,
    Eligibility,
    Windows,
    appeal_refusal,
    dispute_eligibility,
)
from .errors import DeadlinePassed, DisputeActionError, DisputeErrorCode
from .evidence import recording
from .models import (
    RETURN_STAGES,
    Appeal,
    AppealRuling,
    DecisionReason,
    Dispute,
    DisputeMessage,
    DisputeReason,
    DisputeStatus,
    Evidence,
    Outcome,
    RefundRequest,
)
from .parties import Party, party_of
from .stages import (
    EXPIRING_STAGES,
    MEDIATOR_STAGES,
    SELLER_ANSWER_STAGES,
    Escalate,
    EscalationReason,
    OnDeadline,
    Stage,
    rule_of,
)

STATEMENT_MIN_LENGTH = 30


def _party_action[**P, R](action: Callable[P, R]) -> Callable[P, R]:
    """``action`` in one transaction; refused with ``DeadlinePassed`` once the party's
    deadline has passed, after the dispute moved on as the worker would have moved it.

    The refusal leaves the transaction without an exception, so that move is kept.
    """

    @functools.wraps(action)
    def act(*args: P.args, **kwargs: P.kwargs) -> R:
        with transaction.atomic():
            try:
                return action(*args, **kwargs)
            except DeadlinePassed as late:
                refusal = late
        raise refusal

    return act


def _validated_request(
    order: Order, refund_request: str, requested_amount: Decimal | None
) -> Decimal | None:
    if refund_request == RefundRequest.FULL:
        return None
    if refund_request != RefundRequest.PARTIAL:
        raise DisputeActionError(
            DisputeErrorCode.INVALID_REQUEST, _("Choose a full or a partial refund.")
        )
    return checked_partial_refund(requested_amount, order=order)


def _locked_order_of(buyer: User, order: Order) -> Order:
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


def _save(dispute: Dispute) -> None:
    """Save ``dispute``; a stage with a party's deadline queues the task that acts on it
    and the reminder before it, in the same transaction (the database is the queue)."""
    dispute.save()
    if dispute.is_open and dispute.stage in EXPIRING_STAGES and dispute.stage_deadline:
        tasks.schedule_deadline(dispute.pk, dispute.stage_deadline)


def _save_open_dispute(dispute: Dispute) -> None:
    try:
        with transaction.atomic():
            _save(dispute)
    except IntegrityError:
        raise DisputeActionError(
            DisputeErrorCode.ALREADY_OPEN, _("A dispute is already open for this order.")
        ) from None


def _take_answers(
    dispute: Dispute,
    *,
    eligibility: Eligibility,
    reason: str,
    refund_request: str,
    description: str,
    requested_amount: Decimal | None = None,
) -> None:
    """The wizard's answers onto ``dispute``, checked against the reasons the order allows
    now (a parcel not received: that one, in full) and against its price."""
    if reason not in dict(eligibility.offered_reasons):
        raise DisputeActionError(DisputeErrorCode.INVALID_REASON, _reason_refused(eligibility))
    if reason == DisputeReason.NOT_RECEIVED and refund_request != RefundRequest.FULL:
        raise DisputeActionError(
            DisputeErrorCode.INVALID_REQUEST, _("An item not received is refunded in full.")
        )
    dispute.reason = reason
    dispute.refund_request = refund_request
    dispute.requested_amount = _validated_request(dispute.order, refund_request, requested_amount)
    dispute.description = description
    # Emails about the dispute will speak the language the buyer used for it.
    dispute.language = get_language() or dispute.language


def _submit(dispute: Dispute, *, buyer: User, draft_key: str, now: datetime) -> list[Evidence]:
    """Save the open dispute at its first stage and attach the draft's evidence.

    The seller answers first; a seller with no account cannot, so the mediators do.
    Returns the evidence attached.
    """
    dispute.offer_amount = None
    dispute.seller_statement = ""
    dispute.escalated_at = None
    dispute.escalation_reason = ""
    _forget_return(dispute)
    dispute.delivery_carrier = dispute.delivery_tracking_number = ""
    if dispute.order.seller.user_id is None:
        _escalate(dispute, EscalationReason.NO_SELLER_ACCOUNT, now=now)
    else:
        _enter_stage(dispute, _seller_answer_stage(dispute), now=now)
    _save_open_dispute(dispute)
    return recording.attach_drafts(
        uploader=buyer, order=dispute.order, draft_key=draft_key, dispute=dispute
    )


def _enter_stage(
    dispute: Dispute,
    stage: Stage,
    *,
    now: datetime,
    started_at: datetime | None = None,
    party: str | None = None,
) -> None:
    """Move ``dispute`` to ``stage`` with its deadline; a party's deadline acts by itself.

    Not saved here: the caller saves with ``_save``, which queues the deadline's tasks.
    """
    started_at = started_at or now
    dispute.stage = stage
    dispute.stage_started_at = started_at
    dispute.stage_deadline = deadlines.stage_deadline(stage, started_at)
    dispute.information_requested_from = party


def _escalate(dispute: Dispute, reason: EscalationReason, *, now: datetime) -> None:
    """Hand ``dispute`` to the mediators, whose decision is expected some days later."""
    dispute.escalated_at = now
    dispute.escalation_reason = reason
    _enter_stage(dispute, Stage.WITH_MEDIATOR, now=now)


def _back_to_mediators(dispute: Dispute, *, now: datetime) -> None:
    """Back with the mediators after an information request, with the date they had before."""
    _enter_stage(dispute, Stage.WITH_MEDIATOR, now=now, started_at=dispute.escalated_at)


def _end(
    dispute: Dispute,
    status: DisputeStatus,
    *,
    outcome: str,
    refund_amount: Decimal | None,
    by: User,
    now: datetime,
    record: Callable[[], object],
    note: str = "",
    acting: bool = True,
) -> None:
    """End ``dispute`` by agreement or decision (``note``: the mediator's), with nobody
    left to act; save it, ``record`` the outcome's event, then instruct the refund the
    outcome moves: every outcome is recorded here, so none is without its refund. The
    instruction is ``by``'s act, unless a deadline ends it (``acting`` False)."""
    dispute.status = status
    dispute.outcome = outcome
    dispute.refund_amount = refund_amount
    dispute.decided_by = by
    dispute.decided_at = now
    dispute.decision_note = note
    _leave_stage(dispute)
    _save(dispute)
    record()
    refunds.instruct_outcome(dispute=dispute, actor=by if acting else None, now=now)


def _leave_stage(dispute: Dispute) -> None:
    """No stage once a dispute is cancelled or has ended: nobody is left to act."""
    dispute.stage = dispute.stage_started_at = dispute.stage_deadline = None
    dispute.information_requested_from = None


@transaction.atomic
def open_dispute(
    *, order: Order, buyer: User, draft_key: str = "", now: datetime | None = None, **answers: Any
) -> Dispute:
    """Open a dispute after checking every rule again, and attach the draft's evidence.

    ``answers`` are the wizard's: reason, refund_request, requested_amount, description.
    """
    now = now or timezone.now()
    order = _locked_order_of(buyer, order)
    eligibility = _check_rules(order, now=now)
    _fix_terms(order, now=now)
    dispute = Dispute(order=order, seller_id=order.seller_id, opened_at=now)
    _take_answers(dispute, eligibility=eligibility, **answers)
    attached = _submit(dispute, buyer=buyer, draft_key=draft_key, now=now)
    events.dispute_opened_event(dispute=dispute, buyer=buyer, evidence=attached, now=now)
    _record_escalation(dispute, buyer, now=now)
    return dispute


def _fix_terms(order: Order, *, now: datetime) -> None:
    """From the first dispute on, the order's seller, price and currency stay and its dates
    are not cleared: the importer refuses such records (PRODUCT.md §8)."""
    if order.terms_fixed_at is None:
        order.terms_fixed_at = now
        order.save(update_fields=["terms_fixed_at"])


def _record_escalation(dispute: Dispute, actor: User, *, now: datetime) -> None:
    """The escalated event, when the dispute has just reached the mediators."""
    if dispute.stage == Stage.WITH_MEDIATOR and dispute.escalated_at == now:
        events.escalated_event(dispute=dispute, actor=actor, now=now)


def _for_update(disputes: QuerySet[Dispute]) -> QuerySet[Dispute]:
    """``disputes`` read with their order and seller, locking the dispute's row only: two
    disputes of one seller never wait for each other."""
    return disputes.select_for_update(of=("self",)).select_related("order__seller")


def _locked(
    disputes: QuerySet[Dispute], dispute: Dispute, code: DisputeErrorCode, message: str
) -> Dispute:
    """``dispute`` read again under its row lock from ``disputes`` (the actor's own), or the
    action is refused with ``code``: a stranger's dispute is not there to act on."""
    try:
        return _for_update(disputes).get(pk=dispute.pk)
    except Dispute.DoesNotExist:
        raise DisputeActionError(code, message) from None


def _locked_dispute_of(buyer: User, dispute: Dispute) -> Dispute:
    return _locked(
        Dispute.objects.of_buyer(buyer),
        dispute,
        DisputeErrorCode.NOT_YOURS,
        _("This dispute is not yours."),
    )


@transaction.atomic
def cancel_dispute(*, dispute: Dispute, buyer: User, now: datetime | None = None) -> Dispute:
    now = now or timezone.now()
    dispute = _locked_dispute_of(buyer, dispute)
    if dispute.status != DisputeStatus.OPEN:
        raise DisputeActionError(
            DisputeErrorCode.NOT_OPEN, _("Only an open dispute can be cancelled.")
        )
    if dispute.stage in RETURN_STAGES:
        raise DisputeActionError(
            DisputeErrorCode.WRONG_STAGE,
            _("A refund waits for the return of the item: the dispute can no longer be cancelled."),
        )
    dispute.status = DisputeStatus.CANCELLED
    dispute.cancelled_at = now
    _leave_stage(dispute)
    _save(dispute)
    events.dispute_cancelled_event(dispute=dispute, buyer=buyer, now=now)
    return dispute


@transaction.atomic
def reopen_dispute(
    *,
    dispute: Dispute,
    buyer: User,
    draft_key: str = "",
    now: datetime | None = None,
    **answers: Any,
) -> Dispute:
    """Reopen a dispute the buyer cancelled, with the answers of the wizard walked again."""
    now = now or timezone.now()
    dispute = _locked_dispute_of(buyer, dispute)
    if dispute.status != DisputeStatus.CANCELLED:
        raise DisputeActionError(
            DisputeErrorCode.NOT_CANCELLED, _("Only a dispute you cancelled can be reopened.")
        )
    eligibility = _check_rules(_locked_order_of(buyer, dispute.order), now=now, reopening=dispute)
    dispute.status = DisputeStatus.OPEN
    dispute.cancelled_at = None
    _take_answers(dispute, eligibility=eligibility, **answers)
    attached = _submit(dispute, buyer=buyer, draft_key=draft_key, now=now)
    events.dispute_reopened_event(dispute=dispute, buyer=buyer, evidence=attached, now=now)
    _record_escalation(dispute, buyer, now=now)
    return dispute


@transaction.atomic
def add_evidence(
    *, dispute: Dispute, uploader: User, evidence: list[Evidence], now: datetime | None = None
) -> Dispute:
    """Attach stored evidence to an open dispute (a party adds it after opening)."""
    now = now or timezone.now()
    dispute = _locked_dispute_of_party(uploader, dispute)
    if dispute.status != DisputeStatus.OPEN:
        raise DisputeActionError(
            DisputeErrorCode.NOT_OPEN, _("Evidence can only be added to an open dispute.")
        )
    _attach(evidence, dispute=dispute, uploader=uploader)
    _party_wrote(dispute, now=now)
    events.evidence_added_event(dispute=dispute, uploader=uploader, evidence=evidence, now=now)
    return dispute


def _locked_dispute_of_party(user: User, dispute: Dispute) -> Dispute:
    return _locked(
        Dispute.objects.of_party(user),
        dispute,
        DisputeErrorCode.NOT_A_PARTY,
        _("This dispute is not yours."),
    )


def _locked_dispute_of_seller(seller: User, dispute: Dispute) -> Dispute:
    dispute = _locked(
        Dispute.objects.of_seller(seller),
        dispute,
        DisputeErrorCode.NOT_THE_SELLER,
        _("This dispute is not on one of your orders."),
    )
    if party_of(seller, dispute.order) == Party.BUYER:
        raise DisputeActionError(
            DisputeErrorCode.NOT_THE_SELLER, _("You cannot answer a dispute you opened.")
        )
    return dispute


def _attach(
    evidence: Sequence[Evidence],
    *,
    dispute: Dispute,
    uploader: User,
    message: DisputeMessage | None = None,
) -> None:
    """Attach a form's files to ``dispute`` within its sender's file limit.

    Each form's draft is counted when a file arrives, but two forms open at once (a
    message and a refusal) could each fill the limit: the dispute's lock makes this count
    the one that holds.
    """
    sent = Evidence.objects.filter(dispute=dispute, uploaded_by=uploader).count()
    if sent + len(evidence) > settings.EVIDENCE_MAX_FILES:
        raise DisputeActionError(
            DisputeErrorCode.TOO_MANY_FILES,
            ngettext(
                "You can send at most %(max)s files in a dispute and have sent %(sent)s: "
                "remove %(extra)s file before sending.",
                "You can send at most %(max)s files in a dispute and have sent %(sent)s: "
                "remove %(extra)s files before sending.",
                sent + len(evidence) - settings.EVIDENCE_MAX_FILES,
            )
            % {
                "max": settings.EVIDENCE_MAX_FILES,
                "sent": sent,
                "extra": sent + len(evidence) - settings.EVIDENCE_MAX_FILES,
            },
        )
    recording.attach(evidence, dispute=dispute, message=message)


def _require_stage(dispute: Dispute, stage: Stage | tuple[Stage, ...], message: str) -> None:
    """Refuse the action unless ``dispute`` is open in ``stage`` (or one of ``stage``)."""
    stages = (stage,) if isinstance(stage, Stage) else stage
    if dispute.status != DisputeStatus.OPEN or dispute.stage not in stages:
        raise DisputeActionError(DisputeErrorCode.WRONG_STAGE, message)


@_party_action
def accept_request(*, dispute: Dispute, seller: User, now: datetime | None = None) -> Dispute:
    """The seller accepts what the buyer asked for (for a parcel not received: refunds it
    in full): the dispute ends by agreement."""
    now = now or timezone.now()
    dispute = _locked_dispute_of_seller(seller, dispute)
    _require_stage(
        dispute, SELLER_ANSWER_STAGES, _("The buyer's request is no longer waiting for you.")
    )
    _refuse_when_late(dispute, now=now)
    full = dispute.refund_request == RefundRequest.FULL
    _end(
        dispute,
        DisputeStatus.AGREED,
        outcome=Outcome.FULL_REFUND if full else Outcome.PARTIAL_REFUND,
        # Checked again: the amount was below the price when the buyer asked for it.
        refund_amount=None
        if full
        else checked_partial_refund(dispute.requested_amount, order=dispute.order),
        by=seller,
        now=now,
        record=lambda: events.seller_accepted_event(dispute=dispute, seller=seller, now=now),
    )
    return dispute


@_party_action
def make_offer(
    *, dispute: Dispute, seller: User, amount: Decimal | None, now: datetime | None = None
) -> Dispute:
    """The seller offers another partial refund; the buyer has some days to answer."""
    now = now or timezone.now()
    dispute = _locked_dispute_of_seller(seller, dispute)
    _require_stage(
        dispute, Stage.WAITING_FOR_SELLER, _("The buyer's request is no longer waiting for you.")
    )
    _refuse_when_late(dispute, now=now)
    amount = checked_partial_refund(amount, order=dispute.order)
    if dispute.requested_amount is not None and amount >= dispute.requested_amount:
        raise DisputeActionError(
            DisputeErrorCode.OFFER_NOT_BELOW_REQUEST,
            _("The buyer asked for %(amount)s: accept the request instead of offering as much.")
            % {"amount": format_money(dispute.requested_amount, dispute.order.currency)},
        )
    dispute.offer_amount = amount
    _enter_stage(dispute, Stage.OFFER_WAITING_FOR_BUYER, now=now)
    _save(dispute)
    events.offer_made_event(dispute=dispute, seller=seller, now=now)
    return dispute


@_party_action
def refuse_request(
    *,
    dispute: Dispute,
    seller: User,
    statement: str,
    evidence: Sequence[Evidence] = (),
    now: datetime | None = None,
) -> Dispute:
    """The seller refuses, with a statement and optional evidence: the mediators decide."""
    now = now or timezone.now()
    dispute = _locked_dispute_of_seller(seller, dispute)
    _require_stage(
        dispute, Stage.WAITING_FOR_SELLER, _("The buyer's request is no longer waiting for you.")
    )
    _refuse_when_late(dispute, now=now)
    _take_refusal(dispute, seller=seller, statement=statement, evidence=evidence)
    _escalate(dispute, EscalationReason.SELLER_REFUSED, now=now)
    _save(dispute)
    events.seller_refused_event(dispute=dispute, seller=seller, evidence=evidence, now=now)
    events.escalated_event(dispute=dispute, actor=seller, now=now)
    return dispute


def _take_refusal(
    dispute: Dispute, *, seller: User, statement: str, evidence: Sequence[Evidence]
) -> None:
    """The seller's statement and evidence onto ``dispute``: a refusal gives its reasons."""
    statement = statement.strip()
    if len(statement) < STATEMENT_MIN_LENGTH:
        raise DisputeActionError(
            DisputeErrorCode.STATEMENT_TOO_SHORT,
            _("Explain why you refuse in at least %(count)s characters.")
            % {"count": STATEMENT_MIN_LENGTH},
        )
    dispute.seller_statement = statement
    _attach(evidence, dispute=dispute, uploader=seller)


@_party_action
def accept_offer(*, dispute: Dispute, buyer: User, now: datetime | None = None) -> Dispute:
    """The buyer accepts the seller's offer: the dispute ends by agreement with that refund."""
    now = now or timezone.now()
    dispute = _locked_dispute_of(buyer, dispute)
    _require_stage(
        dispute, Stage.OFFER_WAITING_FOR_BUYER, _("There is no offer waiting for your answer.")
    )
    _refuse_when_late(dispute, now=now)
    _end(
        dispute,
        DisputeStatus.AGREED,
        outcome=Outcome.PARTIAL_REFUND,
        refund_amount=checked_partial_refund(dispute.offer_amount, order=dispute.order),
        by=buyer,
        now=now,
        record=lambda: events.offer_accepted_event(dispute=dispute, buyer=buyer, now=now),
    )
    return dispute


@_party_action
def ask_for_mediation(*, dispute: Dispute, buyer: User, now: datetime | None = None) -> Dispute:
    """The buyer refuses the seller's offer, or their condition of a return, and hands the
    dispute to the mediators (a mediator's decision of a return is not sent back to them)."""
    now = now or timezone.now()
    dispute = _locked_dispute_of(buyer, dispute)
    if dispute.stage == Stage.RETURN_TO_SHIP and not dispute.return_decided_by_mediator:
        reason = EscalationReason.BUYER_ASKED
    else:
        _require_stage(
            dispute, Stage.OFFER_WAITING_FOR_BUYER, _("There is no offer waiting for your answer.")
        )
        reason = EscalationReason.BUYER_REFUSED_OFFER
    _refuse_when_late(dispute, now=now)
    _escalate(dispute, reason, now=now)
    _save(dispute)
    if reason == EscalationReason.BUYER_REFUSED_OFFER:
        events.offer_refused_event(dispute=dispute, buyer=buyer, now=now)
    events.escalated_event(dispute=dispute, actor=buyer, now=now)
    return dispute


@transaction.atomic
def request_information(
    *, dispute: Dispute, mediator: User, party: str, message: str, now: datetime | None = None
) -> Dispute:
    """A mediator asks a party for information, in the conversation, with a deadline."""
    now = now or timezone.now()
    _require_mediator(mediator)
    dispute = _for_update(Dispute.objects.all()).get(pk=dispute.pk)
    if dispute.status != DisputeStatus.OPEN or dispute.stage not in MEDIATOR_STAGES:
        raise DisputeActionError(
            DisputeErrorCode.WRONG_STAGE,
            _("Information can be asked only of a dispute with the mediators."),
        )
    if party not in Party.values:
        raise DisputeActionError(
            DisputeErrorCode.INVALID_PARTY, _("Choose the buyer or the seller.")
        )
    if party == Party.SELLER and dispute.order.seller.user_id is None:
        raise DisputeActionError(
            DisputeErrorCode.NO_SELLER_ACCOUNT,
            _("This seller has no account and cannot answer in the app."),
        )
    if not message.strip():
        raise DisputeActionError(DisputeErrorCode.MESSAGE_EMPTY, _("Write what you need to know."))
    _enter_stage(dispute, Stage.INFORMATION_REQUESTED, now=now, party=party)
    _mediator_acted(dispute)
    _save(dispute)
    posted = DisputeMessage.objects.create(
        dispute=dispute, author=mediator, body=message.strip(), sent_at=now
    )
    events.information_requested_event(dispute=dispute, mediator=mediator, question=posted, now=now)
    events.message_event(message=posted, evidence=[], now=now)
    return dispute


@transaction.atomic
def post_message(
    *,
    dispute: Dispute,
    author: User,
    body: str,
    internal: bool = False,
    evidence: Sequence[Evidence] = (),
    now: datetime | None = None,
) -> DisputeMessage:
    """Add a message to the conversation; a mediator's internal note is seen by mediators only.

    The reply of the party a mediator asked for information returns the dispute to the
    mediators. ``evidence`` is stored evidence the author sends with it.
    """
    now = now or timezone.now()
    dispute = _for_update(Dispute.objects.all()).get(pk=dispute.pk)
    party = party_of(author, dispute.order)
    mediator = is_mediator(author)
    if party is None and not mediator:
        raise DisputeActionError(DisputeErrorCode.NOT_A_PARTY, _("This dispute is not yours."))
    if internal and not mediator:
        raise DisputeActionError(
            DisputeErrorCode.INTERNAL_NOTES_ARE_MEDIATORS,
            _("Only mediators write internal notes."),
        )
    if not internal and not dispute.is_open:
        raise DisputeActionError(
            DisputeErrorCode.DISPUTE_CLOSED, _("This dispute is closed: its conversation too.")
        )
    if not body.strip():
        raise DisputeActionError(DisputeErrorCode.MESSAGE_EMPTY, _("Write a message."))
    if (
        party is not None
        and party == dispute.information_requested_from
        and _is_overdue(dispute, now)
    ):
        # A late reply is still posted, to the mediators the request has lapsed back to.
        _move_on(dispute, now=now)
    message = DisputeMessage.objects.create(
        dispute=dispute, author=author, body=body.strip(), internal=internal, sent_at=now
    )
    _attach(evidence, dispute=dispute, uploader=author, message=message)
    if party is None:
        _mediator_acted(dispute, save=True)
    else:
        _party_wrote(dispute, now=now)
    if internal:
        return message
    events.message_event(message=message, evidence=evidence, now=now)
    if dispute.stage == Stage.INFORMATION_REQUESTED and dispute.information_requested_from == party:
        _back_to_mediators(dispute, now=now)
        _save(dispute)
    return message


def _party_wrote(dispute: Dispute, *, now: datetime) -> None:
    """A party's message or files on a dispute the mediators hold: new information for
    them until one of them acts on the dispute or marks it read. Before the escalation
    the parties are talking to each other, and nothing waits on the mediators."""
    with_mediators = dispute.is_open and dispute.escalated_at is not None
    if with_mediators and dispute.new_information_since is None:
        dispute.new_information_since = now
        dispute.save(update_fields=["new_information_since"])


def _mediator_acted(dispute: Dispute, *, save: bool = False) -> None:
    """A mediator asked, wrote, noted or decided: they have seen what the parties sent.
    Saved here when the action saves nothing else of the dispute."""
    if dispute.new_information_since is not None:
        dispute.new_information_since = None
        if save:
            dispute.save(update_fields=["new_information_since"])


@transaction.atomic
def act_on_deadline(*, dispute_id: int, now: datetime | None = None) -> Dispute | None:
    """What happens when a party's deadline passes; None when there is nothing to do.

    Safe to run late, twice, or after the party acted: the stage is read again under a
    lock, and only an open dispute whose deadline has passed moves on. Nobody is decided
    against by silence: the seller's or the buyer's silence escalates, and an information
    request lapses back to the mediators.
    """
    now = now or timezone.now()
    dispute = (
        Dispute.objects.overdue(now)
        .select_for_update()
        .select_related("order")
        .filter(pk=dispute_id)
        .first()
    )
    if dispute is None:
        return None
    _move_on(dispute, now=now)
    return dispute


def _is_overdue(dispute: Dispute, now: datetime) -> bool:
    """Whether ``dispute`` is one the worker acts on at ``now`` (``DisputeQuerySet.overdue``)."""
    return (
        dispute.is_open
        and dispute.stage in EXPIRING_STAGES
        and dispute.stage_deadline is not None
        and dispute.stage_deadline <= now
    )


def _move_on(dispute: Dispute, *, now: datetime) -> None:
    """What the passed deadline of ``dispute`` (overdue, locked) does: the worker's, or a
    late party's action before it is refused."""
    assert dispute.stage is not None, "an overdue dispute is open, so it has a stage"
    match rule_of(dispute.stage).on_deadline:
        case OnDeadline.REFUND:
            _release_refund(
                dispute,
                now=now,
                record=lambda: events.return_refund_released_event(dispute=dispute, now=now),
                acting=False,
            )
        case OnDeadline.LAPSE:
            party = dispute.information_requested_from
            assert party is not None, "the database's constraint names the party asked"
            _back_to_mediators(dispute, now=now)
            _save(dispute)
            events.information_lapsed_event(dispute=dispute, party=party, now=now)
        case Escalate(reason=reason):
            _escalate(dispute, reason, now=now)
            _save(dispute)
            events.escalated_event(dispute=dispute, actor=None, now=now)


def _refuse_when_late(dispute: Dispute, *, now: datetime) -> None:
    """Refuse a party's action once their deadline has passed (at it too, as the worker
    acts then), moving the dispute on first: a late answer must not win a fresh stage."""
    if not _is_overdue(dispute, now):
        return
    deadline = dispute.stage_deadline
    assert deadline is not None, "an overdue dispute has a deadline"
    _move_on(dispute, now=now)
    raise DeadlinePassed(
        DisputeErrorCode.DEADLINE_PASSED,
        (
            # Only a return on its way ends by its deadline: its refund is released.
            _("The time to answer ended on %(deadline)s: the refund was released.")
            if dispute.has_ended
            else _(
                "The time to answer ended on %(deadline)s: the mediators now take over the dispute."
            )
        )
        % {"deadline": formats.date_format(timezone.localtime(deadline), "DATETIME_FORMAT")},
    )


def _require_mediator(user: User) -> None:
    if not is_mediator(user):
        raise DisputeActionError(DisputeErrorCode.NOT_MEDIATOR, _("Only a mediator can do this."))


def _validated_outcome(
    dispute: Dispute, outcome: str, refund_amount: Decimal | None
) -> Decimal | None:
    """The refund that goes with ``outcome``: an amount below the price for a partial one."""
    if outcome not in Outcome.values:
        raise DisputeActionError(DisputeErrorCode.INVALID_OUTCOME, _("Choose a decision."))
    if outcome != Outcome.PARTIAL_REFUND:
        return None
    return checked_partial_refund(refund_amount, order=dispute.order)


@transaction.atomic
def decide_dispute(
    *,
    dispute: Dispute,
    mediator: User,
    outcome: str,
    refund_amount: Decimal | None = None,
    reason: str,
    note: str,
    now: datetime | None = None,
) -> Dispute:
    """Record a mediator's decision on an open dispute, with its reason from the fixed list,
    and tell the buyer by email."""
    now = now or timezone.now()
    dispute = _decidable(dispute, mediator=mediator, note=note)
    refund_amount = _validated_outcome(dispute, outcome, refund_amount)
    dispute.decision_reason = _validated_reason(reason)
    _mediator_acted(dispute)
    _end(
        dispute,
        DisputeStatus.DECIDED,
        outcome=outcome,
        refund_amount=refund_amount,
        by=mediator,
        now=now,
        record=lambda: events.dispute_decided_event(dispute=dispute, mediator=mediator, now=now),
        note=note.strip(),
    )
    return dispute


def _decidable(dispute: Dispute, *, mediator: User, note: str) -> Dispute:
    """``dispute`` locked, once a mediator may decide it now with ``note`` to the buyer."""
    _require_mediator(mediator)
    dispute = _for_update(Dispute.objects.all()).get(pk=dispute.pk)
    if dispute.status == DisputeStatus.CANCELLED:
        raise DisputeActionError(
            DisputeErrorCode.CANCELLED,
            _("The buyer cancelled this dispute: it cannot be decided."),
        )
    if dispute.has_ended:
        raise DisputeActionError(
            DisputeErrorCode.ALREADY_DECIDED, _("This dispute has already been decided.")
        )
    if dispute.stage not in MEDIATOR_STAGES:
        raise DisputeActionError(
            DisputeErrorCode.WRONG_STAGE,
            _("The parties have not asked for mediation yet: the seller answers first."),
        )
    if not note.strip():
        raise DisputeActionError(
            DisputeErrorCode.NOTE_REQUIRED,
            _("Write a note to the buyer explaining the decision."),
        )
    return dispute


def _appeal_refused(refusal: str, dispute: Dispute) -> DisputeActionError:
    """The error for an ``eligibility.AppealRefusal``, in the appellant's words."""
    match refusal:
        case AppealRefusal.ALREADY_APPEALED:
            return DisputeActionError(
                DisputeErrorCode.ALREADY_APPEALED, _("You have already appealed this decision.")
            )
        case AppealRefusal.WINDOW_CLOSED:
            assert dispute.decided_at is not None, "a decided dispute has its date"
            closed = deadlines.appeal_closes_at(dispute.decided_at)
            return DisputeActionError(
                DisputeErrorCode.APPEAL_WINDOW_CLOSED,
                _("A decision can be appealed until %(date)s: that time has passed.")
                % {"date": formats.date_format(timezone.localtime(closed), "DATETIME_FORMAT")},
            )
    return DisputeActionError(
        DisputeErrorCode.NOT_APPEALABLE, _("Only a decision against you can be appealed.")
    )


def _validated_reason(reason: str) -> DecisionReason:
    if reason not in DecisionReason.values:
        raise DisputeActionError(
            DisputeErrorCode.REASON_REQUIRED, _("Choose the reason for the decision.")
        )
    return DecisionReason(reason)


@transaction.atomic
def assign_dispute(
    *, dispute: Dispute, mediator: User, assignee: User | None, now: datetime | None = None
) -> Dispute:
    """``mediator`` gives ``dispute`` to ``assignee`` (themselves or a colleague), or to
    nobody with None. Assigning is no reading: the new information stays flagged."""
    now = now or timezone.now()
    _require_mediator(mediator)
    if assignee is not None and not is_mediator(assignee):
        raise DisputeActionError(
            DisputeErrorCode.NOT_AN_ASSIGNEE, _("A dispute can be assigned to a mediator only.")
        )
    dispute = _for_update(Dispute.objects.all()).get(pk=dispute.pk)
    if dispute.assigned_to_id == (assignee.pk if assignee else None):
        return dispute
    dispute.assigned_to = assignee
    dispute.save(update_fields=["assigned_to"])
    events.assigned_event(dispute=dispute, mediator=mediator, assignee=assignee, now=now)
    return dispute


@transaction.atomic
def mark_new_information_read(
    *, dispute: Dispute, mediator: User, now: datetime | None = None
) -> Dispute:
    """A mediator has read what the parties sent, without answering it yet."""
    now = now or timezone.now()
    _require_mediator(mediator)
    dispute = _for_update(Dispute.objects.all()).get(pk=dispute.pk)
    if dispute.new_information_since is None:
        raise DisputeActionError(
            DisputeErrorCode.NOTHING_NEW, _("There is no new information on this dispute.")
        )
    _mediator_acted(dispute, save=True)
    events.new_information_read_event(dispute=dispute, mediator=mediator, now=now)
    return dispute


@transaction.atomic
def send_appeal(
    *,
    dispute: Dispute,
    appellant: User,
    message: str,
    draft_key: str = "",
    now: datetime | None = None,
) -> Appeal:
    """A party appeals a decision against them to customer service: once per party, within
    ``DISPUTE_APPEAL_DAYS`` of the decision."""
    now = now or timezone.now()
    dispute = _locked_dispute_of_party(appellant, dispute)
    party = party_of(appellant, dispute.order)
    assert party is not None, "the appellant's dispute was found among their own"
    if refusal := appeal_refusal(dispute, party, now=now):
        raise _appeal_refused(refusal, dispute)
    if not message.strip():
        raise DisputeActionError(
            DisputeErrorCode.MESSAGE_REQUIRED,
            _("Tell customer service why the decision is wrong."),
        )
    try:
        with transaction.atomic():
            appeal = Appeal.objects.create(
                dispute=dispute, party=party, message=message.strip(), sent_at=now
            )
    except IntegrityError:
        raise _appeal_refused(AppealRefusal.ALREADY_APPEALED, dispute) from None
    attached = recording.attach_drafts(
        uploader=appellant, order=dispute.order, draft_key=draft_key, appeal=appeal
    )
    events.appeal_sent_event(appeal=appeal, appellant=appellant, evidence=attached, now=now)
    return appeal


# A parcel that never arrived (PRODUCT.md §2a). The seller refunds it (``accept_request``),
# refuses with proof of delivery, or gives a later delivery date once; the buyer accepts
# that date (the dispute is cancelled until it) or refuses it (the mediators decide). If
# the parcel arrives meanwhile, the buyer keeps the dispute with another reason or cancels.


def _seller_answer_stage(dispute: Dispute) -> Stage:
    """Where a dispute waits for its seller's answer: a parcel not received has its own."""
    if dispute.reason == DisputeReason.NOT_RECEIVED:
        return Stage.NOT_RECEIVED_WAITING_FOR_SELLER
    return Stage.WAITING_FOR_SELLER


def _reason_refused(eligibility: Eligibility) -> str:
    if eligibility.not_received:
        return _("The parcel has not arrived: a dispute can only say it was not received.")
    return _("Choose what is wrong with the item you received.")


NOT_RECEIVED_NOT_WAITING = gettext_lazy("The missing parcel is no longer waiting for your answer.")


@_party_action
def refuse_with_proof_of_delivery(
    *,
    dispute: Dispute,
    seller: User,
    carrier: str,
    tracking_number: str,
    statement: str,
    evidence: Sequence[Evidence] = (),
    now: datetime | None = None,
) -> Dispute:
    """The seller says the parcel was delivered, with the carrier, its tracking number, a
    statement and optional evidence: the mediators decide, as after any refusal."""
    now = now or timezone.now()
    dispute = _locked_dispute_of_seller(seller, dispute)
    _require_stage(dispute, Stage.NOT_RECEIVED_WAITING_FOR_SELLER, str(NOT_RECEIVED_NOT_WAITING))
    _refuse_when_late(dispute, now=now)
    carrier, tracking_number = carrier.strip(), tracking_number.strip()
    if not (carrier and tracking_number):
        raise DisputeActionError(
            DisputeErrorCode.PROOF_OF_DELIVERY_REQUIRED,
            _("Give the carrier and the tracking number of the delivery."),
        )
    _take_refusal(dispute, seller=seller, statement=statement, evidence=evidence)
    dispute.delivery_carrier, dispute.delivery_tracking_number = carrier, tracking_number
    _escalate(dispute, EscalationReason.SELLER_PROVED_DELIVERY, now=now)
    _save(dispute)
    events.delivery_proved_event(dispute=dispute, seller=seller, evidence=evidence, now=now)
    events.escalated_event(dispute=dispute, actor=seller, now=now)
    return dispute


def promised_delivery(dispute: Dispute) -> datetime | None:
    """The delivery date promised for the order of ``dispute`` (``eligibility.Windows``)."""
    order = dispute.order
    return Windows.from_settings().delivery_by(order, order.disputes.all())


@_party_action
def extend_delivery(
    *, dispute: Dispute, seller: User, days: int, now: datetime | None = None
) -> Dispute:
    """The seller asks the buyer to wait ``days`` more after the date promised (once per
    dispute, at most ``DISPUTE_DELIVERY_EXTENSION_MAX_DAYS``); the buyer answers."""
    now = now or timezone.now()
    dispute = _locked_dispute_of_seller(seller, dispute)
    _require_stage(dispute, Stage.NOT_RECEIVED_WAITING_FOR_SELLER, str(NOT_RECEIVED_NOT_WAITING))
    _refuse_when_late(dispute, now=now)
    if dispute.delivery_extended_to is not None:
        raise DisputeActionError(
            DisputeErrorCode.ALREADY_EXTENDED,
            _("You already gave a new delivery date once: refund or prove the delivery."),
        )
    if dispute.order.received_at is not None:
        raise DisputeActionError(
            DisputeErrorCode.INVALID_EXTENSION,
            _("The buyer has received the parcel since: there is nothing to wait for."),
        )
    promised = promised_delivery(dispute)
    most = settings.DISPUTE_DELIVERY_EXTENSION_MAX_DAYS
    if promised is None or not 1 <= days <= most:
        raise DisputeActionError(
            DisputeErrorCode.INVALID_EXTENSION,
            _("Give from 1 to %(most)s more days.") % {"most": most},
        )
    extended_to = promised.astimezone(UTC) + timedelta(days=days)
    if extended_to <= now:
        raise DisputeActionError(
            DisputeErrorCode.INVALID_EXTENSION,
            _("That date has already passed: give more days, or refund."),
        )
    dispute.delivery_extended_to = extended_to
    _enter_stage(dispute, Stage.EXTENSION_WAITING_FOR_BUYER, now=now)
    _save(dispute)
    events.delivery_extended_event(dispute=dispute, seller=seller, now=now)
    return dispute


EXTENSION_NOT_WAITING = gettext_lazy("There is no new delivery date waiting for your answer.")


@_party_action
def accept_extension(*, dispute: Dispute, buyer: User, now: datetime | None = None) -> Dispute:
    """The buyer waits until the seller's new delivery date: the dispute is cancelled, and
    can be reopened from that date if the parcel has still not arrived."""
    now = now or timezone.now()
    dispute = _locked_dispute_of(buyer, dispute)
    _require_stage(dispute, Stage.EXTENSION_WAITING_FOR_BUYER, str(EXTENSION_NOT_WAITING))
    _refuse_when_late(dispute, now=now)
    dispute.extension_accepted_at = now
    dispute.status = DisputeStatus.CANCELLED
    dispute.cancelled_at = now
    _leave_stage(dispute)
    _save(dispute)
    events.extension_accepted_event(dispute=dispute, buyer=buyer, now=now)
    return dispute


@_party_action
def refuse_extension(*, dispute: Dispute, buyer: User, now: datetime | None = None) -> Dispute:
    """The buyer will not wait for the seller's new delivery date: the mediators decide."""
    now = now or timezone.now()
    dispute = _locked_dispute_of(buyer, dispute)
    _require_stage(dispute, Stage.EXTENSION_WAITING_FOR_BUYER, str(EXTENSION_NOT_WAITING))
    _refuse_when_late(dispute, now=now)
    _escalate(dispute, EscalationReason.BUYER_REFUSED_EXTENSION, now=now)
    _save(dispute)
    events.extension_refused_event(dispute=dispute, buyer=buyer, now=now)
    events.escalated_event(dispute=dispute, actor=buyer, now=now)
    return dispute


@transaction.atomic
def keep_with_another_reason(
    *,
    dispute: Dispute,
    buyer: User,
    reason: str,
    description: str,
    now: datetime | None = None,
) -> Dispute:
    """The parcel of a "not received" dispute arrived and the buyer keeps the dispute about
    what is wrong with it. The seller answers that anew, unless the mediators have it."""
    now = now or timezone.now()
    dispute = _locked_dispute_of(buyer, dispute)
    if dispute.status != DisputeStatus.OPEN:
        raise DisputeActionError(
            DisputeErrorCode.NOT_OPEN, _("Only an open dispute can be kept with another reason.")
        )
    if dispute.reason != DisputeReason.NOT_RECEIVED:
        raise DisputeActionError(
            DisputeErrorCode.NOT_A_MISSING_PARCEL,
            _("Only a dispute about a parcel not received changes its reason."),
        )
    if dispute.order.received_at is None:
        raise DisputeActionError(
            DisputeErrorCode.PARCEL_NOT_RECEIVED,
            _("Confirm receipt of the parcel first: then say what is wrong with it."),
        )
    if reason not in DisputeReason.values or reason == DisputeReason.NOT_RECEIVED:
        raise DisputeActionError(
            DisputeErrorCode.INVALID_REASON, _("Choose what is wrong with the item you received.")
        )
    description = description.strip()
    if len(description) < STATEMENT_MIN_LENGTH:
        raise DisputeActionError(
            DisputeErrorCode.STATEMENT_TOO_SHORT,
            _("Describe the problem in at least %(count)s characters.")
            % {"count": STATEMENT_MIN_LENGTH},
        )
    previous = dispute.reason
    dispute.reason, dispute.description = reason, description
    if dispute.stage not in MEDIATOR_STAGES:
        _enter_stage(dispute, Stage.WAITING_FOR_SELLER, now=now)
    _save(dispute)
    events.reason_changed_event(dispute=dispute, buyer=buyer, previous_reason=previous, now=now)
    return dispute


@transaction.atomic
def answer_appeal(
    *,
    appeal: Appeal,
    mediator: User,
    answer: str,
    reason: str,
    outcome: str | None = None,
    refund_amount: Decimal | None = None,
    now: datetime | None = None,
) -> Appeal:
    """Customer service answers an appeal: with no ``outcome`` the decision is upheld;
    with one it is replaced by that decision, recorded beside the first, and its refund
    adjusted (``refunds.instruct_outcome``: a higher refund instructs the difference, a
    lower one nothing, left to settle). ``answer`` is the note to both parties; ``reason``,
    from the fixed list, is the answer's, and the replacing decision's when there is one."""
    now = now or timezone.now()
    _require_mediator(mediator)
    appeal = Appeal.objects.select_for_update().get(pk=appeal.pk)
    if appeal.is_answered:
        raise DisputeActionError(
            DisputeErrorCode.ALREADY_ANSWERED, _("This appeal has already been answered.")
        )
    if not answer.strip():
        raise DisputeActionError(
            DisputeErrorCode.ANSWER_REQUIRED, _("Write an answer to the party who appealed.")
        )
    dispute = _for_update(Dispute.objects.all()).get(pk=appeal.dispute_id)
    appeal.answer = answer.strip()
    appeal.answer_reason = _validated_reason(reason)
    appeal.answered_by = mediator
    appeal.answered_at = now
    appeal.ruling = AppealRuling.UPHELD if outcome is None else AppealRuling.REPLACED
    appeal.save()
    appeal.dispute = dispute
    if outcome is None:
        events.appeal_answered_event(appeal=appeal, mediator=mediator, now=now)
        return appeal
    dispute.decision_reason = appeal.answer_reason
    _end(
        dispute,
        DisputeStatus.DECIDED,
        outcome=outcome,
        refund_amount=_validated_outcome(dispute, outcome, refund_amount),
        by=mediator,
        now=now,
        record=lambda: (
            events.appeal_answered_event(appeal=appeal, mediator=mediator, now=now),
            events.dispute_decided_event(dispute=dispute, mediator=mediator, now=now),
        ),
        note=answer.strip(),
    )
    return appeal


# Returning the item before the refund (PRODUCT.md §4e) ----------------------------------
# The seller accepts on condition of the return, or a mediator decides so; the buyer ships
# the item back and enters its tracking; the seller confirms it arrived (the refund is
# released) or reports a problem with it (the mediators decide). Silence never decides
# against the buyer: a return not shipped in time goes to the mediators, and a seller who
# does not answer once it is on its way has the refund released.


def _forget_return(dispute: Dispute) -> None:
    """A dispute (re)submitted waits for no return, and holds no earlier decision's note."""
    dispute.return_asked_by = None
    dispute.return_address = dispute.return_carrier = dispute.return_tracking_number = ""
    dispute.return_shipped_at = None
    dispute.return_problem = ""
    dispute.decision_note = dispute.decision_reason = ""


def _ask_for_return(dispute: Dispute, *, by: User, now: datetime) -> None:
    """The refund waits for the item: the buyer has some days to ship it to the seller's
    return address, kept as it was given to them."""
    address = dispute.order.seller.return_address.strip()
    if not address:
        raise DisputeActionError(
            DisputeErrorCode.NO_RETURN_ADDRESS,
            _("The seller has no return address yet: set it in the seller's account first."),
        )
    dispute.return_asked_by = by
    dispute.return_address = address
    _enter_stage(dispute, Stage.RETURN_TO_SHIP, now=now)


def _release_refund(
    dispute: Dispute, *, now: datetime, record: Callable[[], object], acting: bool = True
) -> None:
    """The full price goes back for the returned item: the agreement or the decision that
    asked for the return is carried out, by whoever made it (``record``: the event saying
    why), and its refund instructed."""
    assert dispute.return_asked_by is not None, "the database's constraint names who asked"
    _end(
        dispute,
        DisputeStatus.DECIDED if dispute.return_decided_by_mediator else DisputeStatus.AGREED,
        outcome=Outcome.FULL_REFUND,
        refund_amount=None,
        by=dispute.return_asked_by,
        now=now,
        record=record,
        note=dispute.decision_note,  # the mediator's, when they decided the return
        acting=acting,
    )


@_party_action
def accept_if_returned(*, dispute: Dispute, seller: User, now: datetime | None = None) -> Dispute:
    """The seller accepts to refund the price once the item is back: the buyer ships it."""
    now = now or timezone.now()
    dispute = _locked_dispute_of_seller(seller, dispute)
    _require_stage(
        dispute, Stage.WAITING_FOR_SELLER, _("The buyer's request is no longer waiting for you.")
    )
    _refuse_when_late(dispute, now=now)
    _ask_for_return(dispute, by=seller, now=now)
    _save(dispute)
    events.return_asked_event(dispute=dispute, actor=seller, now=now)
    return dispute


@transaction.atomic
def decide_refund_after_return(
    *, dispute: Dispute, mediator: User, reason: str, note: str, now: datetime | None = None
) -> Dispute:
    """A mediator decides a full refund once the item is back, with the decision's reason
    from the fixed list: the buyer ships it."""
    now = now or timezone.now()
    dispute = _decidable(dispute, mediator=mediator, note=note)
    dispute.decision_reason = _validated_reason(reason)
    _mediator_acted(dispute)
    _ask_for_return(dispute, by=mediator, now=now)
    dispute.decision_note = note.strip()
    _save(dispute)
    events.return_asked_event(dispute=dispute, actor=mediator, now=now)
    return dispute


@_party_action
def ship_return(
    *,
    dispute: Dispute,
    buyer: User,
    carrier: str,
    tracking_number: str,
    evidence: Sequence[Evidence] = (),
    now: datetime | None = None,
) -> Dispute:
    """The buyer has shipped the item back: its carrier, tracking number and, if they
    wish, a photo of the receipt. The seller now has some days to confirm it arrived."""
    now = now or timezone.now()
    dispute = _locked_dispute_of(buyer, dispute)
    _require_stage(dispute, Stage.RETURN_TO_SHIP, _("No return is waiting for you to ship it."))
    _refuse_when_late(dispute, now=now)
    carrier, tracking_number = carrier.strip(), tracking_number.strip()
    if not carrier or not tracking_number:
        raise DisputeActionError(
            DisputeErrorCode.TRACKING_REQUIRED,
            _("Enter the carrier and the tracking number of the return."),
        )
    _attach(evidence, dispute=dispute, uploader=buyer)
    dispute.return_carrier, dispute.return_tracking_number = carrier, tracking_number
    dispute.return_shipped_at = now
    _enter_stage(dispute, Stage.RETURN_ON_ITS_WAY, now=now)
    _save(dispute)
    events.return_shipped_event(dispute=dispute, buyer=buyer, evidence=evidence, now=now)
    return dispute


def _require_return_on_its_way(dispute: Dispute) -> None:
    _require_stage(
        dispute, Stage.RETURN_ON_ITS_WAY, _("No return is on its way to you for this dispute.")
    )


@_party_action
def confirm_return_arrived(
    *, dispute: Dispute, seller: User, now: datetime | None = None
) -> Dispute:
    """The seller has the item back: the refund is released."""
    now = now or timezone.now()
    dispute = _locked_dispute_of_seller(seller, dispute)
    _require_return_on_its_way(dispute)
    _refuse_when_late(dispute, now=now)
    _release_refund(
        dispute,
        now=now,
        record=lambda: events.return_arrived_event(dispute=dispute, seller=seller, now=now),
    )
    return dispute


@_party_action
def report_return_problem(
    *,
    dispute: Dispute,
    seller: User,
    statement: str,
    evidence: Sequence[Evidence] = (),
    now: datetime | None = None,
) -> Dispute:
    """The returned item is not what was sold, or did not arrive: with a statement and
    evidence, the mediators decide."""
    now = now or timezone.now()
    dispute = _locked_dispute_of_seller(seller, dispute)
    _require_return_on_its_way(dispute)
    _refuse_when_late(dispute, now=now)
    statement = statement.strip()
    if len(statement) < STATEMENT_MIN_LENGTH:
        raise DisputeActionError(
            DisputeErrorCode.STATEMENT_TOO_SHORT,
            _("Explain the problem in at least %(count)s characters.")
            % {"count": STATEMENT_MIN_LENGTH},
        )
    dispute.return_problem = statement
    _attach(evidence, dispute=dispute, uploader=seller)
    _escalate(dispute, EscalationReason.SELLER_REPORTED_RETURN_PROBLEM, now=now)
    _save(dispute)
    events.return_problem_event(dispute=dispute, seller=seller, evidence=evidence, now=now)
    events.escalated_event(dispute=dispute, actor=seller, now=now)
    return dispute
