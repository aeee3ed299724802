"""Orders in: the bulk upsert and the single order's dates, through import_orders' rules."""

import json
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from orders.importing import EXAMPLE_ORDER
from orders.models import Order, Seller
from orders.receipts import confirm_receipt
from tests.api.conftest import error_of

pytestmark = pytest.mark.django_db


def record(number="8030112233445566", **overrides):
    return EXAMPLE_ORDER | {"number": number} | overrides


def nothing_written():
    return Order.objects.count() == 0 and get_user_model().objects.count() == 0


def test_bulk_upsert_creates_then_updates_and_reports(api):
    response = api.post("/orders/", {"orders": [record(), record("8030112233445567")]})
    assert response.status_code == 200
    report = response.json()
    assert report["created"] == ["8030112233445566", "8030112233445567"]
    assert report["buyers_created"] == ["alice"]
    assert report["seller_accounts_created"] == ["szgadget"]
    assert report["sellers_linked"] == ["Shenzhen Gadget Store"]
    assert report["dry_run"] is False
    assert Seller.objects.get().user.username == "szgadget"

    again = api.post(
        "/orders/",
        {"orders": [record(received_at="2026-10-09T08:00:00Z"), record("8030112233445567")]},
    ).json()
    assert again["updated"] == ["8030112233445566"]
    assert again["unchanged"] == ["8030112233445567"]
    assert again["created"] == []
    assert Order.objects.get(number="8030112233445566").received_at is not None


def test_prices_given_as_json_numbers_stay_exact(api):
    one = json.dumps(record(price=0)).replace('"price": 0', '"price": 19.99')
    response = api.post("/orders/", raw=f'{{"orders": [{one}]}}')
    assert response.status_code == 200, response.json()
    assert Order.objects.get().price == Decimal("19.99")


def test_dry_run_reports_and_writes_nothing(api):
    response = api.post("/orders/", {"orders": [record()], "dry_run": True})
    assert response.status_code == 200
    assert response.json()["created"] == ["8030112233445566"]
    assert nothing_written()


def test_one_bad_record_writes_nothing_and_names_each_record_and_field(api):
    response = api.post(
        "/orders/",
        {
            "orders": [
                record(),
                record("8030112233445567", price="-3"),
                record("8030112233445568", currency="EURO", recieved_at=None),
            ]
        },
    )
    assert response.status_code == 400
    code, problems = error_of(response)
    assert code == "invalid_orders"
    assert problems == [(1, "price"), (2, "recieved_at"), (2, "currency")]
    messages = [problem["message"] for problem in response.json()["problems"]]
    assert messages[0] == "must be more than 0"
    assert response.json()["detail"] == "Nothing was written: 3 problems."
    assert nothing_written()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"price": True}, "price"),
        ({"price": "twelve"}, "price"),
        ({"item": 42}, "item"),
        ({"buyer": "alice"}, "buyer"),
        ({"buyer": {"username": "alice", "phone": "0600"}}, "buyer.phone"),
        ({"seller": {"name": "S", "username": "s", "shop": "x"}}, "seller.shop"),
        ({"seller": ["S"]}, "seller"),
        ({"placed_at": 1_700_000_000}, "placed_at"),
        ({"placed_at": "2026-13-01T00:00:00Z"}, "placed_at"),
        ({"placed_at": "0001-01-01T00:00:00+05:00"}, "placed_at"),
        ({"item": "cable\x00"}, "item"),
        ({"item": "\ud800"}, "item"),
        ({"item": "   "}, "item"),
        ({"number": "8" * 33}, "number"),
    ],
)
def test_wrong_types_and_values_are_refused_by_field(api, overrides, field):
    response = api.post("/orders/", {"orders": [record(**overrides)]})
    assert response.status_code == 400
    assert (0, field) in error_of(response)[1]
    assert nothing_written()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ([record()], "(body)"),
        ({"orders": record()}, "orders"),
        ({"orders": [record()], "dry_run": "yes"}, "dry_run"),
        ({"orders": [record()], "replace": True}, "replace"),
        ({}, "orders"),
    ],
)
def test_a_body_of_the_wrong_shape_is_refused(api, body, field):
    response = api.post("/orders/", body)
    assert response.status_code == 400
    assert (None, field) in error_of(response)[1]
    assert nothing_written()


@pytest.mark.parametrize(
    "raw", ['{"orders": [', "{'orders': []}", '{"orders": [], "dry_run": NaN}', "[" * 100_000]
)
def test_malformed_json_is_a_400_in_json(api, raw):
    response = api.post("/orders/", raw=raw)
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"
    assert nothing_written()


