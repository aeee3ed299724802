"""``{{ dispute|display:"reason" }}`` says what ``get_reason_display`` says, in the reader's
language, for one translation instead of one per choice."""

import pytest
from django.utils import translation

from disputes.models import Dispute, DisputeReason, Stage
from orders.templatetags.choices import display


@pytest.mark.parametrize("language", ["en", "fr"])
def test_display_says_what_get_display_says(language):
    dispute = Dispute(reason=DisputeReason.DEFECTIVE, stage=Stage.WAITING_FOR_SELLER)
    with translation.override(language):
        assert display(dispute, "reason") == dispute.get_reason_display()
        assert display(dispute, "stage") == dispute.get_stage_display()


def test_display_of_a_value_that_is_not_a_choice_is_the_value():
    assert display(Dispute(reason="gone"), "reason") == "gone"
