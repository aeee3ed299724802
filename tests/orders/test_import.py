import json
from datetime import UTC, datetime
from decimal import Decimal
from io import BytesIO, StringIO, TextIOWrapper

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from orders.importing import EXAMPLE_ORDER, import_orders
from orders.models import Order, Seller
from orders.receipts import confirm_receipt

pytestmark = pytest.mark.django_db


def record(**overrides):
    return EXAMPLE_ORDER | {"seller": "Shenzhen Gadget Store"} | overrides


def run_import(tmp_path, records, *args):
    path = tmp_path / "orders.json"
    path.write_text(json.dumps(records))
    out = StringIO()
    call_command("import_orders", str(path), *args, stdout=out)
    return out.getvalue()


def test_import_creates_orders_buyers_and_sellers(tmp_path):
    output = run_import(tmp_path, [record(), record(number="8030112233445567", seller="Lyon")])
    assert "created 2 order(s)" in output
    order = Order.objects.get(number="8030112233445566")
    assert order.price == Decimal("12.99")
    assert order.buyer.username == "alice"
    assert not order.buyer.has_usable_password()
    assert order.received_at is None
    assert Seller.objects.count() == 2


def test_each_new_account_has_an_unusable_password_of_its_own(tmp_path):
    buyers = [record(number=f"{n}", buyer={"username": f"b{n}", "email": ""}) for n in range(3)]
    run_import(tmp_path, buyers)
    accounts = get_user_model().objects.all()
    assert not any(account.has_usable_password() for account in accounts)
    assert len({account.password for account in accounts}) == 3


def test_reimport_changes_nothing(tmp_path):
    run_import(tmp_path, [record()])
    output = run_import(tmp_path, [record()])
    assert "created 0 order(s), updated 0, left 1 unchanged" in output


def test_reimport_updates_changed_orders(tmp_path):
    run_import(tmp_path, [record()])
    output = run_import(tmp_path, [record(received_at="2026-10-09T08:00:00Z")])
    assert "updated 1" in output
    assert Order.objects.get().received_at is not None


def test_one_bad_record_writes_nothing_and_names_record_and_field(tmp_path):
    records = [record(), record(number="8030112233445567", price="-3")]
    with pytest.raises(CommandError) as error:
        run_import(tmp_path, records)
    assert "record 1, field 'price': must be more than 0" in str(error.value)
    assert Order.objects.count() == 0
    assert get_user_model().objects.count() == 0


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"currency": "EURO"}, "currency", "is not an ISO 4217 currency code"),
        ({"price": 12.999}, "price", "has more decimal places than EUR has (2)"),
        ({"placed_at": "yesterday"}, "placed_at", "is not an ISO 8601"),
        ({"placed_at": "2026-10-01T09:30:00"}, "placed_at", "must include a time zone"),
        ({"shipped_at": "2026-09-01T00:00:00Z"}, "shipped_at", "is before placed_at"),
        (
            {"shipped_at": None, "received_at": "2026-10-05T00:00:00Z"},
            "received_at",
            "shipped_at is null",
        ),
        ({"received_at": "2026-10-02T00:00:00Z"}, "received_at", "is before shipped_at"),
        ({"buyer": {"username": "", "email": "a@example.com"}}, "buyer.username", "is required"),
        (
            {"buyer": {"username": "al ice", "email": "a@example.com"}},
            "buyer.username",
            "valid username",
        ),
        ({"buyer": {"username": "alice", "email": "not-an-email"}}, "buyer.email", "valid email"),
        ({"item": ""}, "item", "is required"),
    ],
)
def test_each_bad_field_is_reported(tmp_path, overrides, field, message):
    with pytest.raises(CommandError) as error:
        run_import(tmp_path, [record(**overrides)])
    assert f"record 0, field '{field}'" in str(error.value)
    assert message in str(error.value)
    assert Order.objects.count() == 0