def test_a_body_that_is_not_json_is_a_415(api):
    response = api.post(
        "/orders/", raw="orders=1", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"


def test_more_orders_than_the_limit_is_a_413(api, settings):
    settings.API_MAX_ORDERS = 3
    response = api.post("/orders/", {"orders": [record(str(n)) for n in range(4)]})
    assert response.status_code == 413
    assert "At most 3 orders per call" in response.json()["detail"]
    assert nothing_written()


def test_the_default_limit_is_ten_thousand_orders(api):
    response = api.post("/orders/", {"orders": [{}] * 10_001})
    assert response.status_code == 413


def test_a_body_over_the_size_limit_is_a_413_before_it_is_read(api, settings):
    settings.API_MAX_BODY_BYTES = 1000
    response = api.post("/orders/", {"orders": [record(description="x" * 2000)]})
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    assert nothing_written()


def test_single_order_dates_are_updated_through_the_same_rules(api):
    api.post("/orders/", {"orders": [record()]})
    response = api.patch("/orders/8030112233445566/", {"received_at": "2026-10-09T08:00:00+02:00"})
    assert response.status_code == 200
    order = response.json()
    assert order["received_at"] == "2026-10-09T06:00:00Z"
    assert order["status"] == "received"
    assert order["seller"] == {"name": "Shenzhen Gadget Store", "username": "szgadget"}

    refused = api.patch("/orders/8030112233445566/", {"received_at": "2026-10-02T00:00:00Z"})
    assert refused.status_code == 400
    assert error_of(refused) == ("invalid_orders", [(None, "received_at")])
    assert "before shipped_at" in refused.json()["problems"][0]["message"]
    assert Order.objects.get().received_at.isoformat() == "2026-10-09T06:00:00+00:00"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "(body)"),
        ({"price": "1.00"}, "price"),
        ({"seller": "Another Store"}, "seller"),
        (["2026-10-09T08:00:00Z"], "(body)"),
    ],
)
def test_single_order_update_takes_only_the_dates(api, body, field):
    api.post("/orders/", {"orders": [record()]})
    response = api.patch("/orders/8030112233445566/", body)
    assert response.status_code == 400
    assert (None, field) in error_of(response)[1]


