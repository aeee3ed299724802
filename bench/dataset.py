"""A realistic volume of buyers, orders, disputes, events, evidence and appeals, bulk-loaded.

Every row respects the models' constraints (dates in order, one open dispute per order,
decided iff an outcome, complete appeal answers). Needs Django set up on the bench database.
"""

import hashlib
import random
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from accounts.roles import mediators_group
from accounts.second_factor import replace_second_factor
from disputes.deadlines import stage_deadline
from disputes.models import (
    Appeal,
    AppealRuling,
    Dispute,
    DisputeEvent,
    DisputeMessage,
    DisputeReason,
    DisputeStatus,
    EscalationReason,
    EventKind,
    Evidence,
    EvidenceKind,
    Outcome,
    RefundRequest,
    Stage,
)
from orders.models import Order, Seller

BATCH = 5_000
HEAVY_BUYER = "heavy-buyer"
MEDIATOR = "bench-mediator"
SELLER = "bench-seller"
# The benchmarked dispute's conversation: long enough that a per-message cost would show.
TARGET_MESSAGES = 50
# Of the seller's open disputes, how many wait for its answer (its list shows them all).
SELLER_WAITING = 20
ITEMS = [
    ("USB-C cable, 2 m, braided", "Braided nylon, 100 W, 2 m"),
    ("Wireless earbuds", "Bluetooth 5.3, charging case, 30 h"),
    ("Phone case, clear", "Shock-absorbing TPU, fits 6.1 inch"),
    ("LED desk lamp", "Dimmable, USB powered, 3 colour temperatures"),
    ("Mechanical keyboard", "87 keys, hot-swappable, brown switches"),
    ("Running shoes", "Mesh upper, EU 42"),
    ("Smart watch strap", "Silicone, 22 mm, black"),
    ("Kitchen scale", "5 kg, 1 g precision, stainless steel"),
]
CURRENCIES = ["EUR", "EUR", "EUR", "USD", "GBP"]


@dataclass(frozen=True)
class Size:
    buyers: int
    orders: int
    heavy_buyer_orders: int
    disputes: int
    heavy_buyer_disputes: int
    seller_disputes: int
    sellers: int = 500


FULL = Size(
    buyers=10_000,
    orders=100_000,
    heavy_buyer_orders=1_000,
    disputes=5_000,
    heavy_buyer_disputes=60,
    seller_disputes=400,
)
QUICK = Size(
    buyers=1_000,
    orders=10_000,
    heavy_buyer_orders=1_000,
    disputes=500,
    heavy_buyer_disputes=60,
    seller_disputes=100,
)


@dataclass(frozen=True)
class Targets:
    """What the benchmark requests: the heavy buyer, a mediator, a seller with an account,
    and one order and dispute."""

    buyer_id: int
    mediator_id: int
    seller_user_id: int
    seller_id: int
    order_number: str
    dispute_id: int


def load(size, *, seed=2026):
    rng = random.Random(seed)
    now = timezone.now()
    with transaction.atomic():
        buyer_ids, heavy_id, mediator, seller_user = _users(size)
        # The first seller has an account: it answers its disputes (the others are known
        # by name only, and their disputes go straight to the mediators).
        sellers = [Seller(name="Bench Store 0000", user=seller_user)]
        sellers += [Seller(name=f"Bench Store {index:04d}") for index in range(1, size.sellers)]
        seller_ids = [seller.pk for seller in Seller.objects.bulk_create(sellers)]
        orders = _orders(rng, now, size, buyer_ids, heavy_id, seller_ids)
        target = _disputes(rng, now, size, orders, heavy_id, mediator.pk, seller_ids[0])
        _conversation(target, heavy_id, seller_user.pk)
    return Targets(
        buyer_id=heavy_id,
        mediator_id=mediator.pk,
        seller_user_id=seller_user.pk,
        seller_id=seller_ids[0],
        order_number=target.order.number,
        dispute_id=target.pk,
    )


