"""The dispute page and the mediators' queue run as many queries for one row as for many."""

import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from disputes import actions
from disputes.models import (
    Dispute,
    DisputeEvent,
    DisputeMessage,
    EventKind,
    Evidence,
    EvidenceKind,
    Party,
)
from tests.disputes.builders import (
    answerable_dispute,
    appealed_dispute,
    information_requested_dispute,
    make_mediator,
    make_seller_account,
    open_dispute,
    refused_dispute,
    seller_of,
)
from tests.factories import make_user

pytestmark = pytest.mark.django_db

_files = itertools.count(1)


def count_queries(client, url):
    # The first view of an open dispute issues its message form's draft key (a session
    # write): counted apart, so that only what grows with the page is compared.
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def add_evidence_and_events(dispute, files, uploader=None):
    uploader = uploader or dispute.order.buyer
    for _ in range(files):
        name = add_file(dispute, uploader).original_name
        DisputeEvent.objects.create(
            dispute=dispute,
            kind=EventKind.EVIDENCE_ADDED,
            actor=uploader,
            details={"evidence": [name]},
        )


def add_file(dispute, uploader, message=None):
    name = f"IMG_{next(_files)}.jpg"
    return Evidence.objects.create(
        uploaded_by=uploader,
        order=dispute.order,
        dispute=dispute,
        message=message,
        kind=EvidenceKind.PHOTO,
        original_name=name,
        original=f"test/{name}",
        display=f"test/{name}.webp",
        thumbnail=f"test/{name}.thumb.webp",
        mime="image/jpeg",
        size=1_000_000,
        sha256="0" * 64,
    )


@pytest.mark.parametrize("make_dispute", [open_dispute, appealed_dispute])
def test_dispute_page_query_count_does_not_grow_with_events_or_evidence(
    buyer_client, buyer, make_dispute
):
    dispute = make_dispute(buyer)
    url = reverse("disputes:detail", args=[dispute.pk])
    add_evidence_and_events(dispute, files=1)
    with_one = count_queries(buyer_client, url)
    add_evidence_and_events(dispute, files=30)
    assert count_queries(buyer_client, url) == with_one
    assert with_one <= 8


def add_messages(dispute, count):
    """``count`` messages of the three authors, some with a file, some internal notes, each
    with its event, as a long conversation has."""
    authors = [dispute.order.buyer, seller_of(dispute), make_mediator()]
    for index in range(count):
        author = authors[index % 3]
        message = DisputeMessage.objects.create(
            dispute=dispute, author=author, body=f"Message {index}", internal=index % 6 == 2
        )
        if index % 5 == 0 and author != authors[2]:
            add_file(dispute, author, message)
        DisputeEvent.objects.create(
            dispute=dispute, kind=EventKind.MESSAGE, actor=author, details={"message": message.pk}
        )


@pytest.mark.parametrize("party", ["buyer", "seller"])
def test_party_page_query_count_does_not_grow_with_the_conversation(log_in, buyer, party):
    dispute = answerable_dispute(buyer)
    if party == "buyer":
        client, url = log_in(buyer), dispute.get_absolute_url()
    else:
        client = log_in(seller_of(dispute))
        url = reverse("disputes:seller_detail", args=[dispute.pk])
    add_messages(dispute, 1)
    with_one = count_queries(client, url)
    add_messages(dispute, 99)
    shown = client.get(url).context["conversation"]
    assert len(shown) == dispute.messages.filter(internal=False).count() < 100
    assert count_queries(client, url) == with_one
    assert with_one <= 8


def test_seller_list_query_count_does_not_grow_with_disputes(log_in, buyer):
    # One dispute waiting for the seller and one other, then 13 of each.
    seller = make_seller_account()
    answerable_dispute(buyer, seller)
    actions.cancel_dispute(dispute=answerable_dispute(buyer, seller), buyer=buyer)
    client = log_in(seller.user)
    url = reverse("disputes:seller_list")
    with_one = count_queries(client, url)
    for _ in range(12):
        answerable_dispute(buyer, seller)
        actions.cancel_dispute(dispute=answerable_dispute(buyer, seller), buyer=buyer)
    assert Dispute.objects.of_seller(seller.user).count() == 26
    assert count_queries(client, url) == with_one
    assert with_one <= 7


