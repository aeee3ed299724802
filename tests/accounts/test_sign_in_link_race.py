"""Two browsers open one sign-in link at the same moment: one is signed in."""

import pytest

from accounts.sign_in_links import LinkKind, LinkProblem, create_link, redeem
from tests.concurrency import POSTGRES_ONLY, run_at_once

pytestmark = POSTGRES_ONLY


@pytest.mark.django_db(transaction=True)
def test_of_simultaneous_redemptions_one_wins(buyer):
    token, _link = create_link(user=buyer, kind=LinkKind.HANDOFF, next_path="/account/")
    outcomes = run_at_once(lambda: redeem(token, kind=LinkKind.HANDOFF), times=4)
    assert [outcome.user for outcome in outcomes].count(buyer) == 1
    assert sorted(map(str, (outcome.problem for outcome in outcomes))) == [
        "None",
        *[LinkProblem.USED] * 3,
    ]
