"""The hostile import files of tests/orders/test_import_hostile.py, as the API's body: the
same per-record, per-field problems, or a 400 saying where the body cannot be read."""

import pytest

from tests.orders.test_import_hostile import (
    FIELD_CASES,
    FIELD_IDS,
    FILE_CASES,
    FILE_IDS,
    UNREADABLE_KEY_IDS,
    UNREADABLE_KEYS,
    nothing_written,
    record_with,
    record_with_key,
)

pytestmark = pytest.mark.django_db


def post_orders(api, records: bytes):
    return api.post("/orders/", raw=b'{"orders": ' + records + b"}")


@pytest.mark.parametrize(("name", "raw", "message"), FIELD_CASES, ids=FIELD_IDS)
def test_the_api_names_the_record_and_field(api, name, raw, message):
    response = post_orders(api, record_with(name, raw).encode())
    assert response.status_code == 400
    (problem,) = response.json()["problems"]
    assert (problem["index"], problem["field"]) == (0, name)
    assert message in problem["message"]
    assert nothing_written()


@pytest.mark.parametrize(("content", "message"), FILE_CASES, ids=FILE_IDS)
def test_the_api_refuses_a_body_it_cannot_read_saying_where(api, content, message):
    response = api.post("/orders/", raw=content)
    assert response.status_code == 400
    assert response.json()["detail"] == f"The body {message}."
    assert nothing_written()


@pytest.mark.parametrize(("key", "named"), UNREADABLE_KEYS, ids=UNREADABLE_KEY_IDS)
def test_an_unknown_field_whose_name_is_not_text_is_named_readably(api, key, named):
    response = post_orders(api, record_with_key(key))
    assert response.status_code == 400
    (problem,) = response.json()["problems"]
    assert problem == {"index": 0, "field": named, "message": "is not a field of an order record"}
    assert nothing_written()