@pytest.fixture
def mediator_client(client):
    client.force_login(make_user("mediator", is_staff=True, is_superuser=True))
    return client


def test_admin_queue_query_count_does_not_grow_with_disputes(mediator_client):
    url = reverse("admin:disputes_dispute_changelist")
    add_evidence_and_events(open_dispute(make_user("buyer-0")), files=2)
    with_one = count_queries(mediator_client, url)
    # More than a page (25 rows): the first page, then the second.
    for index in range(1, 30):
        add_evidence_and_events(open_dispute(make_user(f"buyer-{index}")), files=index % 4)
    assert count_queries(mediator_client, url) == with_one
    assert count_queries(mediator_client, f"{url}?p=2") == with_one
    assert with_one <= 8


def test_admin_queue_pages_the_disputes_before_reading_their_orders(mediator_client):
    """Sorted and cut to a page on the disputes' own table: joined to the orders, PostgreSQL
    read every order before sorting (docs/benchmark.md); the page's orders come after."""
    for index in range(3):
        open_dispute(make_user(f"buyer-{index}"))
    mediator_client.get(reverse("admin:disputes_dispute_changelist"))
    with CaptureQueriesContext(connection) as queries:
        response = mediator_client.get(reverse("admin:disputes_dispute_changelist"))
    (page,) = [query["sql"] for query in queries if 'AS "evidence_total"' in query["sql"]]
    assert "orders_order" not in page
    # The description, the statement and the note are not read for the queue.
    assert '"disputes_dispute"."description"' not in page
    content = response.content.decode()
    for dispute in Dispute.objects.select_related("order__buyer", "order__seller"):
        assert dispute.order.number in content
        assert dispute.order.buyer.username in content
        assert dispute.order.seller.name in content


def test_admin_queue_shows_each_disputes_own_evidence_count(mediator_client):
    add_evidence_and_events(open_dispute(make_user("none")), files=0)
    add_evidence_and_events(open_dispute(make_user("three")), files=3)
    response = mediator_client.get(reverse("admin:disputes_dispute_changelist"))
    totals = {
        dispute.order.buyer.username: dispute.evidence_total
        for dispute in response.context["cl"].result_list
    }
    assert totals == {"none": 0, "three": 3}


def test_admin_queue_of_every_stage_runs_as_many_queries_for_one_dispute_as_for_many(client):
    client.force_login(make_mediator())
    url = reverse("admin:disputes_dispute_changelist")
    refused_dispute(make_user("buyer-0"))
    with_one = count_queries(client, url)
    for index in range(1, 10):
        buyer = make_user(f"buyer-{index}")
        information_requested_dispute(buyer, party=[Party.BUYER, Party.SELLER][index % 2])
        add_evidence_and_events(open_dispute(buyer), files=index % 3)
    assert count_queries(client, url) == with_one
    assert with_one <= 8


def add_conversation(dispute, rounds):
    """Messages of both parties and internal notes, each party's evidence, and events."""
    mediator, seller = make_mediator(), seller_of(dispute)
    for _ in range(rounds):
        actions.post_message(dispute=dispute, author=dispute.order.buyer, body="It broke.")
        actions.post_message(dispute=dispute, author=seller, body="It left us intact.")
        actions.post_message(dispute=dispute, author=mediator, body="Third claim.", internal=True)
    add_evidence_and_events(dispute, files=rounds)
    add_evidence_and_events(dispute, files=rounds, uploader=seller)


def test_admin_dispute_page_query_count_does_not_grow_with_messages_events_or_evidence(client):
    client.force_login(make_mediator())
    dispute = refused_dispute(make_user("buyer"))
    url = reverse("admin:disputes_dispute_change", args=[dispute.pk])
    add_conversation(dispute, rounds=1)
    # The first view also fills the content types' cache.
    client.get(url)
    with_one = count_queries(client, url)
    add_conversation(dispute, rounds=10)
    assert count_queries(client, url) == with_one
