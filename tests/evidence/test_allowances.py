"""What one account can store: a draft key is for one form of one order, only while that
form can be sent, and every uploader has a daily allowance of files and bytes."""

from datetime import timedelta

import pytest
from django.utils import timezone

from disputes import actions
from disputes.evidence import drafts
from disputes.evidence.drafts import APPEAL, MESSAGE, REFUSAL, WIZARD, DraftForm
from disputes.models import Evidence
from tests.conftest import DRAFT_KEY, corpus_upload, store_evidence
from tests.disputes.builders import (
    answerable_dispute,
    cancelled_dispute,
    decided_dispute,
    disputable_order,
    seller_of,
)
from tests.evidence.test_evidence_views import post_upload
from tests.factories import FIXED_NOW, make_order

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("evidence_root")]

PHOTO = "good/png_photo_hopper.png"  # 30,605 bytes


def test_one_draft_key_stores_files_for_its_own_order_only(buyer_client, buyer):
    ordered = [disputable_order(buyer) for _ in range(4)]

    statuses = [
        post_upload(
            buyer_client,
            order,
            corpus_upload(PHOTO),
            form=DraftForm.of(WIZARD, ordered[0]),
            htmx=True,
        ).status_code
        for order in ordered
    ]

    assert statuses == [200, 404, 404, 404]
    assert [evidence.order for evidence in Evidence.objects.all()] == [ordered[0]]


@pytest.mark.parametrize(
    "fields",
    [
        {},  # not shipped
        {
            "shipped_at": FIXED_NOW - timedelta(days=40),
            "received_at": FIXED_NOW - timedelta(days=30),
        },
    ],
    ids=["not shipped", "window closed"],
)
def test_a_wizard_draft_of_an_order_that_cannot_be_disputed_keeps_no_file(
    buyer_client, buyer, fields
):
    order = make_order(buyer, **fields)

    response = post_upload(buyer_client, order, corpus_upload(PHOTO, "cable.png"), htmx=True)

    assert response.status_code == 200
    assert not Evidence.objects.exists()
    assert "cable.png was not added: this form no longer takes files" in response.content.decode()


def test_a_message_draft_of_a_closed_dispute_keeps_no_file(buyer_client, buyer):
    dispute = decided_dispute(buyer)

    post_upload(
        buyer_client,
        dispute.order,
        corpus_upload(PHOTO),
        form=DraftForm.of(MESSAGE, dispute.order, dispute),
    )

    assert not Evidence.objects.exists()


def test_each_form_takes_evidence_by_its_own_rule(buyer):
    now = timezone.now()
    waiting = answerable_dispute(buyer)
    seller = seller_of(waiting)
    decided = decided_dispute(buyer)
    cancelled = cancelled_dispute(buyer)

    def takes(form, dispute, user=buyer, order=None):
        draft_form = DraftForm.of(form, order or dispute.order, dispute)
        return drafts.takes_evidence(draft_form, user, now=now)

    assert takes(WIZARD, None, order=disputable_order(buyer))
    assert not takes(WIZARD, None, order=make_order(buyer))
    assert takes(WIZARD, cancelled)  # the wizard that reopens it
    assert not takes(WIZARD, None, order=cancelled.order)  # opening anew: reopen instead
    assert takes(MESSAGE, waiting) and not takes(MESSAGE, decided)
    assert takes(REFUSAL, waiting, user=seller) and not takes(REFUSAL, waiting, user=buyer)
    assert takes(APPEAL, decided) and not takes(APPEAL, waiting)
    actions.send_appeal(dispute=decided, appellant=buyer, message="The seller never answered.")
    assert not takes(APPEAL, decided)  # once per decision
    actions.refuse_request(
        dispute=waiting, seller=seller, statement="The cable was tested before it was shipped."
    )
    assert not takes(REFUSAL, waiting, user=seller)


def test_a_key_issued_for_one_form_is_not_another_forms(client):
    session = client.session
    wizard = DraftForm(WIZARD, order=1)
    key = drafts.form_draft_key(session, "message_draft_5", wizard)

    assert drafts.issued_form(session, key) == wizard
    assert drafts.form_draft_key(session, "message_draft_5", wizard) == key
    assert drafts.form_draft_key(session, "message_draft_5", DraftForm(MESSAGE, 1, 5)) != key
    assert drafts.issued_form(session, "never-issued") is None


# The daily allowance


def store(buyer, *, now, name="cable.png", order=None):
    order = order or make_order(buyer)
    return store_evidence([corpus_upload(PHOTO, name)], buyer, order, draft_key=DRAFT_KEY, now=now)


def test_files_past_the_daily_allowance_are_refused_naming_the_limit_and_when_it_resets(
    buyer, settings
):
    settings.EVIDENCE_DAILY_MAX_FILES = 2
    morning = FIXED_NOW.replace(hour=8)
    store(buyer, now=morning)
    store(buyer, now=morning)  # another order: the allowance is the account's

    refused = store(buyer, now=morning.replace(hour=23), name="third.png")

    assert refused.stored == []
    [refusal] = refused.refusals
    assert refusal.code == "daily_files"
    # Midnight UTC, shown in the buyer's zone (UTC here: the test's active time zone).
    assert refusal.message == (
        "third.png was not added: you can upload at most 2 files a day. "
        "You can upload more from 21 Mar 2026, 00:00 UTC."
    )
    assert len(store(buyer, now=morning + timedelta(days=1)).stored) == 1


def test_bytes_past_the_daily_allowance_are_refused_with_what_is_left(buyer, settings):
    settings.EVIDENCE_DAILY_MAX_BYTES = 200_000
    for _ in range(6):  # 183,630 bytes
        assert len(store(buyer, now=FIXED_NOW).stored) == 1

    [refusal] = store(buyer, now=FIXED_NOW, name="seventh.png").refusals

    assert refusal.code == "daily_bytes"
    assert refusal.message == (
        "seventh.png was not added: you can upload at most 0.2 MB a day, and 0 MB are "
        "left today. You can upload more from 21 Mar 2026, 00:00 UTC."
    )


def test_the_daily_allowance_is_said_through_the_upload_endpoint(buyer_client, buyer, settings):
    settings.EVIDENCE_DAILY_MAX_FILES = 1
    order = disputable_order(buyer)

    response = post_upload(
        buyer_client,
        order,
        corpus_upload(PHOTO, "first.png"),
        corpus_upload(PHOTO, "second.png"),
        htmx=True,
    )

    assert [evidence.original_name for evidence in Evidence.objects.all()] == ["first.png"]
    assert "second.png was not added: you can upload at most 1 files a day" in (
        response.content.decode()
    )
