"""The marketplace's reports of one refund arriving at the same moment, on real concurrent
connections: one executed report is recorded, and every caller is answered with it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from disputes import refunds
from disputes.models import EventKind, RefundInstruction
from tests.concurrency import POSTGRES_ONLY, run_at_once
from tests.disputes.builders import agreed_dispute

pytestmark = POSTGRES_ONLY


@pytest.mark.django_db(transaction=True)
def test_simultaneous_executed_reports_record_one(buyer):
    refund = RefundInstruction.objects.get(dispute=agreed_dispute(buyer))
    sent = timezone.now() - timedelta(hours=1)
    outcomes = run_at_once(
        lambda: refunds.report_executed(
            refund_id=refund.public_id, reference="TX-1", executed_at=sent
        ),
        times=4,
    )
    assert [outcome.status for outcome in outcomes] == ["executed"] * 4
    assert refund.dispute.events.filter(kind=EventKind.REFUND_EXECUTED).count() == 1


@pytest.mark.django_db(transaction=True)
def test_simultaneous_contradicting_reports_record_the_first_and_refuse_the_other(buyer):
    refund = RefundInstruction.objects.get(dispute=agreed_dispute(buyer))
    references = iter(["TX-1", "TX-2"])
    outcomes = run_at_once(
        lambda: refunds.report_executed(
            refund_id=refund.public_id, reference=next(references), executed_at=timezone.now()
        ),
        expected=refunds.DisputeActionError,
    )
    refused = [outcome for outcome in outcomes if isinstance(outcome, refunds.DisputeActionError)]
    assert len(refused) == 1
    assert refused[0].code == "refund_executed_with_another_reference"