def test_unknown_orders_and_paths_are_json_404s(api):
    assert api.patch("/orders/404/", {"shipped_at": None}).status_code == 404
    response = api.get("/orders/404/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    missing = api.get("/nothing-here/")
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found"


def test_get_one_order(api):
    api.post("/orders/", {"orders": [record(seller="Lyon Outlet")]})
    order = api.get("/orders/8030112233445566/").json()
    assert order["price"] == "12.99"
    assert order["seller"] == {"name": "Lyon Outlet", "username": None}
    assert order["buyer"] == {"username": "alice", "email": "alice@example.com"}
    assert order["status"] == "in_transit"


def test_a_retry_with_the_same_idempotency_key_replays_the_first_answer(api):
    first = api.post("/orders/", {"orders": [record()]}, headers={"Idempotency-Key": "k-1"})
    Order.objects.update(item="changed since")
    retry = api.post("/orders/", {"orders": [record()]}, headers={"Idempotency-Key": "k-1"})
    assert retry.status_code == 200
    assert retry.json() == first.json()
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert Order.objects.get().item == "changed since"  # the retry wrote nothing


def test_an_idempotency_key_reused_for_another_request_is_refused(api):
    api.post("/orders/", {"orders": [record()]}, headers={"Idempotency-Key": "k-1"})
    response = api.post(
        "/orders/", {"orders": [record(item="Other")]}, headers={"Idempotency-Key": "k-1"}
    )
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert Order.objects.get().item == "USB-C cable, 2 m, braided"


def test_a_refused_request_keeps_no_idempotency_key(api):
    bad = api.post("/orders/", {"orders": [record(price="0")]}, headers={"Idempotency-Key": "k"})
    assert bad.status_code == 400
    good = api.post("/orders/", {"orders": [record()]}, headers={"Idempotency-Key": "k"})
    assert good.status_code == 200
    assert Order.objects.count() == 1


def test_idempotency_keys_are_per_client(api, client):
    from api.models import ApiClient
    from tests.api.conftest import Api

    _other, token = ApiClient.create("Other system")
    api.post("/orders/", {"orders": [record()]}, headers={"Idempotency-Key": "k"})
    other = Api(client, token).post(
        "/orders/", {"orders": [record(item="Other")]}, headers={"Idempotency-Key": "k"}
    )
    assert other.status_code == 200
    assert other.json()["updated"] == ["8030112233445566"]


def test_an_invalid_idempotency_key_is_refused(api):
    response = api.post("/orders/", {"orders": []}, headers={"Idempotency-Key": "has space"})
    assert response.status_code == 400
    assert error_of(response)[1] == [(None, "Idempotency-Key")]


def test_the_command_and_the_api_refuse_the_same_record_the_same_way(api, tmp_path):
    from django.core.management import CommandError, call_command

    bad = [record(), record("8030112233445567", shipped_at="2026-09-01T00:00:00Z", colour="red")]
    problems = api.post("/orders/", {"orders": bad}).json()["problems"]
    path = tmp_path / "orders.json"
    path.write_text(json.dumps(bad))
    with pytest.raises(CommandError) as error:
        call_command("import_orders", str(path))
    for problem in problems:
        assert (
            f"record {problem['index']}, field '{problem['field']}': {problem['message']}"
            in str(error.value)
        )


def test_accounts_are_found_by_the_marketplace_id_a_record_gives(api):
    buyer = {"id": "u-1", "username": "alice", "email": "alice@example.com"}
    api.post("/orders/", {"orders": [record(buyer=buyer)]})

    renamed = api.post("/orders/", {"orders": [record(buyer=buyer | {"username": "alicia"})]})

    assert renamed.status_code == 200
    assert renamed.json()["buyers_renamed"] == ["alicia"]
    assert renamed.json()["buyers_created"] == []
    assert Order.objects.get().buyer.username == "alicia"
    assert api.get("/orders/8030112233445566/").json()["buyer"]["username"] == "alicia"


def test_a_username_another_marketplace_id_holds_is_refused_by_record_and_field(api):
    api.post("/orders/", {"orders": [record(buyer={"id": "u-1", "username": "alice"})]})

    bob = {"id": "u-2", "username": "alice", "email": "bob@example.com"}
    response = api.post(
        "/orders/", {"orders": [record("8030112233445567"), record("8030112233445568", buyer=bob)]}
    )

    assert response.status_code == 400
    assert error_of(response) == ("invalid_orders", [(1, "buyer.username")])
    assert Order.objects.count() == 1
    assert get_user_model().objects.get(username="alice").marketplace_id == "u-1"


def test_a_disputed_orders_terms_and_dates_stay_through_the_api(api):
    from datetime import UTC, datetime

    from tests.disputes.builders import open_dispute

    api.post("/orders/", {"orders": [record(price="40.00", received_at="2026-10-09T08:00:00Z")]})
    order = Order.objects.get()
    open_dispute(order.buyer, order, now=datetime(2026, 10, 15, tzinfo=UTC))
    assert Order.objects.get().terms_fixed_at == datetime(2026, 10, 15, tzinfo=UTC)

    changed = record(seller="Another Store", price="1.00", currency="GBP")
    lowered = api.post("/orders/", {"orders": [changed]})
    assert lowered.status_code == 400
    assert error_of(lowered) == (
        "invalid_orders",
        [(0, "seller"), (0, "price"), (0, "currency"), (0, "received_at")],
    )
    cleared = api.patch("/orders/8030112233445566/", {"shipped_at": None, "received_at": None})
    assert error_of(cleared) == ("invalid_orders", [(None, "shipped_at"), (None, "received_at")])
    order = Order.objects.get()
    assert (order.seller, order.price, order.currency, order.shipped_at is not None) == (
        order.disputes.get().seller,
        Decimal("40.00"),
        "EUR",
        True,
    )

    again = api.post(
        "/orders/", {"orders": [record(price="40.00", received_at="2026-10-09T08:00:00Z")]}
    )
    assert again.status_code == 200
    assert again.json()["unchanged"] == ["8030112233445566"]


def confirmed_receipt_order(api):
    api.post("/orders/", {"orders": [record()]})
    order = Order.objects.get()
    confirm_receipt(order=order, buyer=order.buyer)
    order.refresh_from_db()
    return order


def test_a_receipt_the_buyer_confirmed_shows_on_the_order(api):
    order = confirmed_receipt_order(api)
    shown = api.get(f"/orders/{order.number}/").json()
    assert shown["receipt_confirmed_at"] == shown["received_at"]
    assert shown["receipt_confirmed_at"].endswith("Z")
    assert api.get("/orders/8030112233445566/").json()["status"] == "received"


def test_a_receipt_time_after_the_buyer_confirmed_is_refused_and_writes_nothing(api):
    order = confirmed_receipt_order(api)
    response = api.patch(
        f"/orders/{order.number}/",
        {"shipped_at": "2026-10-04T00:00:00Z", "received_at": "2026-10-20T08:00:00Z"},
    )
    assert response.status_code == 409
    assert error_of(response) == ("receipt_confirmed", [(None, "received_at")])
    assert "Not applied" in response.json()["detail"]
    unchanged = Order.objects.get()
    assert (unchanged.shipped_at, unchanged.received_at) == (order.shipped_at, order.received_at)


def test_the_shipment_of_an_order_whose_receipt_was_confirmed_can_still_change(api):
    order = confirmed_receipt_order(api)
    response = api.patch(f"/orders/{order.number}/", {"shipped_at": "2026-10-04T00:00:00Z"})
    assert response.status_code == 200
    assert (
        response.json()["received_at"]
        == api.get(f"/orders/{order.number}/").json()["receipt_confirmed_at"]
    )


@pytest.mark.parametrize(
    ("price", "currency", "shown"),
    [("1.250", "BHD", "1.250"), ("1234", "JPY", "1234"), ("12.99", "EUR", "12.99")],
)
def test_prices_are_given_back_with_their_currencys_decimals(api, price, currency, shown):
    response = api.post("/orders/", {"orders": [record(price=price, currency=currency)]})
    assert response.status_code == 200
    assert api.get("/orders/8030112233445566/").json()["price"] == shown


def test_a_price_finer_than_its_currency_is_refused_with_a_code(api):
    response = api.post("/orders/", {"orders": [record(price="1234.56", currency="JPY")]})
    assert error_of(response) == ("invalid_orders", [(0, "price")])
    [problem] = response.json()["problems"]
    assert problem["code"] == "too_precise_for_currency"
    assert nothing_written()