def test_repeated_number_in_one_file_is_refused(tmp_path):
    with pytest.raises(CommandError, match="record 1, field 'number': repeats record 0"):
        run_import(tmp_path, [record(), record()])


def test_an_order_cannot_move_to_another_buyer(tmp_path):
    run_import(tmp_path, [record()])
    with pytest.raises(CommandError, match="belongs to another buyer"):
        run_import(tmp_path, [record(buyer={"username": "mallory", "email": "m@example.com"})])


def test_dry_run_writes_nothing(tmp_path):
    output = run_import(tmp_path, [record()], "--dry-run")
    assert "Dry run, nothing written: would have created 1" in output
    assert Order.objects.count() == 0


def test_reads_standard_input(monkeypatch):
    piped = json.dumps([record()]).encode()
    monkeypatch.setattr("sys.stdin", TextIOWrapper(BytesIO(piped), encoding="utf-8"))
    call_command("import_orders", "-", stdout=StringIO())
    assert Order.objects.filter(number="8030112233445566").exists()


def test_invalid_json_is_reported_with_its_position(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('[{"number": ')
    with pytest.raises(CommandError, match=r"is not valid JSON: .* line 1"):
        call_command("import_orders", str(path))


def test_not_an_array_is_refused(tmp_path):
    with pytest.raises(CommandError, match="must be a JSON array"):
        run_import(tmp_path, record())


def test_orders_never_go_to_a_staff_account(tmp_path):
    get_user_model().objects.create_user("mediator", is_staff=True)
    with pytest.raises(
        CommandError, match=r"record 0, field 'buyer\.username': 'mediator' is a staff"
    ):
        run_import(tmp_path, [record(buyer={"username": "mediator", "email": "m@example.com"})])


def test_one_buyer_with_two_emails_in_a_file_is_refused(tmp_path):
    records = [record(), record(number="2", buyer={"username": "alice", "email": "a2@example.com"})]
    with pytest.raises(
        CommandError, match=r"record 1, field 'buyer\.email': differs from an earlier"
    ):
        run_import(tmp_path, records)


def test_a_buyers_new_email_is_taken_and_reported(tmp_path):
    run_import(tmp_path, [record()])
    output = run_import(tmp_path, [record(buyer={"username": "alice", "email": "new@example.com"})])
    assert "buyers with a new email: alice" in output
    assert get_user_model().objects.get(username="alice").email == "new@example.com"


# Sellers with an account (PRODUCT.md §8): the seller given as an object answers in the app.

SZGADGET = {
    "name": "Shenzhen Gadget Store",
    "username": "szgadget",
    "email": "disputes@szgadget.example",
}


def test_a_seller_object_creates_its_account_and_links_it(tmp_path):
    output = run_import(tmp_path, [record(seller=SZGADGET)])

    seller = Seller.objects.get(name="Shenzhen Gadget Store")
    assert seller.user.username == "szgadget"
    assert seller.user.email == "disputes@szgadget.example"
    assert not seller.user.has_usable_password()
    assert not seller.user.is_staff
    assert "new seller accounts: 1" in output
    assert "sellers now answering with an account: Shenzhen Gadget Store" in output


def test_a_seller_object_may_bring_its_return_address(tmp_path):
    address = "Shenzhen Gadget Store returns\n12 rue des Retours\n69007 Lyon"
    run_import(tmp_path, [record(seller=SZGADGET | {"return_address": f" {address} "})])
    assert Seller.objects.get(name="Shenzhen Gadget Store").return_address == address

    # Without one, the seller keeps theirs (set in their account, or sent before).
    run_import(tmp_path, [record(seller=SZGADGET), record(number="8030112233445567")])
    assert Seller.objects.get(name="Shenzhen Gadget Store").return_address == address


def test_reimporting_a_seller_object_changes_nothing(tmp_path):
    run_import(tmp_path, [record(seller=SZGADGET)])
    output = run_import(tmp_path, [record(seller=SZGADGET)])

    assert "created 0 order(s), updated 0, left 1 unchanged" in output
    assert "new sellers: 0, new seller accounts: 0." in output
    assert get_user_model().objects.count() == 2


def test_a_plain_name_keeps_the_account_an_earlier_import_linked(tmp_path):
    run_import(tmp_path, [record(seller=SZGADGET)])
    run_import(tmp_path, [record(number="2", seller="Shenzhen Gadget Store")])

    assert Seller.objects.get().user.username == "szgadget"
    assert Order.objects.get(number="2").seller.user.username == "szgadget"


def test_a_seller_known_by_name_gets_its_account_later(tmp_path):
    run_import(tmp_path, [record()])
    assert Seller.objects.get().user is None

    output = run_import(tmp_path, [record(seller=SZGADGET)])

    assert Seller.objects.get().user.username == "szgadget"
    assert "created 0 order(s), updated 0, left 1 unchanged" in output


def test_a_seller_accounts_new_email_is_taken_and_reported(tmp_path):
    run_import(tmp_path, [record(seller=SZGADGET)])
    output = run_import(tmp_path, [record(seller=SZGADGET | {"email": "new@szgadget.example"})])

    assert get_user_model().objects.get(username="szgadget").email == "new@szgadget.example"
    assert "seller accounts with a new email: szgadget" in output


def test_an_existing_account_becomes_the_sellers_and_keeps_its_password(tmp_path):
    user = get_user_model().objects.create_user("szgadget", password="secret-pass-2026")

    run_import(tmp_path, [record(seller=SZGADGET)])

    assert Seller.objects.get().user == user
    user.refresh_from_db()
    assert user.check_password("secret-pass-2026")


@pytest.mark.parametrize(
    ("seller", "field", "message"),
    [
        (SZGADGET | {"name": ""}, "seller.name", "is required"),
        (SZGADGET | {"username": ""}, "seller.username", "is required"),
        (SZGADGET | {"username": "sz gadget"}, "seller.username", "valid username"),
        (SZGADGET | {"email": "not-an-email"}, "seller.email", "valid email"),
        (SZGADGET | {"name": "x" * 201}, "seller.name", "longer than 200"),
        (42, "seller", "must be a name, or an object"),
        (None, "seller", "is required"),
    ],
)
def test_each_bad_seller_field_is_reported(tmp_path, seller, field, message):
    with pytest.raises(CommandError) as error:
        run_import(tmp_path, [record(seller=seller)])
    assert f"record 0, field '{field}'" in str(error.value)
    assert message in str(error.value)
    assert Seller.objects.count() == 0


@pytest.mark.parametrize(
    ("second", "problem"),
    [
        (
            record(number="2", seller=SZGADGET | {"username": "sz gadget"}),
            r"record 1, field 'seller\.username': Enter a valid username",
        ),
        (
            record(number="2", seller=SZGADGET | {"name": "Lyon Outlet"}),
            r"record 1, field 'seller\.username': 'szgadget' is already the account of "
            r"'Shenzhen Gadget Store'",
        ),
        (
            record(
                number="2", buyer={"username": "szgadget", "email": "o@example.com"}, seller="L"
            ),
            r"record 1, field 'buyer\.email': differs from an earlier record",
        ),
    ],
)
def test_a_bad_second_seller_record_writes_nothing(tmp_path, second, problem):
    with pytest.raises(CommandError, match=problem):
        run_import(tmp_path, [record(seller=SZGADGET), second])
    assert Order.objects.count() == 0
    assert Seller.objects.count() == 0
    assert get_user_model().objects.count() == 0


def test_the_buyer_cannot_be_the_seller_of_an_order(tmp_path):
    records = [record(), record(number="2", seller=SZGADGET | {"username": "alice"})]
    with pytest.raises(
        CommandError, match=r"record 1, field 'seller\.username': 'alice' is this order's buyer"
    ):
        run_import(tmp_path, records)
    assert Order.objects.count() == 0


def test_the_buyer_cannot_buy_from_a_seller_whose_account_they_are(tmp_path):
    run_import(tmp_path, [record(seller=SZGADGET)])
    szgadget_buys = record(
        number="2",
        buyer={"username": "szgadget", "email": "disputes@szgadget.example"},
        seller="Shenzhen Gadget Store",
    )
    with pytest.raises(
        CommandError, match=r"record 0, field 'seller': 'szgadget' is this order's buyer"
    ):
        run_import(tmp_path, [szgadget_buys])


def test_a_seller_account_may_buy_from_another_seller(tmp_path):
    records = [
        record(seller=SZGADGET),
        record(
            number="2",
            buyer={"username": "szgadget", "email": "disputes@szgadget.example"},
            seller="Lyon Outlet",
        ),
    ]
    run_import(tmp_path, records)
    assert Order.objects.get(number="2").buyer.username == "szgadget"


def test_a_staff_account_cannot_be_a_sellers_account(tmp_path):
    get_user_model().objects.create_user("mediator", is_staff=True)
    with pytest.raises(
        CommandError, match=r"record 0, field 'seller\.username': 'mediator' is a staff account"
    ):
        run_import(tmp_path, [record(seller=SZGADGET | {"username": "mediator"})])
    assert Seller.objects.count() == 0


@pytest.mark.parametrize(
    ("seller", "problem"),
    [
        (
            SZGADGET | {"name": "Lyon Outlet"},
            r"'szgadget' is already the account of 'Shenzhen Gadget Store'",
        ),
        (
            SZGADGET | {"username": "szshop"},
            r"seller 'Shenzhen Gadget Store' already has the account 'szgadget'",
        ),
    ],
)
def test_a_seller_and_its_account_stay_linked(tmp_path, seller, problem):
    run_import(tmp_path, [record(seller=SZGADGET)])
    with pytest.raises(CommandError, match=r"record 0, field 'seller\.username': " + problem):
        run_import(tmp_path, [record(number="2", seller=seller)])
    linked = Seller.objects.values_list("name", "user__username")
    assert list(linked) == [("Shenzhen Gadget Store", "szgadget")]
    assert not get_user_model().objects.filter(username="szshop").exists()


def test_dry_run_creates_no_seller_account(tmp_path):
    output = run_import(tmp_path, [record(seller=SZGADGET)], "--dry-run")
    assert "new seller accounts: 1" in output
    assert get_user_model().objects.count() == 0
    assert Seller.objects.count() == 0


CONFIRMED = datetime(2026, 10, 8, 10, 0, tzinfo=UTC)


def confirmed_by_the_buyer(tmp_path):
    """The record's order, imported in transit, then confirmed received by its buyer."""
    run_import(tmp_path, [record()])
    order = Order.objects.get()
    return confirm_receipt(order=order, buyer=order.buyer, now=CONFIRMED)


@pytest.mark.parametrize("received_at", ["2026-10-09T08:00:00Z", "2026-10-04T08:00:00Z", None])
def test_a_receipt_the_buyer_confirmed_is_kept_and_reported(tmp_path, received_at):
    confirmed_by_the_buyer(tmp_path)
    output = run_import(tmp_path, [record(received_at=received_at, item="USB-C cable, 3 m")])
    assert "updated 1" in output
    assert "receipt kept as its buyer confirmed it: 8030112233445566" in output
    order = Order.objects.get()
    assert order.item == "USB-C cable, 3 m"
    assert order.received_at == CONFIRMED
    assert order.receipt_confirmed_at == CONFIRMED


def test_the_report_lists_the_kept_receipts(tmp_path):
    confirmed_by_the_buyer(tmp_path)
    report = import_orders([record(received_at="2026-10-09T08:00:00Z")])
    assert report.receipts_kept == ["8030112233445566"]
    assert report.unchanged == ["8030112233445566"]


def test_the_confirmed_receipt_time_sent_back_is_not_reported(tmp_path):
    confirmed_by_the_buyer(tmp_path)
    output = run_import(tmp_path, [record(received_at="2026-10-08T10:00:00Z")])
    assert "left 1 unchanged" in output
    assert "receipt kept" not in output


@pytest.mark.parametrize(
    ("shipped_at", "message"),
    [
        ("2026-10-08T10:00:01Z", "is after the receipt its buyer confirmed on 2026-10-08T10:00:00"),
        (None, "is null but its buyer confirmed receipt on 2026-10-08T10:00:00"),
    ],
)
def test_a_shipment_after_the_confirmed_receipt_is_refused(tmp_path, shipped_at, message):
    confirmed_by_the_buyer(tmp_path)
    with pytest.raises(CommandError) as error:
        run_import(tmp_path, [record(number="8030112233445567"), record(shipped_at=shipped_at)])
    assert "record 1, field 'shipped_at'" in str(error.value)
    assert message in str(error.value)
    assert Order.objects.get().shipped_at == datetime(2026, 10, 3, 14, 0, tzinfo=UTC)
    assert Order.objects.count() == 1


# Once an order has a dispute (its terms fixed, PRODUCT.md §8), what the dispute is about stays.
DISPUTED = {"received_at": "2026-10-09T08:00:00Z", "delivery_by": "2026-10-20T00:00:00Z"}
FIXED_TERMS_CHANGES = [
    ({"seller": "Another Store"}, "seller", "must stay Shenzhen Gadget Store"),
    ({"price": "1.00"}, "price", "must stay 12.99"),
    ({"currency": "GBP"}, "currency", "must stay EUR"),
    ({"shipped_at": None, "received_at": None}, "shipped_at", "cannot be cleared"),
    ({"received_at": None}, "received_at", "cannot be cleared"),
    ({"delivery_by": None}, "delivery_by", "cannot be cleared"),
]


def disputed_order(tmp_path):
    run_import(tmp_path, [record(**DISPUTED)])
    Order.objects.update(terms_fixed_at=datetime(2026, 10, 15, tzinfo=UTC))
    return Order.objects.get()


@pytest.mark.parametrize(("change", "field", "message"), FIXED_TERMS_CHANGES)
def test_a_disputed_orders_terms_are_refused_with_their_field(tmp_path, change, field, message):
    before = disputed_order(tmp_path)
    others = record(number="8030112233445567")

    with pytest.raises(CommandError) as error:
        run_import(tmp_path, [others, record(**DISPUTED | change)])

    assert f"record 1, field '{field}': {message}" in str(error.value)
    after = Order.objects.get()  # nothing written, the other record neither
    fields = ("seller_id", "price", "currency", "shipped_at", "received_at", "delivery_by")
    assert [getattr(after, name) for name in fields] == [getattr(before, name) for name in fields]


def test_a_seller_object_names_its_name_when_a_disputed_orders_seller_changes(tmp_path):
    disputed_order(tmp_path)
    seller = {"name": "Another Store", "username": "another", "email": "a@example.com"}
    with pytest.raises(CommandError) as error:
        run_import(tmp_path, [record(**DISPUTED, seller=seller)])
    assert "record 0, field 'seller.name': must stay" in str(error.value)


def test_a_disputed_order_takes_the_same_values_again_and_other_changes(tmp_path):
    disputed_order(tmp_path)
    assert "left 1 unchanged" in run_import(tmp_path, [record(**DISPUTED)])

    output = run_import(tmp_path, [record(**DISPUTED, item="Cable", price="12.99")])
    assert "updated 1" in output
    assert Order.objects.get().item == "Cable"


@pytest.mark.parametrize(("change", "field", "message"), FIXED_TERMS_CHANGES)
def test_an_order_without_a_dispute_still_changes_freely(tmp_path, change, field, message):
    run_import(tmp_path, [record(**DISPUTED)])
    assert "updated 1" in run_import(tmp_path, [record(**DISPUTED | change)])
