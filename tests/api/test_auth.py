"""Tokens only: sessions cannot call the API, a token opens nothing else, limits per client."""

from datetime import timedelta

import pytest
from django.utils import timezone

from api.models import ApiClient, hash_token
from tests.api.conftest import API, Api, error_of
from tests.disputes.builders import make_mediator
from tests.factories import make_user

pytestmark = pytest.mark.django_db

ENDPOINTS = ["/orders/8030112233445566/", "/events/", "/disputes/", "/disputes/1/"]


@pytest.mark.parametrize("path", ENDPOINTS)
@pytest.mark.parametrize(
    ("header", "code"),
    [
        (None, "not_authenticated"),
        ("Bearer dcapi_not-a-token", "invalid_token"),
        ("Token abc", "bad_header"),
        ("Bearer", "bad_header"),
        ("Bearer a b", "bad_header"),
    ],
)
def test_without_a_valid_token_every_endpoint_is_a_401(client, marketplace, path, header, code):
    headers = {"Authorization": header} if header else {}
    response = client.get(f"{API}{path}", headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="api"'
    assert response.json()["code"] == code


def test_the_bulk_upsert_needs_a_token_too(api):
    response = api.post("/orders/", {"orders": []}, token="")
    assert response.status_code == 401


@pytest.mark.parametrize("who", ["buyer", "seller", "staff"])
def test_a_signed_in_session_cannot_call_the_api(client, marketplace, who):
    user = make_user("szgadget") if who == "seller" else make_user()
    if who == "staff":
        user = make_mediator()
        user.is_superuser = True
        user.save()
    client.force_login(user)
    assert client.get(f"{API}/events/").status_code == 401
    response = client.post(f"{API}/orders/", '{"orders": []}', content_type="application/json")
    assert response.status_code == 401


def test_a_token_does_not_reach_the_buyer_pages(client, marketplace):
    response = client.get("/orders/", headers={"Authorization": f"Bearer {marketplace.token}"})
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_a_revoked_clients_token_is_refused(api, marketplace):
    marketplace.revoked_at = timezone.now()
    marketplace.save()
    response = api.get("/events/")
    assert response.status_code == 401
    assert error_of(response)[0] == "revoked"
    assert "revoked" in response.json()["detail"]


def test_tokens_are_stored_hashed(marketplace):
    assert marketplace.token not in {marketplace.token_hash, marketplace.token_hint}
    assert marketplace.token_hash == hash_token(marketplace.token)
    assert marketplace.token.startswith(marketplace.token_hint)


def test_a_rotated_token_works_beside_the_new_one_for_the_overlap(api, marketplace):
    old = marketplace.token
    new = marketplace.issue_token()
    marketplace.save()
    assert api.get("/events/", token=old).status_code == 200
    assert api.get("/events/", token=new).status_code == 200


def test_a_rotated_token_stops_exactly_when_the_overlap_ends(marketplace, settings):
    settings.API_TOKEN_OVERLAP_HOURS = 24
    rotated_at = timezone.now()
    old = marketplace.token
    new = marketplace.issue_token(now=rotated_at)
    marketplace.save()
    end = rotated_at + timedelta(hours=24)
    assert ApiClient.for_token(old, now=end - timedelta(microseconds=1)) == marketplace
    assert ApiClient.for_token(old, now=end) is None
    assert ApiClient.for_token(new, now=end + timedelta(days=400)) == marketplace


def test_a_second_rotation_ends_the_first_token_at_once(marketplace):
    first = marketplace.token
    second = marketplace.issue_token()
    marketplace.issue_token()
    marketplace.save()
    assert ApiClient.for_token(first) is None
    assert ApiClient.for_token(second) == marketplace


def test_revoking_ends_a_rotated_token_within_its_overlap(api, marketplace):
    old = marketplace.token
    new = marketplace.issue_token()
    marketplace.revoked_at = timezone.now()
    marketplace.save()
    for token in (old, new):
        assert error_of(api.get("/events/", token=token))[0] == "revoked"


def test_rate_limit_answers_429_with_retry_after(api, settings):
    settings.API_THROTTLE_RATES = settings.API_THROTTLE_RATES | {"client": "2/minute"}
    assert api.get("/events/").status_code == 200
    assert api.get("/events/").status_code == 200
    response = api.get("/events/")
    assert response.status_code == 429
    assert response.json()["code"] == "throttled"
    assert 0 < int(response.headers["Retry-After"]) <= 60


def test_rate_limits_are_per_client(api, client, settings):
    settings.API_THROTTLE_RATES = settings.API_THROTTLE_RATES | {"client": "1/minute"}
    _other, token = ApiClient.create("Other system")
    assert api.get("/events/").status_code == 200
    assert api.get("/events/").status_code == 429
    assert Api(client, token).get("/events/").status_code == 200


def test_the_bulk_upsert_has_its_own_lower_limit(api, settings):
    settings.API_THROTTLE_RATES = settings.API_THROTTLE_RATES | {"bulk_orders": "1/minute"}
    assert api.post("/orders/", {"orders": []}).status_code == 200
    assert api.post("/orders/", {"orders": []}).status_code == 429
    assert api.get("/events/").status_code == 200


def test_refused_tokens_are_throttled_per_address_without_a_lookup(
    api, client, settings, django_assert_num_queries
):
    settings.API_THROTTLE_RATES = settings.API_THROTTLE_RATES | {
        "failed_authentication": "2/minute"
    }
    assert api.get("/events/", token="dcapi_guess1").status_code == 401
    assert api.get("/events/", token="dcapi_guess2").status_code == 401
    with django_assert_num_queries(0):
        response = api.get("/events/", token="dcapi_guess3")
    assert response.status_code == 429
    assert error_of(response)[0] == "too_many_failed_authentications"
    assert 0 < int(response.headers["Retry-After"]) <= 60
    assert api.get("/events/").status_code == 429  # even a good token: nothing is looked up
    elsewhere = client.get(f"{API}/events/", headers=api.headers(), REMOTE_ADDR="192.0.2.7")
    assert elsewhere.status_code == 200


def test_accepted_tokens_do_not_count_as_failures(api, settings):
    settings.API_THROTTLE_RATES = settings.API_THROTTLE_RATES | {
        "failed_authentication": "1/minute"
    }
    assert api.get("/events/").status_code == 200
    assert api.get("/events/").status_code == 200
    assert api.get("/events/", token="dcapi_guess").status_code == 401
    assert api.get("/events/", token="dcapi_guess").status_code == 429


def test_failures_are_counted_per_forwarded_address_behind_a_proxy(api, settings):
    settings.FORWARDED_FOR_PROXIES = 1
    settings.API_THROTTLE_RATES = settings.API_THROTTLE_RATES | {
        "failed_authentication": "1/minute"
    }

    def events(forwarded_for, token=None):
        return api.client.get(
            f"{API}/events/", headers=api.headers(token, **{"X-Forwarded-For": forwarded_for})
        )

    assert events("198.51.100.1", token="dcapi_guess").status_code == 401
    assert events("198.51.100.1", token="dcapi_guess").status_code == 429
    assert events("198.51.100.2").status_code == 200


def test_the_schema_and_its_page_are_public(client):
    schema = client.get(f"{API}/schema/", {"format": "json"})
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert set(paths) == {
        "/api/v1/orders/",
        "/api/v1/orders/{number}/",
        "/api/v1/events/",
        "/api/v1/disputes/",
        "/api/v1/disputes/{id}/",
        "/api/v1/sign-in-links/",
        "/api/v1/refunds/",
        "/api/v1/refunds/{refund_id}/executed/",
        "/api/v1/refunds/{refund_id}/failed/",
    }
    assert schema.json()["components"]["securitySchemes"]["clientToken"]["scheme"] == "bearer"
    page = client.get(f"{API}/docs/")
    assert page.status_code == 200
    assert b"swagger-ui" in page.content
    policy = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
