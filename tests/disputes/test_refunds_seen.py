"""The refund, seen: on both parties' pages as the marketplace reported it, and in the
mediators' queue when it is late, failed or to settle; a failed one instructed again."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from disputes import refunds
from disputes.models import Dispute, Outcome, RefundInstruction, RefundStatus
from tests.disputes.builders import agreed_dispute, decided_dispute, seller_of
from tests.factories import make_mediator, make_user

pytestmark = pytest.mark.django_db

QUEUE = "admin:disputes_dispute_changelist"


def refund_of(dispute):
    return RefundInstruction.objects.get(dispute=dispute, status__in=["instructed", "failed"])


def page_of(log_in, user, name, dispute):
    return log_in(user).get(reverse(name, args=[dispute.pk])).content.decode()


@pytest.mark.parametrize(
    ("reader", "page"),
    [("buyer", "disputes:detail"), ("seller", "disputes:seller_detail")],
)
def test_both_parties_see_the_refund_instructed_then_sent(log_in, buyer, reader, page):
    dispute = agreed_dispute(buyer)
    user = buyer if reader == "buyer" else seller_of(dispute)
    RefundInstruction.objects.filter(dispute=dispute).update(
        instructed_at=datetime(2026, 12, 6, 9, 0, tzinfo=UTC)
    )
    assert "Refund of €12.99 instructed on 6 Dec, being processed" in page_of(
        log_in, user, page, dispute
    )
    # 23:30 UTC on 8 December is already 9 December in Paris, the reader's zone.
    refunds.report_executed(
        refund_id=refund_of(dispute).public_id,
        reference="TX-1",
        executed_at=datetime(2026, 12, 8, 23, 30, tzinfo=UTC),
        now=datetime(2026, 12, 9, tzinfo=UTC),
    )
    assert "Refund of €12.99 sent on 9 Dec 2026" in page_of(log_in, user, page, dispute)


def test_a_refund_is_on_nobody_elses_page(log_in, buyer):
    dispute = agreed_dispute(buyer)
    response = log_in(make_user("mallory")).get(reverse("disputes:detail", args=[dispute.pk]))
    assert response.status_code == 404


def test_a_decision_that_refunds_nothing_shows_no_refund(log_in, buyer):
    dispute = decided_dispute(buyer)
    assert "Refund of" not in page_of(log_in, buyer, "disputes:detail", dispute)


# The mediators' queue.


@pytest.fixture
def mediator_client(client):
    client.force_login(make_mediator())
    return client


def queue(client, refund):
    page = client.get(reverse(QUEUE), {"refund": refund, "status": "all"})
    assert page.status_code == 200
    return {dispute.pk for dispute in page.context["cl"].result_list}


def test_a_refund_not_executed_after_three_days_is_in_the_queue(mediator_client, buyer):
    late, on_time = agreed_dispute(buyer), agreed_dispute(buyer)
    RefundInstruction.objects.filter(dispute=late).update(
        instructed_at=timezone.now() - timedelta(days=3, minutes=1)
    )
    RefundInstruction.objects.filter(dispute=on_time).update(
        instructed_at=timezone.now() - timedelta(days=2, hours=23)
    )
    assert queue(mediator_client, "late") == {late.pk}


def test_a_failed_refund_is_in_the_queue_until_it_is_instructed_again(mediator_client, buyer):
    dispute = agreed_dispute(buyer)
    agreed_dispute(buyer)
    refunds.report_failed(refund_id=refund_of(dispute).public_id, reason="Card expired")
    assert queue(mediator_client, "failed") == {dispute.pk}

    url = reverse(
        "admin:disputes_dispute_instruct_refund_again", args=[dispute.pk, refund_of(dispute).pk]
    )
    assert "Card expired" in mediator_client.get(url).content.decode()
    assert RefundInstruction.objects.filter(dispute=dispute).count() == 1  # a GET changes nothing
    response = mediator_client.post(url)
    assert response.status_code == 302
    statuses = RefundInstruction.objects.filter(dispute=dispute).values_list("status", flat=True)
    assert sorted(statuses) == [RefundStatus.INSTRUCTED, RefundStatus.SUPERSEDED]
    assert queue(mediator_client, "failed") == set()


def test_instructing_again_a_refund_not_of_that_dispute_answers_404(mediator_client, buyer):
    refund = refund_of(agreed_dispute(buyer))
    other = agreed_dispute(buyer)
    for dispute_pk, refund_pk in ((other.pk, refund.pk), (10**30, refund.pk), (0, 10**30)):
        url = reverse("admin:disputes_dispute_instruct_refund_again", args=[dispute_pk, refund_pk])
        assert mediator_client.get(url).status_code == 404


def test_a_refund_above_what_the_outcome_now_grants_is_to_settle(mediator_client, buyer):
    dispute = decided_dispute(buyer, Outcome.PARTIAL_REFUND, Decimal("6.00"))
    Dispute.objects.filter(pk=dispute.pk).update(refund_amount=Decimal("4.00"))
    assert queue(mediator_client, "to_settle") == {dispute.pk}


def test_the_refund_filter_shows_every_status(mediator_client, buyer):
    agreed_dispute(buyer)
    page = mediator_client.get(reverse(QUEUE)).content.decode()
    assert "?refund=failed&amp;status=all" in page or "?status=all&amp;refund=failed" in page


def test_staff_who_are_not_mediators_cannot_instruct_again(client, buyer):
    dispute = agreed_dispute(buyer)
    refund = refund_of(dispute)
    refunds.report_failed(refund_id=refund.public_id, reason="Card expired")
    staff = make_user("api-manager", is_staff=True)
    staff.user_permissions.add(*Permission.objects.filter(content_type__app_label="api"))
    client.force_login(staff)
    url = reverse("admin:disputes_dispute_instruct_refund_again", args=[dispute.pk, refund.pk])
    assert client.post(url).status_code == 403
    assert refund_of(dispute).status == RefundStatus.FAILED


def to_settle(buyer):
    """A 6.00 refund instructed, then the decision lowered to 4.00 (as by an appeal)."""
    dispute = decided_dispute(buyer, Outcome.PARTIAL_REFUND, Decimal("6.00"))
    Dispute.objects.filter(pk=dispute.pk).update(refund_amount=Decimal("4.00"))
    return dispute


def test_a_mediator_confirms_the_excess_settled_and_the_queue_no_longer_shows_it(
    mediator_client, buyer
):
    dispute = to_settle(buyer)
    url = reverse("admin:disputes_dispute_settle_refund", args=[dispute.pk])
    page = mediator_client.get(reverse("admin:disputes_dispute_change", args=[dispute.pk]))
    assert url in page.content.decode()
    assert "2.00 EUR was instructed above" in mediator_client.get(url).content.decode()

    assert mediator_client.post(url).status_code == 302

    assert queue(mediator_client, "to_settle") == set()
    assert (
        url
        not in mediator_client.get(
            reverse("admin:disputes_dispute_change", args=[dispute.pk])
        ).content.decode()
    )


def test_staff_who_are_not_mediators_cannot_settle(client, buyer):
    dispute = to_settle(buyer)
    client.force_login(make_user("api-manager", is_staff=True))
    assert (
        client.post(reverse("admin:disputes_dispute_settle_refund", args=[dispute.pk])).status_code
        == 403
    )
    assert Dispute.objects.refunds_to_settle().get() == dispute
