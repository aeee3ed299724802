"""The demo lets a newcomer play every part: a dispute in every stage, a seller who signs in."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from disputes import tasks
from disputes.models import Dispute, DisputeEvent, DisputeStatus, EventKind, Party, Stage
from orders.models import Order, Seller

pytestmark = pytest.mark.django_db

# order: (buyer, status, stage, who was asked for information)
DISPUTES = {
    "DEMO-0007": ("alice", DisputeStatus.OPEN, Stage.WAITING_FOR_SELLER, None),
    "DEMO-0008": ("alice", DisputeStatus.DECIDED, None, None),
    "DEMO-0009": ("alice", DisputeStatus.CANCELLED, None, None),
    "DEMO-0010": ("alice", DisputeStatus.DECIDED, None, None),
    "DEMO-0011": ("alice", DisputeStatus.OPEN, Stage.OFFER_WAITING_FOR_BUYER, None),
    "DEMO-0013": ("alice", DisputeStatus.OPEN, Stage.WITH_MEDIATOR, None),
    "DEMO-0015": ("alice", DisputeStatus.OPEN, Stage.INFORMATION_REQUESTED, Party.SELLER),
    "DEMO-0017": ("alice", DisputeStatus.AGREED, None, None),
    "DEMO-9003": ("bob", DisputeStatus.OPEN, Stage.WAITING_FOR_SELLER, None),
    "DEMO-9005": ("bob", DisputeStatus.OPEN, Stage.INFORMATION_REQUESTED, Party.BUYER),
}


def seed():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def snapshot():
    return {
        "users": get_user_model().objects.count(),
        "orders": list(Order.objects.order_by("number").values_list("number", "seller__name")),
        "disputes": list(
            Dispute.objects.order_by("pk").values_list("order__number", "status", "stage")
        ),
        "events": DisputeEvent.objects.count(),
        "tasks": DBTaskResult.objects.count(),
    }


def test_every_stage_has_a_dispute_with_the_seller_who_signs_in(client):
    output = seed()

    seller = Seller.objects.get(name="Shenzhen Gadget Store")
    assert seller.user.username == "szgadget"
    assert client.login(username="szgadget", password="szgadget-demo-2026")
    assert "seller:   szgadget / szgadget-demo-2026" in output
    for number, (buyer, status, stage, asked) in DISPUTES.items():
        dispute = Dispute.objects.select_related("order__buyer").get(order__number=number)
        assert (dispute.order.buyer.username, dispute.status, dispute.stage) == (
            buyer,
            status,
            stage,
        ), number
        assert dispute.information_requested_from == asked, number
        assert number in output
    assert set(Stage.values) <= {stage for _b, _s, stage, _a in DISPUTES.values()}


def test_the_disputes_were_made_by_the_actions_with_their_events():
    seed()

    def kinds(number):
        dispute = Dispute.objects.get(order__number=number)
        return list(dispute.events.values_list("kind", flat=True))

    assert kinds("DEMO-0011") == [EventKind.OPENED, EventKind.OFFER_MADE]
    assert kinds("DEMO-0013") == [EventKind.OPENED, EventKind.SELLER_REFUSED, EventKind.ESCALATED]
    assert kinds("DEMO-0015")[-2:] == [EventKind.INFORMATION_REQUESTED, EventKind.MESSAGE]
    assert kinds("DEMO-0017") == [EventKind.OPENED, EventKind.SELLER_ACCEPTED]
    refused = Dispute.objects.get(order__number="DEMO-0013")
    assert refused.seller_statement
    assert refused.escalation_reason == "seller_refused"


def test_the_open_stages_deadlines_are_ahead_and_queued_for_the_worker():
    seed()
    now = timezone.now()

    for dispute in Dispute.objects.filter(stage__isnull=False):
        assert dispute.stage_deadline > now, dispute.order.number
    waiting = Dispute.objects.exclude(stage=Stage.WITH_MEDIATOR).filter(stage__isnull=False)
    queued = DBTaskResult.objects.filter(task_path=tasks.act_on_deadline.module_path)
    for dispute in waiting:
        assert queued.filter(run_after=dispute.stage_deadline).exists(), dispute.order.number


def test_the_demos_history_sends_no_email():
    seed()

    assert not DBTaskResult.objects.filter(
        task_path__in=[tasks.send_event_emails.module_path, tasks.deliver_email.module_path]
    ).exists()


def test_running_it_again_changes_nothing():
    seed()
    before = snapshot()

    seed()

    assert snapshot() == before
