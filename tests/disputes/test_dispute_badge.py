"""Each order's card in the orders lists carries its dispute's state, from a tag the
disputes app owns, without a query per card and without orders knowing of disputes."""

import ast
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from disputes import actions
from disputes.models import DisputeStatus, Outcome, Party, Stage
from orders.models import Order
from tests.disputes.builders import (
    agreed_dispute,
    answerable_dispute,
    cancelled_dispute,
    decided_dispute,
    extended_dispute,
    information_requested_dispute,
    not_received_dispute,
    offered_dispute,
    open_dispute,
    return_on_its_way_dispute,
    return_to_ship_dispute,
)
from tests.disputes.test_query_counts import count_queries
from tests.factories import make_order, make_user

pytestmark = pytest.mark.django_db


def offer_accepted(buyer):
    dispute = offered_dispute(buyer, amount=Decimal("8.00"))
    return actions.accept_offer(dispute=dispute, buyer=buyer)


# (how the dispute is made, its status and stage, the badge its order's card shows)
BADGES = [
    (answerable_dispute, DisputeStatus.OPEN, Stage.WAITING_FOR_SELLER, "Waiting for the seller"),
    (offered_dispute, DisputeStatus.OPEN, Stage.OFFER_WAITING_FOR_BUYER, "Waiting for you"),
    (open_dispute, DisputeStatus.OPEN, Stage.WITH_MEDIATOR, "Dispute open"),
    (
        lambda buyer: information_requested_dispute(buyer, party=Party.BUYER),
        DisputeStatus.OPEN,
        Stage.INFORMATION_REQUESTED,
        "Waiting for you",
    ),
    (
        lambda buyer: information_requested_dispute(buyer, party=Party.SELLER),
        DisputeStatus.OPEN,
        Stage.INFORMATION_REQUESTED,
        "Waiting for the seller",
    ),
    (return_to_ship_dispute, DisputeStatus.OPEN, Stage.RETURN_TO_SHIP, "Waiting for you"),
    (
        return_on_its_way_dispute,
        DisputeStatus.OPEN,
        Stage.RETURN_ON_ITS_WAY,
        "Return on its way",
    ),
    (
        not_received_dispute,
        DisputeStatus.OPEN,
        Stage.NOT_RECEIVED_WAITING_FOR_SELLER,
        "Waiting for the seller",
    ),
    (extended_dispute, DisputeStatus.OPEN, Stage.EXTENSION_WAITING_FOR_BUYER, "Waiting for you"),
    (cancelled_dispute, DisputeStatus.CANCELLED, None, "Dispute cancelled"),
    (agreed_dispute, DisputeStatus.AGREED, None, "Ended by agreement: €12.99"),
    (offer_accepted, DisputeStatus.AGREED, None, "Ended by agreement: €8.00"),
    (
        lambda buyer: decided_dispute(buyer, Outcome.PARTIAL_REFUND, Decimal("5.50")),
        DisputeStatus.DECIDED,
        None,
        "Refunded €5.50",
    ),
    (
        lambda buyer: decided_dispute(buyer, Outcome.FULL_REFUND),
        DisputeStatus.DECIDED,
        None,
        "Refunded €12.99",
    ),
    (decided_dispute, DisputeStatus.DECIDED, None, "Decided against you"),
]


def badges(content):
    return re.findall(r'<span class="dispute-badge[^"]*">([^<]*)</span>', content)


def test_every_status_and_stage_has_a_badge():
    assert {status for _make, status, _stage, _badge in BADGES} == set(DisputeStatus.values)
    assert {stage for _make, _status, stage, _badge in BADGES} - {None} == set(Stage.values)


@pytest.mark.parametrize(("make", "status", "stage", "badge"), BADGES)
def test_the_orders_card_carries_its_disputes_state(
    buyer_client, buyer, make, status, stage, badge
):
    dispute = make(buyer)
    assert (dispute.status, dispute.stage) == (status, stage)
    for url in (reverse("orders:list"), reverse("orders:account")):
        assert badges(buyer_client.get(url).content.decode()) == [badge]


def test_an_order_without_a_dispute_has_no_badge(buyer_client, buyer):
    make_order(buyer)
    assert badges(buyer_client.get(reverse("orders:list")).content.decode()) == []


def test_the_badge_is_in_french_too(buyer_client, buyer):
    decided_dispute(buyer, Outcome.PARTIAL_REFUND, Decimal("5.50"))
    response = buyer_client.get(reverse("orders:list"), headers={"accept-language": "fr"})
    assert badges(response.content.decode()) == ["Remboursé 5,50\xa0€"]


@pytest.mark.parametrize("url_name", ["orders:list", "orders:account"])
def test_query_count_does_not_grow_with_the_number_of_orders_with_disputes(
    buyer_client, buyer, url_name
):
    url = reverse(url_name)
    decided_dispute(buyer, Outcome.FULL_REFUND)
    with_one = count_queries(buyer_client, url)
    for index, (make, _status, _stage, _badge) in enumerate(BADGES * 2):
        make(make_user(f"buyer-{index}"))
    # Every order moves to alice so that her list holds all of them.
    Order.objects.update(buyer=buyer)
    assert count_queries(buyer_client, url) == with_one
    assert with_one <= 6


def test_orders_code_does_not_import_the_disputes_app():
    """STYLE.md: the dependency runs one way (the demo command aside, which builds disputes)."""
    orders = Path(settings.BASE_DIR) / "orders"
    for path in orders.glob("*.py"):
        tree = ast.parse(path.read_text())
        imported = {
            alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.Import)
            for alias in node.names
        } | {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        assert not any(name.split(".")[0] == "disputes" for name in imported), path.name
