"""Two confirmations of one order's receipt at the same moment (two tabs) record one."""

from datetime import timedelta

import pytest
from django.utils import timezone

from orders.models import OrderEvent
from orders.receipts import ReceiptError, ReceiptErrorCode, confirm_receipt
from tests.concurrency import POSTGRES_ONLY, run_at_once
from tests.factories import make_order

pytestmark = POSTGRES_ONLY


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_confirmations_record_one_receipt(buyer):
    order = make_order(buyer, shipped_at=timezone.now() - timedelta(days=3))
    outcomes = run_at_once(lambda: confirm_receipt(order=order, buyer=buyer), expected=ReceiptError)
    assert OrderEvent.objects.filter(order=order).count() == 1
    errors = [outcome for outcome in outcomes if isinstance(outcome, ReceiptError)]
    assert [error.code for error in errors] == [ReceiptErrorCode.ALREADY_RECEIVED]
    order.refresh_from_db()
    assert order.received_at == order.receipt_confirmed_at
