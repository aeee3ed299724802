"""An ended dispute's next-step card says what either party can still do, and until when,
never just "Nobody" while the buyer can still act (PRODUCT.md §4c)."""

import pytest

from disputes import actions
from disputes.models import Outcome
from tests.disputes.builders import (
    agreed_dispute,
    appealed_dispute,
    cancelled_dispute,
    decided_dispute,
    make_mediator,
    refused_dispute,
)
from tests.disputes.test_party_pages import buyer_page, seller_page
from tests.disputes.test_reasons import window_closed

pytestmark = pytest.mark.django_db


def ended(code):
    return f"next-step__ended--{code}"


def decided_against_the_buyer_of_a_seller_with_an_account(buyer):
    return actions.decide_dispute(
        reason="evidence_shows_defect",
        dispute=refused_dispute(buyer),
        mediator=make_mediator(),
        outcome=Outcome.REJECTED,
        note="The photos do not show the fault described.",
    )


def test_a_decision_against_the_buyer_leaves_them_customer_service(log_in, buyer):
    page = buyer_page(log_in, decided_dispute(buyer))
    assert ended("appeal") in page
    assert "Nobody" not in page


def test_an_appeal_sent_waits_for_customer_service(log_in, buyer):
    page = buyer_page(log_in, appealed_dispute(buyer))
    assert ended("appealed") in page
    assert ended("appeal") + '"' not in page


def test_an_answered_appeal_leaves_nothing_more_to_do(log_in, buyer):
    dispute = appealed_dispute(buyer)
    actions.answer_appeal(
        reason="item_as_described",
        appeal=dispute.appeal,
        mediator=make_mediator(),
        answer="We checked.",
    )
    assert ended("final") in buyer_page(log_in, dispute)


def test_the_seller_is_told_the_buyer_may_still_appeal(log_in, buyer):
    dispute = decided_against_the_buyer_of_a_seller_with_an_account(buyer)
    assert ended("buyer-may-appeal") in seller_page(log_in, dispute)


@pytest.mark.parametrize(
    "make",
    [
        agreed_dispute,
        lambda buyer: decided_dispute(buyer, outcome=Outcome.FULL_REFUND),
    ],
    ids=["agreed", "refunded-in-full"],
)
def test_an_agreement_or_a_full_refund_leaves_nothing_more_to_do(log_in, buyer, make):
    dispute = make(buyer)
    assert ended("final") in buyer_page(log_in, dispute)


def test_a_cancelled_dispute_can_be_reopened_until_the_window_closes(log_in, buyer):
    dispute = cancelled_dispute(buyer)
    page = buyer_page(log_in, dispute)
    assert ended("reopen") in page
    assert "you can reopen it until" in page


def test_a_cancelled_dispute_past_the_window_has_nothing_left(log_in, buyer):
    dispute = cancelled_dispute(buyer)
    window_closed(dispute.order)
    page = buyer_page(log_in, dispute)
    assert ended("cancelled") in page
    assert ended("reopen") not in page


def test_what_is_left_is_said_in_french(log_in, buyer):
    client = log_in(buyer)
    dispute = decided_dispute(buyer)
    page = client.get(dispute.get_absolute_url(), headers={"accept-language": "fr"})
    assert (
        "Vous\u00a0: vous pouvez encore faire appel de la décision auprès du service client"
        in page.content.decode()
    )