def targets():
    """The ``Targets`` of a data set loaded before (``load``, perhaps grown by
    ``bench/scale.py``), found again by their names: the benchmarked dispute is the heavy
    buyer's with the long conversation."""
    user_model = get_user_model()
    buyer = user_model.objects.get(username=HEAVY_BUYER)
    seller_user = user_model.objects.get(username=SELLER)
    dispute = (
        Dispute.objects.filter(order__buyer=buyer)
        .annotate(conversation=Count("messages"))
        .select_related("order")
        .latest("conversation")
    )
    return Targets(
        buyer_id=buyer.pk,
        mediator_id=user_model.objects.get(username=MEDIATOR).pk,
        seller_user_id=seller_user.pk,
        seller_id=Seller.objects.get(user=seller_user).pk,
        order_number=dispute.order.number,
        dispute_id=dispute.pk,
    )


def _users(size):
    user_model = get_user_model()
    users = [user_model(username=HEAVY_BUYER, email=f"{HEAVY_BUYER}@example.com")]
    users += [
        user_model(username=f"buyer{index:05d}", email=f"buyer{index:05d}@example.com")
        for index in range(1, size.buyers)
    ]
    for user in users:
        user.password = "!bench-unusable"
    users = user_model.objects.bulk_create(users, batch_size=BATCH)
    # A mediator as production has them: staff in the Mediators group, not a superuser.
    mediator = user_model.objects.create(
        username=MEDIATOR, email=f"{MEDIATOR}@example.com", is_staff=True, password="!bench"
    )
    mediator.groups.add(mediators_group())
    # Production's admin asks for a second factor: the mediator has one (run.session_cookie
    # signs in with it, as the admin's login form would after the code).
    replace_second_factor(user=mediator)
    seller_user = user_model.objects.create(
        username=SELLER, email=f"{SELLER}@example.com", password="!bench"
    )
    return [user.pk for user in users], users[0].pk, mediator, seller_user


def _orders(rng, now, size, buyer_ids, heavy_id, seller_ids):
    """The heavy buyer gets ``heavy_buyer_orders``; the rest are spread over everyone else."""
    others = buyer_ids[1:]
    owners = [heavy_id] * size.heavy_buyer_orders
    owners += [others[index % len(others)] for index in range(size.orders - len(owners))]
    rng.shuffle(owners)
    orders = []
    for index, buyer_id in enumerate(owners):
        placed = now - timedelta(minutes=rng.randint(60, 730 * 24 * 60))
        shipped = received = None
        if rng.random() < 0.93:
            shipped = placed + timedelta(minutes=rng.randint(30, 5 * 24 * 60))
            if shipped > now:
                shipped = now
            if rng.random() < 0.85:
                received = shipped + timedelta(minutes=rng.randint(3 * 24 * 60, 25 * 24 * 60))
                if received > now:
                    received = None
        item, description = rng.choice(ITEMS)
        orders.append(
            Order(
                number=str(8030000000000000 + index),
                buyer_id=buyer_id,
                seller_id=rng.choice(seller_ids),
                item=item,
                description=description,
                price=Decimal(rng.randint(99, 25_000)) / 100,
                currency=rng.choice(CURRENCIES),
                placed_at=placed,
                shipped_at=shipped,
                received_at=received,
            )
        )
    return Order.objects.bulk_create(orders, batch_size=BATCH)


