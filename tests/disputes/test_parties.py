"""Which party a person is on an order, from the accounts' ids alone (``party_among``)."""

import pytest

from disputes.parties import Party, party_among

BUYER, SELLER, SOMEONE = 1, 2, 3


@pytest.mark.parametrize(
    ("user", "seller_user_id", "party"),
    [
        (BUYER, SELLER, Party.BUYER),
        (SELLER, SELLER, Party.SELLER),
        (SOMEONE, SELLER, None),
        (None, SELLER, None),  # nobody acted: a deadline passed
        (SELLER, None, None),  # a seller known by name only has no account
        (BUYER, BUYER, Party.BUYER),  # a seller buying from themselves is the buyer
    ],
)
def test_the_party_of_an_account(user, seller_user_id, party):
    assert party_among(user, buyer_id=BUYER, seller_user_id=seller_user_id) == party
