"""Accounts carry the marketplace's id (PRODUCT.md §8, §11): when a record gives one, the
account is found by it, so a renamed username stays the same account."""

import json
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import IntegrityError

from orders.importing import EXAMPLE_ORDER
from orders.models import Order, Seller

pytestmark = pytest.mark.django_db

ALICE = {"id": "u-1", "username": "alice", "email": "alice@example.com"}
SZGADGET = {
    "id": "s-9",
    "name": "Shenzhen Gadget Store",
    "username": "szgadget",
    "email": "disputes@szgadget.example",
}


def record(**overrides):
    return EXAMPLE_ORDER | {"buyer": ALICE, "seller": "Shenzhen Gadget Store"} | overrides


def run_import(tmp_path, records):
    path = tmp_path / "orders.json"
    path.write_text(json.dumps(records))
    out = StringIO()
    call_command("import_orders", str(path), stdout=out)
    return out.getvalue()


def users():
    return list(get_user_model().objects.values_list("username", "marketplace_id"))


def test_an_account_keeps_the_marketplace_id_it_was_created_with(tmp_path):
    run_import(tmp_path, [record()])
    assert users() == [("alice", "u-1")]


def test_a_renamed_username_updates_the_same_account(tmp_path):
    run_import(tmp_path, [record()])
    buyer = Order.objects.get().buyer

    output = run_import(tmp_path, [record(buyer=ALICE | {"username": "alicia"})])

    assert users() == [("alicia", "u-1")]
    assert Order.objects.get().buyer == buyer
    assert "buyers with a new username: alicia" in output
    assert "new buyers: 0" in output


def test_a_renamed_seller_account_stays_the_sellers(tmp_path):
    run_import(tmp_path, [record(seller=SZGADGET)])

    output = run_import(tmp_path, [record(seller=SZGADGET | {"username": "szshop"})])

    assert Seller.objects.get().user.username == "szshop"
    assert "seller accounts with a new username: szshop" in output


def test_an_account_known_by_username_takes_the_id_it_is_later_given(tmp_path):
    run_import(tmp_path, [record(buyer={"username": "alice", "email": "alice@example.com"})])
    run_import(tmp_path, [record()])
    assert users() == [("alice", "u-1")]


def test_without_an_id_accounts_are_found_by_username(tmp_path):
    run_import(tmp_path, [record()])
    run_import(tmp_path, [record(number="2", buyer={"username": "alice"})])
    assert users() == [("alice", "u-1")]
    assert Order.objects.filter(buyer__username="alice").count() == 2


def test_a_username_another_id_holds_is_refused_and_nothing_is_written(tmp_path):
    run_import(tmp_path, [record()])
    bob = {"id": "u-2", "username": "alice", "email": "bob@example.com"}
    with pytest.raises(
        CommandError,
        match=r"record 1, field 'buyer\.username': 'alice' is already another account's username",
    ):
        run_import(tmp_path, [record(number="2"), record(number="3", buyer=bob)])
    assert users() == [("alice", "u-1")]
    assert Order.objects.count() == 1


def test_renaming_to_a_username_another_account_holds_is_refused(tmp_path):
    run_import(tmp_path, [record(), record(number="2", buyer={"username": "bob"})])
    with pytest.raises(
        CommandError, match=r"record 0, field 'buyer\.username': 'bob' is already another"
    ):
        run_import(tmp_path, [record(buyer=ALICE | {"username": "bob"})])
    assert sorted(users()) == [("alice", "u-1"), ("bob", "")]


@pytest.mark.parametrize(
    ("second", "problem"),
    [
        (ALICE | {"username": "alicia"}, r"field 'buyer\.username': differs from an earlier"),
        (ALICE | {"id": "u-2"}, r"field 'buyer\.id': differs from an earlier record: 'u-1'"),
    ],
    ids=["one id, two usernames", "one username, two ids"],
)
def test_one_person_described_two_ways_in_a_file_is_refused(tmp_path, second, problem):
    with pytest.raises(CommandError, match=r"record 1, " + problem):
        run_import(tmp_path, [record(), record(number="2", buyer=second)])
    assert users() == []


def test_an_id_that_is_not_a_string_is_refused(tmp_path):
    with pytest.raises(CommandError, match=r"record 0, field 'buyer\.id': must be a string"):
        run_import(tmp_path, [record(buyer=ALICE | {"id": 42})])


def test_the_database_keeps_each_marketplace_id_to_one_account():
    user_model = get_user_model()
    user_model.objects.create_user("alice", marketplace_id="u-1")
    user_model.objects.create_user("bob")
    user_model.objects.create_user("carol")  # many accounts without an id
    with pytest.raises(IntegrityError):
        user_model.objects.create_user("mallory", marketplace_id="u-1")
