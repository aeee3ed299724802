"""Single sign-on end to end against panva's oidc-provider, a certified OpenID provider
run by the tests: what it takes to be signed in, and every answer that must sign nobody in."""

import base64
import hashlib

import pytest
from django.contrib.auth import SESSION_KEY

from tests.factories import make_order, make_user

from .openid_providers import (
    AFTER_LOGOUT,
    EXPIRED_CLIENT_ID,
    Person,
    node_providers,
    use_provider,
    with_query,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def providers(tmp_path_factory):
    with node_providers(tmp_path_factory.mktemp("oidc-provider")) as running:
        yield running


@pytest.fixture
def provider(providers, settings):
    use_provider(settings, providers.issuer)
    return providers.issuer


@pytest.fixture
def alice(db):
    return make_user("alice", marketplace_id="mp-1001")


def signed_in(client):
    return SESSION_KEY in client.session


def refused_for(caplog, cause):
    """The refusal logged names ``cause``: the check that failed is the one meant."""
    return any(
        record.name == "accounts.oidc" and cause in record.getMessage() for record in caplog.records
    )


def test_signing_in_lands_on_the_page_asked_for(provider, alice, client):
    order_page = f"/orders/{make_order(alice).number}/"

    response = Person(client).sign_in("mp-1001", next_path=order_page)

    assert response.status_code == 302
    assert response.url == order_page
    assert client.session[SESSION_KEY] == str(alice.pk)
    assert client.get(order_page).status_code == 200


def test_an_account_without_marketplace_id_is_found_by_username(provider, client):
    bob = make_user("bob")

    response = Person(client).sign_in("mp-1002")

    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(bob.pk)


def challenge_of(verifier):
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def test_a_wrong_pkce_verifier_is_refused(provider, alice, client, caplog):
    # The code is issued for another verifier's challenge: ours no longer matches it.
    another = challenge_of("another-verifier-" + "x" * 40)

    response = Person(client).sign_in(
        "mp-1001", change=lambda url: with_query(url, code_challenge=another)
    )

    assert response.status_code == 400
    assert not signed_in(client)
    assert refused_for(caplog, "invalid_grant")


def test_a_wrong_nonce_is_refused(provider, alice, client, caplog):
    response = Person(client).sign_in(
        "mp-1001", change=lambda url: with_query(url, nonce="a-nonce-of-another-request")
    )

    assert response.status_code == 400
    assert not signed_in(client)
    assert refused_for(caplog, "'nonce'")


def test_an_id_token_from_another_issuer_is_refused(providers, settings, alice, client, caplog):
    use_provider(settings, providers.foreign)

    response = Person(client).sign_in("mp-1001")

    assert response.status_code == 400
    assert not signed_in(client)
    assert refused_for(caplog, "'iss'")


def test_a_discovery_document_naming_another_issuer_is_refused(providers, settings, client, caplog):
    # The provider's own name for itself is its 127.0.0.1 address, not this one.
    use_provider(settings, providers.issuer.replace("127.0.0.1", "localhost"))

    response = client.get("/accounts/oidc/start/")

    assert response.status_code == 503
    assert not signed_in(client)
    assert refused_for(caplog, "names the issuer")


def test_an_expired_id_token_is_refused(providers, settings, alice, client, caplog):
    use_provider(settings, providers.issuer, client_id=EXPIRED_CLIENT_ID)

    response = Person(client).sign_in("mp-1001")

    assert response.status_code == 400
    assert not signed_in(client)
    assert refused_for(caplog, "expired")


def test_an_unknown_identity_is_told_no_orders_are_known_and_nobody_is_created(
    provider, django_user_model, client
):
    response = Person(client).sign_in("mp-2001")

    assert response.status_code == 403
    assert "No orders are known for you yet" in response.text
    assert "zoe" in response.text
    assert not django_user_model.objects.exists()
    assert not signed_in(client)


def test_logging_out_ends_the_session_at_the_provider(provider, alice, client):
    person = Person(client)
    person.sign_in("mp-1001")

    logout = client.post("/accounts/logout/")

    assert not signed_in(client)
    assert logout.status_code == 302
    assert logout.url.startswith(f"{provider}/session/end")
    assert person.end_session(logout.url) == AFTER_LOGOUT
    # Signed out there too: the provider asks who is signing in again.
    start = client.get("/accounts/oidc/start/")
    assert "<form" in person.at_provider.get(start.url).text