def _disputes(rng, now, size, orders, heavy_id, mediator_id, answering_seller_id):
    """One dispute per chosen order (so never two open ones), with events, evidence, appeals."""
    received = [order for order in orders if order.received_at is not None]
    heavy = [order for order in received if order.buyer_id == heavy_id]
    rest = [order for order in received if order.buyer_id != heavy_id]
    chosen = rng.sample(heavy, size.heavy_buyer_disputes)
    chosen += rng.sample(rest, size.disputes - len(chosen))
    # The benchmarked dispute: the heavy buyer's, decided against them and appealed, with a
    # long timeline, several files and a long conversation with the seller, so any
    # per-event, per-file or per-message query would show.
    target_order = chosen[0]
    # The seller with an account sold the target order and many more disputed ones.
    sold = [target_order, *chosen[-(size.seller_disputes - 1) :]]
    for order in sold:
        order.seller_id = answering_seller_id
    Order.objects.bulk_update(sold, ["seller"], batch_size=BATCH)
    waiting_for_seller = {order.pk for order in sold[1 : 1 + SELLER_WAITING]}

    disputes, plans = [], []
    for order in chosen:
        opened = order.received_at + timedelta(minutes=rng.randint(10, 14 * 24 * 60))
        opened = min(opened, now - timedelta(minutes=5))
        if order.pk in waiting_for_seller:
            # Opened within the last two days: the seller's list shows the time left.
            recently = now - timedelta(minutes=rng.randint(5, 2880))
            opened = max(recently, order.received_at + timedelta(minutes=1))
        status = rng.choices(
            [DisputeStatus.OPEN, DisputeStatus.CANCELLED, DisputeStatus.DECIDED], [4, 2, 4]
        )[0]
        if order is target_order:
            status = DisputeStatus.DECIDED
        elif order.pk in waiting_for_seller:
            status = DisputeStatus.OPEN
        partial = rng.random() < 0.3
        dispute = Dispute(
            order=order,
            seller_id=order.seller_id,
            status=status,
            reason=rng.choice(DisputeReason.values),
            refund_request=RefundRequest.PARTIAL if partial else RefundRequest.FULL,
            requested_amount=(order.price / 2).quantize(Decimal("0.01")) if partial else None,
            description="The item stopped working after two days; photos attached.",
            opened_at=opened,
        )
        later = opened + (now - opened) / 2
        if order.pk in waiting_for_seller:
            dispute.stage = Stage.WAITING_FOR_SELLER
            dispute.stage_started_at = opened
            dispute.stage_deadline = stage_deadline(Stage.WAITING_FOR_SELLER, opened)
        elif status == DisputeStatus.OPEN:
            # The other open disputes wait for a mediator (most sellers have no account).
            dispute.stage = Stage.WITH_MEDIATOR
            dispute.stage_started_at = dispute.escalated_at = opened
            dispute.stage_deadline = stage_deadline(Stage.WITH_MEDIATOR, opened)
            dispute.escalation_reason = EscalationReason.NO_SELLER_ACCOUNT
        elif status == DisputeStatus.CANCELLED:
            dispute.cancelled_at = later
        elif status == DisputeStatus.DECIDED:
            outcome = rng.choice(Outcome.values)
            if order is target_order:
                outcome = Outcome.REJECTED
            dispute.outcome = outcome
            if outcome == Outcome.PARTIAL_REFUND:
                dispute.refund_amount = (order.price / 4).quantize(Decimal("0.01"))
            dispute.decision_note = "The photos show the fault; the seller did not answer."
            dispute.decided_by_id = mediator_id
            dispute.decided_at = later
        disputes.append(dispute)
        files = 8 if order is target_order else rng.randint(0, 3)
        plans.append((files, order is target_order or rng.random() < 0.5))
    disputes = Dispute.objects.bulk_create(disputes, batch_size=BATCH)

    appeals = [
        Appeal(
            dispute=dispute,
            message="The seller never answered me.",
            sent_at=dispute.decided_at + (now - dispute.decided_at) / 3,
        )
        for dispute, (_files, appeals_it) in zip(disputes, plans, strict=True)
        if appeals_it and dispute.outcome == Outcome.REJECTED
    ]
    for appeal in appeals:
        if rng.random() < 0.5:
            appeal.answer = "We reviewed the decision and it stands."
            appeal.ruling = AppealRuling.UPHELD
            appeal.answered_by_id = mediator_id
            appeal.answered_at = appeal.sent_at + (now - appeal.sent_at) / 2
    appeals = {appeal.dispute_id: appeal for appeal in Appeal.objects.bulk_create(appeals)}

    evidence, events = [], []
    for dispute, (files, _appeals_it) in zip(disputes, plans, strict=True):
        buyer_id = dispute.order.buyer_id
        events.append(_event(dispute, EventKind.OPENED, buyer_id, dispute.opened_at))
        names = []
        for number in range(files):
            name = f"IMG_{2000 + number}.jpg"
            names.append(name)
            token = hashlib.sha256(f"{dispute.pk}-{number}".encode()).hexdigest()
            evidence.append(
                Evidence(
                    uploaded_by_id=buyer_id,
                    order_id=dispute.order_id,
                    dispute=dispute,
                    kind=EvidenceKind.PHOTO,
                    original_name=name,
                    original=f"bench/{token}.jpg",
                    display=f"bench/{token}-display.webp",
                    thumbnail=f"bench/{token}-thumb.webp",
                    mime="image/jpeg",
                    size=rng.randint(200_000, 4_000_000),
                    sha256=token,
                    width=3024,
                    height=4032,
                    uploaded_at=dispute.opened_at,
                )
            )
            step = dispute.opened_at + timedelta(minutes=number + 1)
            events.append(
                _event(dispute, EventKind.EVIDENCE_ADDED, buyer_id, step, evidence=[name])
            )
        if dispute.status == DisputeStatus.CANCELLED:
            events.append(_event(dispute, EventKind.CANCELLED, buyer_id, dispute.cancelled_at))
        elif dispute.status == DisputeStatus.DECIDED:
            events.append(
                _event(
                    dispute,
                    EventKind.DECIDED,
                    mediator_id,
                    dispute.decided_at,
                    outcome=dispute.outcome,
                )
            )
            if appeal := appeals.get(dispute.pk):
                events.append(_event(dispute, EventKind.APPEAL_SENT, buyer_id, appeal.sent_at))
                if appeal.answered_at:
                    events.append(
                        _event(dispute, EventKind.APPEAL_ANSWERED, mediator_id, appeal.answered_at)
                    )
    Evidence.objects.bulk_create(evidence, batch_size=BATCH)
    # bulk_create bypasses DisputeEvent.save(), whose only job is refusing updates.
    DisputeEvent.objects.bulk_create(events, batch_size=BATCH)
    return disputes[0]


