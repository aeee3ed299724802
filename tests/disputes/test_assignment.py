"""Mediators assign disputes to themselves or a colleague: an event in the mediators'
timeline and the API, never on a party's page, with the queue's "mine" and "unassigned"."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from disputes import actions
from disputes.errors import DisputeActionError, DisputeErrorCode
from disputes.models import EventKind
from tests.disputes.builders import open_dispute, refused_dispute, seller_of
from tests.factories import make_mediator, make_user

pytestmark = pytest.mark.django_db

QUEUE = reverse("admin:disputes_dispute_changelist")


def queue(client, **filters):
    response = client.get(QUEUE, filters)
    assert response.status_code == 200
    return [dispute.pk for dispute in response.context["cl"].result_list]


@pytest.fixture
def mediator():
    return make_mediator()


@pytest.fixture
def colleague():
    return make_mediator("colleague")


@pytest.fixture
def mediator_client(client, mediator):
    client.force_login(mediator)
    return client


def test_assigning_records_who_assigned_whom(buyer, mediator, colleague):
    dispute = open_dispute(buyer)

    actions.assign_dispute(dispute=dispute, mediator=mediator, assignee=colleague)

    dispute.refresh_from_db()
    assert dispute.assigned_to == colleague
    event = dispute.events.get(kind=EventKind.ASSIGNED)
    assert event.actor == mediator
    assert event.details == {"assignee": colleague.pk, "assignee_name": "colleague"}


def test_assigning_to_the_same_mediator_again_records_nothing(buyer, mediator):
    dispute = open_dispute(buyer)
    actions.assign_dispute(dispute=dispute, mediator=mediator, assignee=mediator)

    actions.assign_dispute(dispute=dispute, mediator=mediator, assignee=mediator)

    assert dispute.events.filter(kind=EventKind.ASSIGNED).count() == 1


def test_unassigning_is_an_event_too(buyer, mediator):
    dispute = open_dispute(buyer)
    actions.assign_dispute(dispute=dispute, mediator=mediator, assignee=mediator)

    actions.assign_dispute(dispute=dispute, mediator=mediator, assignee=None)

    dispute.refresh_from_db()
    assert dispute.assigned_to is None
    assert dispute.events.filter(kind=EventKind.ASSIGNED).count() == 2


def test_a_dispute_is_assigned_to_mediators_only(buyer, mediator):
    dispute = open_dispute(buyer)
    staff = make_user("api-manager", is_staff=True)

    with pytest.raises(DisputeActionError) as refused:
        actions.assign_dispute(dispute=dispute, mediator=mediator, assignee=staff)
    assert refused.value.code == DisputeErrorCode.NOT_AN_ASSIGNEE
    with pytest.raises(DisputeActionError) as refused:
        actions.assign_dispute(dispute=dispute, mediator=staff, assignee=mediator)
    assert refused.value.code == DisputeErrorCode.NOT_MEDIATOR


def test_the_queue_filters_mine_and_unassigned(mediator_client, buyer, mediator, colleague):
    mine = open_dispute(buyer)
    theirs = refused_dispute(buyer)
    nobodys = open_dispute(make_user("bob"))
    actions.assign_dispute(dispute=mine, mediator=mediator, assignee=mediator)
    actions.assign_dispute(dispute=theirs, mediator=mediator, assignee=colleague)

    assert queue(mediator_client, status="all", assigned="me") == [mine.pk]
    assert queue(mediator_client, status="all", assigned="nobody") == [nobodys.pk]
    assert set(queue(mediator_client, status="all")) == {mine.pk, theirs.pk, nobodys.pk}


def test_the_queue_assigns_the_selected_disputes_to_me(mediator_client, buyer, mediator):
    first, second = open_dispute(buyer), open_dispute(make_user("bob"))

    response = mediator_client.post(
        QUEUE, {"action": "assign_to_me", ACTION_CHECKBOX_NAME: [first.pk, second.pk]}
    )

    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.assigned_to == second.assigned_to == mediator


def test_the_queue_assigns_to_a_colleague_after_asking_whom(
    mediator_client, buyer, mediator, colleague
):
    dispute = open_dispute(buyer)
    chosen = {"action": "assign_to_mediator", ACTION_CHECKBOX_NAME: [dispute.pk]}

    page = mediator_client.post(QUEUE, chosen)
    assert page.status_code == 200
    assert "colleague" in page.content.decode()
    dispute.refresh_from_db()
    assert dispute.assigned_to is None

    response = mediator_client.post(QUEUE, {**chosen, "assign": "1", "assignee": colleague.pk})

    assert response.status_code == 302
    dispute.refresh_from_db()
    assert dispute.assigned_to == colleague


def test_the_disputes_page_assigns_it(mediator_client, buyer, colleague):
    dispute = open_dispute(buyer)
    url = reverse("admin:disputes_dispute_assign", args=[dispute.pk])

    response = mediator_client.post(url, {"assignee": colleague.pk})

    assert response.status_code == 302
    dispute.refresh_from_db()
    assert dispute.assigned_to == colleague
    page = mediator_client.get(reverse("admin:disputes_dispute_change", args=[dispute.pk]))
    assert "Assigned the dispute to colleague" in page.content.decode()


def test_the_disputes_page_refuses_a_staff_account_that_is_no_mediator(mediator_client, buyer):
    dispute = open_dispute(buyer)
    staff = make_user("api-manager", is_staff=True)
    url = reverse("admin:disputes_dispute_assign", args=[dispute.pk])

    response = mediator_client.post(url, {"assignee": staff.pk})

    assert response.status_code == 200
    dispute.refresh_from_db()
    assert dispute.assigned_to is None


def test_the_parties_never_see_the_assignment(client, buyer, mediator):
    dispute = refused_dispute(buyer)
    actions.assign_dispute(dispute=dispute, mediator=mediator, assignee=mediator)

    for user, page in (
        (buyer, reverse("disputes:detail", args=[dispute.pk])),
        (seller_of(dispute), reverse("disputes:seller_detail", args=[dispute.pk])),
    ):
        client.force_login(user)
        response = client.get(page)
        assert response.status_code == 200
        assert "assigned" not in response.content.decode().lower()
