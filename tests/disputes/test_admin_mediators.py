"""Mediators are the staff in the "Mediators" group: other staff (say, an account made to
manage API clients) can neither open the queue and its actions, decide, nor fetch evidence."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from accounts.roles import MEDIATORS_GROUP, is_mediator, mediators_group
from disputes import actions
from disputes.errors import DisputeActionError, DisputeErrorCode
from disputes.models import Outcome
from tests.conftest import corpus_upload, store_evidence
from tests.disputes.builders import appealed_dispute, make_mediator, open_dispute
from tests.factories import make_user

pytestmark = pytest.mark.django_db

DISPUTE_ACTIONS = ["request_information", "note", "message", "decide", "assign"]


def staff_without_the_group():
    """Staff allowed to manage API clients, as such an account is made, and nothing more."""
    user = make_user("api-manager", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="api"))
    return user


def stored_original_url(buyer, dispute):
    upload = corpus_upload("good/png_photo_hopper.png", "crack.png")
    [evidence] = store_evidence([upload], buyer, dispute.order, dispute=dispute).stored
    return reverse("disputes:evidence_file", args=[evidence.pk, "original"])


def test_the_mediators_group_holds_the_mediator_permission():
    group = mediators_group()

    assert group.name == MEDIATORS_GROUP
    assert group.permissions.filter(codename="mediate", content_type__app_label="accounts")
    assert is_mediator(make_mediator())
    assert not is_mediator(make_user("api-manager", is_staff=True))


def test_an_inactive_mediator_is_no_mediator():
    mediator = make_mediator()
    mediator.is_active = False

    assert not is_mediator(mediator)


@pytest.mark.parametrize("action", DISPUTE_ACTIONS)
def test_staff_without_the_group_cannot_open_a_disputes_actions(client, buyer, action):
    dispute = open_dispute(buyer)
    client.force_login(staff_without_the_group())

    url = reverse(f"admin:disputes_dispute_{action}", args=[dispute.pk])

    assert client.get(url).status_code == 403
    assert client.post(url, {"body": "Hello", "outcome": Outcome.FULL_REFUND}).status_code == 403


def test_staff_without_the_group_see_neither_the_queue_nor_a_dispute_nor_appeals(client, buyer):
    dispute = appealed_dispute(buyer)
    client.force_login(staff_without_the_group())

    for url in (
        reverse("admin:disputes_dispute_changelist"),
        reverse("admin:disputes_dispute_change", args=[dispute.pk]),
        reverse("admin:disputes_appeal_changelist"),
        reverse("admin:disputes_appeal_answer", args=[dispute.appeal.pk]),
    ):
        assert client.get(url).status_code == 403, url


def test_staff_without_the_group_cannot_decide(buyer):
    dispute = open_dispute(buyer)

    with pytest.raises(DisputeActionError) as refused:
        actions.decide_dispute(
            reason="evidence_shows_defect",
            dispute=dispute,
            mediator=staff_without_the_group(),
            outcome=Outcome.REJECTED,
            refund_amount=None,
            note="Not mine to decide.",
        )

    assert refused.value.code == DisputeErrorCode.NOT_MEDIATOR


def test_staff_without_the_group_cannot_fetch_an_original(client, buyer):
    url = stored_original_url(buyer, open_dispute(buyer))
    client.force_login(staff_without_the_group())

    assert client.get(url).status_code == 404


def test_a_mediator_opens_the_queue_decides_and_fetches_an_original(client, buyer):
    dispute = open_dispute(buyer)
    url = stored_original_url(buyer, dispute)
    client.force_login(make_mediator())

    assert client.get(reverse("admin:disputes_dispute_changelist")).status_code == 200
    assert client.get(url).status_code == 200
    decide = reverse("admin:disputes_dispute_decide", args=[dispute.pk])
    assert client.get(decide).status_code == 200
    response = client.post(
        decide,
        {"reason": "item_as_described", "outcome": Outcome.REJECTED, "note": "As described."},
    )

    assert response.status_code == 302
    dispute.refresh_from_db()
    assert dispute.outcome == Outcome.REJECTED