def _conversation(dispute, buyer_id, seller_user_id):
    """Messages between the buyer and the seller, before the decision, each with its event
    as ``disputes.actions`` writes them (the dispute page's cached conversation is keyed on
    the newest event: ``disputes.pages.fragment_versions``)."""
    span = dispute.decided_at - dispute.opened_at
    messages = DisputeMessage.objects.bulk_create(
        DisputeMessage(
            dispute=dispute,
            author_id=seller_user_id if number % 2 else buyer_id,
            body=f"Message {number + 1}: the photos show the crack on the left side.",
            sent_at=dispute.opened_at + span * (number + 1) / (TARGET_MESSAGES + 1),
        )
        for number in range(TARGET_MESSAGES)
    )
    DisputeEvent.objects.bulk_create(
        _event(
            dispute,
            EventKind.MESSAGE,
            message.author_id,
            message.sent_at,
            message=message.pk,
            evidence=[],
        )
        for message in messages
    )


def _event(dispute, kind, actor_id, when, **details):
    return DisputeEvent(
        dispute=dispute, kind=kind, actor_id=actor_id, created_at=when, details=details
    )


def counts():
    return {
        "buyers": get_user_model().objects.filter(is_staff=False).count(),
        "orders": Order.objects.count(),
        "disputes": Dispute.objects.count(),
        "dispute_events": DisputeEvent.objects.count(),
        "evidence": Evidence.objects.count(),
        "appeals": Appeal.objects.count(),
        "messages": DisputeMessage.objects.count(),
    }
