"""How sign-in finds the account of someone the marketplace names (accounts.provisioning):
the importer's rule, for one person."""

import pytest

from accounts.provisioning import find_account
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_an_account_is_found_by_the_marketplaces_id_whatever_its_username_now():
    alice = make_user("alice", marketplace_id="mkt-1")
    assert find_account(marketplace_id="mkt-1", username="alice-renamed") == alice


def test_without_an_id_match_a_username_with_no_id_is_that_person():
    bob = make_user("bob")
    assert find_account(marketplace_id="mkt-2", username="bob") == bob


def test_a_username_that_carries_another_id_is_another_person():
    make_user("carol", marketplace_id="mkt-3")
    assert find_account(marketplace_id="mkt-4", username="carol") is None


def test_by_username_alone_any_account_of_that_name():
    dave = make_user("dave", marketplace_id="mkt-5")
    assert find_account(username="dave") == dave
    assert find_account(username="nobody") is None
    assert find_account() is None
