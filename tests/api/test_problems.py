"""Every error of the API is an RFC 9457 problem, in English whatever Accept-Language says,
with our code and the record and field at fault."""

import pytest

from tests.api.conftest import API, error_of

pytestmark = pytest.mark.django_db


def test_an_invalid_record_is_a_problem_naming_its_record_and_field(api):
    response = api.post("/orders/", {"orders": [{"number": "1"}]})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["type"].endswith("/api/v1/problems/invalid_orders")
    assert body["title"] == "Bad Request"
    assert body["status"] == 400
    assert body["detail"].startswith("Nothing was written")
    assert (0, "buyer") in error_of(response)[1]


@pytest.mark.parametrize(
    ("call", "status", "code"),
    [
        (lambda api: api.get("/events/", token="dcapi_nope"), 401, "invalid_token"),
        (lambda api: api.get("/events/", token=""), 401, "not_authenticated"),
        (lambda api: api.get("/disputes/404/"), 404, "not_found"),
        (lambda api: api.get("/no-such-endpoint/"), 404, "not_found"),
        (lambda api: api.send("delete", "/events/", None), 405, "method_not_allowed"),
        (lambda api: api.get("/events/", limit="x"), 400, "invalid_request"),
        (lambda api: api.get("/disputes/", status="lost"), 400, "invalid_request"),
        (
            lambda api: api.post("/orders/", raw="x", content_type="text/plain"),
            415,
            "unsupported_media_type",
        ),
    ],
)
def test_every_kind_of_error_is_a_problem_of_one_shape(api, call, status, code):
    response = call(api)
    assert response.status_code == status
    assert error_of(response)[0] == code
    assert set(response.json()) == {
        "type",
        "title",
        "status",
        "detail",
        "code",
        "problems",
        "request_id",
    }


@pytest.mark.parametrize(
    "call",
    [
        lambda api, headers: api.client.get(f"{API}/events/", headers=headers),
        lambda api, headers: api.client.get(f"{API}/events/?limit=0", headers=headers),
        lambda api, headers: api.client.get(
            f"{API}/events/", headers=headers | {"Authorization": "Bearer dcapi_nope"}
        ),
        lambda api, headers: api.client.post(
            f"{API}/orders/", "x", content_type="text/plain", headers=headers
        ),
    ],
)
def test_errors_are_never_translated_for_a_machine(api, call):
    # One request id for both: it would tell them apart.
    english = call(api, api.headers(**{"X-Request-ID": "req-1"})).json()
    french = call(api, api.headers(**{"Accept-Language": "fr", "X-Request-ID": "req-1"})).json()
    assert french == english
