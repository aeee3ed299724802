"""POST /api/v1/sign-in-links/: the marketplace asks for a one-time link for one of its
people and a page of this site (PRODUCT.md §10, §11)."""

from datetime import timedelta

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from tests.api.conftest import API, error_of
from tests.factories import make_user

pytestmark = pytest.mark.django_db

ORDER_PAGE = "/orders/8030112233445566/"


def test_a_link_for_a_username_signs_its_account_in_on_the_page(api, buyer, settings):
    before = timezone.now()
    response = api.post("/sign-in-links/", {"username": "alice", "next": ORDER_PAGE})

    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"url", "expires_at"}
    assert body["url"].startswith(f"{settings.SITE_URL}/accounts/sign-in/")
    assert body["expires_at"].endswith("Z")  # UTC, as every time the API writes
    expires_at = parse_datetime(body["expires_at"])
    max_age = timedelta(seconds=settings.SIGN_IN_LINK_MAX_AGE_SECONDS)
    assert before + max_age <= expires_at <= timezone.now() + max_age

    browser = Client()
    landed = browser.get(body["url"].removeprefix(settings.SITE_URL))
    assert landed["Location"] == ORDER_PAGE
    assert browser.session[SESSION_KEY] == str(buyer.pk)


def test_a_link_for_the_marketplaces_account_id(api):
    bob = make_user("bob", marketplace_id="mp-4411")
    response = api.post("/sign-in-links/", {"account_id": "mp-4411"})
    assert response.status_code == 201
    browser = Client()
    browser.get(response.json()["url"].removeprefix("http://127.0.0.1:8000"))
    assert browser.session[SESSION_KEY] == str(bob.pk)


def test_without_next_the_link_opens_my_account(api, buyer):
    response = api.post("/sign-in-links/", {"username": "alice"})
    url = response.json()["url"].removeprefix("http://127.0.0.1:8000")
    assert Client().get(url)["Location"] == reverse("orders:account")


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"is_staff": True}, "staff_account"),
        ({"is_active": False}, "inactive_account"),
    ],
)
def test_staff_and_inactive_accounts_get_no_link(api, fields, code):
    make_user("someone", **fields)
    response = api.post("/sign-in-links/", {"username": "someone"})
    assert response.status_code == 403
    assert error_of(response) == (code, [])


@pytest.mark.parametrize("body", [{"username": "nobody"}, {"account_id": "mp-0"}])
def test_an_unknown_account_is_not_found(api, body):
    response = api.post("/sign-in-links/", body)
    assert response.status_code == 404
    assert error_of(response) == ("unknown_account", [])


@pytest.mark.parametrize(
    "next_path",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example/",
        "/\t/evil.example",
        "/orders/\r\nSet-Cookie: x",
        "orders/8030/",
        "",
        None,
        ["/"],
    ],
)
def test_next_must_be_a_path_of_this_site(api, buyer, next_path):
    response = api.post("/sign-in-links/", {"username": "alice", "next": next_path})
    assert response.status_code == 400
    assert error_of(response) == ("invalid_request", [(None, "next")])


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({}, ["username"]),
        ({"username": "alice", "account_id": "mp-1"}, ["username"]),
        ({"username": ""}, ["username"]),
        ({"account_id": 7}, ["account_id"]),
        # PostgreSQL refuses NUL in a text: refused here, never a 500.
        ({"username": "ali\u0000ce"}, ["username"]),
        ({"account_id": "mp-\ud800"}, ["account_id"]),
        ({"username": "alice", "role": "staff"}, ["role"]),
    ],
)
def test_a_malformed_request_names_its_problems(api, buyer, body, fields):
    response = api.post("/sign-in-links/", body)
    assert response.status_code == 400
    assert [field for _index, field in error_of(response)[1]] == fields


def test_a_link_needs_the_clients_token(api, buyer):
    response = api.post("/sign-in-links/", {"username": "alice"}, token="")
    assert response.status_code == 401


def test_the_schema_describes_the_request_and_every_answer(client):
    schema = client.get(f"{API}/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/sign-in-links/"]["post"]
    assert operation["operationId"] == "create_sign_in_link"
    assert set(operation["responses"]) == {"201", "400", "401", "403", "404", "415", "429"}
    assert "staff_account" in operation["responses"]["403"]["description"]
    request = operation["requestBody"]["content"]["application/json"]["schema"]
    assert set(request["properties"]) == {"username", "account_id", "next"}
