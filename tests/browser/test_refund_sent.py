"""The money loop in a real browser: the buyer's refund is being processed, the marketplace
reports it executed through the API, and the buyer's page then says it was sent."""

import json
import urllib.request

import pytest
from playwright.sync_api import expect

from api.models import ApiClient
from disputes.models import RefundInstruction
from tests.disputes.builders import agreed_dispute
from tests.factories import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def report_executed(base_url, token, refund):
    request = urllib.request.Request(
        f"{base_url}/api/v1/refunds/{refund.public_id}/executed/",
        data=json.dumps({"reference": "TX-1", "executed_at": "2025-12-09T10:15:00Z"}).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status


def test_the_buyer_sees_the_refund_sent_once_the_marketplace_reports_it(open_visit, live_server):
    dispute = agreed_dispute(make_user("alice"))
    refund = RefundInstruction.objects.get(dispute=dispute)
    _client, token = ApiClient.create("Marketplace")
    buyer = open_visit("buyer")
    buyer.log_in("alice")
    buyer.goto(f"/disputes/{dispute.pk}/")
    refunds = buyer.page.locator(".refunds")
    expect(refunds).to_contain_text("Refund of €12.99 instructed on")
    expect(refunds).to_contain_text("being processed")
    buyer.step("refund-instructed")

    assert report_executed(live_server.url, token, refund) == 200

    buyer.page.reload()
    expect(refunds).to_contain_text("Refund of €12.99 sent on 9 Dec 2025")
    buyer.step("refund-sent")
