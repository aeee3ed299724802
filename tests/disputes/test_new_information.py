"""A dispute with the mediators whose party wrote since a mediator last acted carries the
"new information" flag, until a mediator acts on it or marks it read."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from disputes import actions
from disputes.errors import DisputeActionError, DisputeErrorCode
from disputes.models import EventKind, Outcome, Party
from tests.disputes.builders import (
    answerable_dispute,
    information_requested_dispute,
    refused_dispute,
    seller_of,
)
from tests.factories import make_mediator, make_user

pytestmark = pytest.mark.django_db

QUEUE = reverse("admin:disputes_dispute_changelist")


@pytest.fixture
def mediator():
    return make_mediator()


def flagged_since(dispute):
    dispute.refresh_from_db()
    return dispute.new_information_since


def write(dispute, author, *, now=None, **options):
    actions.post_message(dispute=dispute, author=author, body="Here it is.", now=now, **options)


def test_a_party_writing_before_the_escalation_is_no_news_for_the_mediators(buyer):
    dispute = answerable_dispute(buyer)

    write(dispute, buyer)

    assert flagged_since(dispute) is None


def test_a_party_writing_once_escalated_flags_the_dispute_from_that_message(buyer):
    dispute = refused_dispute(buyer)
    assert flagged_since(dispute) is None
    first = timezone.now()

    write(dispute, buyer, now=first)
    write(dispute, seller_of(dispute), now=first + timedelta(minutes=5))

    assert flagged_since(dispute) == first


def test_the_answer_to_a_mediators_request_flags_the_dispute(buyer):
    dispute = information_requested_dispute(buyer, Party.SELLER)
    assert flagged_since(dispute) is None

    write(dispute, seller_of(dispute))

    assert flagged_since(dispute) is not None


def test_evidence_added_once_escalated_flags_the_dispute(buyer):
    dispute = refused_dispute(buyer)

    actions.add_evidence(dispute=dispute, uploader=buyer, evidence=[])

    assert flagged_since(dispute) is not None


@pytest.mark.parametrize(
    "mediator_acts",
    [
        pytest.param(lambda d, m: write(d, m), id="message"),
        pytest.param(lambda d, m: write(d, m, internal=True), id="internal_note"),
        pytest.param(
            lambda d, m: actions.request_information(
                dispute=d, mediator=m, party=Party.BUYER, message="Which cable?"
            ),
            id="information_request",
        ),
        pytest.param(
            lambda d, m: actions.decide_dispute(
                dispute=d,
                mediator=m,
                outcome=Outcome.REJECTED,
                reason="item_as_described",
                note="As described.",
            ),
            id="decision",
        ),
        pytest.param(
            lambda d, m: actions.mark_new_information_read(dispute=d, mediator=m), id="read"
        ),
    ],
)
def test_a_mediator_acting_clears_the_flag(buyer, mediator, mediator_acts):
    dispute = refused_dispute(buyer)
    write(dispute, buyer)

    mediator_acts(dispute, mediator)

    assert flagged_since(dispute) is None


def test_a_party_writing_right_after_a_mediator_acted_flags_it_again(buyer, mediator):
    dispute = refused_dispute(buyer)
    now = timezone.now()
    write(dispute, buyer, now=now)
    write(dispute, mediator, now=now)

    write(dispute, buyer, now=now)

    assert flagged_since(dispute) == now


def test_assigning_is_not_reading(buyer, mediator):
    dispute = refused_dispute(buyer)
    write(dispute, buyer)

    actions.assign_dispute(dispute=dispute, mediator=mediator, assignee=mediator)

    assert flagged_since(dispute) is not None


def test_marking_read_is_a_mediators_event_and_needs_something_new(buyer, mediator):
    dispute = refused_dispute(buyer)
    write(dispute, buyer)

    actions.mark_new_information_read(dispute=dispute, mediator=mediator)

    assert dispute.events.get(kind=EventKind.NEW_INFORMATION_READ).actor == mediator
    with pytest.raises(DisputeActionError) as refused:
        actions.mark_new_information_read(dispute=dispute, mediator=mediator)
    assert refused.value.code == DisputeErrorCode.NOTHING_NEW


def test_the_queue_filters_the_disputes_with_new_information(client, buyer, mediator):
    news = refused_dispute(buyer)
    write(news, buyer)
    quiet = refused_dispute(make_user("bob"))
    client.force_login(mediator)

    def listed(value):
        response = client.get(QUEUE, {"new_information": value})
        return [dispute.pk for dispute in response.context["cl"].result_list]

    assert listed("yes") == [news.pk]
    assert listed("no") == [quiet.pk]


def test_the_disputes_page_marks_it_read_by_a_post(client, buyer, mediator):
    dispute = refused_dispute(buyer)
    write(dispute, buyer)
    client.force_login(mediator)
    page = reverse("admin:disputes_dispute_change", args=[dispute.pk])
    url = reverse("admin:disputes_dispute_new_information_read", args=[dispute.pk])
    assert url in client.get(page).content.decode()

    assert client.get(url).status_code == 405
    assert flagged_since(dispute) is not None
    response = client.post(url)

    assert response.status_code == 302
    assert flagged_since(dispute) is None
    assert url not in client.get(page).content.decode()


def test_staff_who_are_no_mediators_cannot_mark_it_read(client, buyer):
    dispute = refused_dispute(buyer)
    write(dispute, buyer)
    client.force_login(make_user("api-manager", is_staff=True))

    url = reverse("admin:disputes_dispute_new_information_read", args=[dispute.pk])

    assert client.post(url).status_code == 403
    assert flagged_since(dispute) is not None
