"""Single sign-on, the quick cases, against oidc-provider-mock (a Python OpenID provider
run in a thread of the tests): the login page's button, who is signed in and who is not,
where they land, a provider that is down, logging out, and the settings."""

from urllib.parse import quote

import pytest
from django.contrib.auth import SESSION_KEY
from django.core.exceptions import ImproperlyConfigured
from django.test import Client

from tests import servers
from tests.factories import make_user

from .openid_providers import AFTER_LOGOUT, Person, mock_provider, use_provider

pytestmark = pytest.mark.django_db


@pytest.fixture
def provider(settings):
    with mock_provider() as issuer:
        use_provider(settings, issuer)
        yield issuer


@pytest.fixture
def alice(db):
    return make_user("alice", marketplace_id="mp-1001")


def signed_in(client):
    return SESSION_KEY in client.session


def test_the_login_page_offers_the_provider_by_name(provider, settings, client):
    settings.OIDC_PROVIDER_NAME = "Bazaar"

    page = client.get("/accounts/login/", {"next": "/orders/"}).text

    assert "Sign in with Bazaar" in page
    assert 'href="/accounts/oidc/start/?next=/orders/"' in page


def test_the_login_page_names_the_marketplace_in_the_persons_language(provider, client):
    assert "Sign in with the marketplace" in client.get("/accounts/login/").text
    french = client.get("/accounts/login/", headers={"accept-language": "fr"}).text
    assert "Se connecter avec la place de marché" in french


def test_without_a_provider_there_is_no_button_and_no_way_through(client):
    assert "Sign in with" not in client.get("/accounts/login/").text
    assert client.get("/accounts/oidc/start/").status_code == 404
    assert client.get("/accounts/oidc/callback/").status_code == 404


def test_signing_in_without_a_page_asked_for_lands_on_my_account(provider, alice, client):
    response = Person(client).sign_in("mp-1001")

    assert response.status_code == 302
    assert response.url == "/"
    assert client.session[SESSION_KEY] == str(alice.pk)


@pytest.mark.parametrize(
    "next_path", ["https://evil.example/", "//evil.example/", "/\\evil.example/"]
)
def test_a_page_of_another_site_is_never_where_one_lands(provider, alice, client, next_path):
    response = Person(client).sign_in("mp-1001", next_path=next_path)

    assert response.status_code == 302
    assert response.url == "/"


@pytest.mark.parametrize(
    "fields", [{"is_staff": True}, {"is_active": False}], ids=["staff", "inactive"]
)
def test_staff_and_inactive_accounts_are_not_signed_in_this_way(provider, client, fields):
    make_user("alice", marketplace_id="mp-1001", **fields)

    response = Person(client).sign_in("mp-1001")

    assert response.status_code == 403
    assert "This account cannot sign in with the marketplace" in response.text
    assert not signed_in(client)


def test_a_username_taken_by_another_marketplace_account_is_not_that_person(provider, client):
    make_user("bob", marketplace_id="mp-9999")

    response = Person(client).sign_in("mp-1002")

    assert response.status_code == 403
    assert not signed_in(client)


def test_an_unknown_identity_is_told_in_french_no_orders_are_known(
    provider, django_user_model, client
):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "fr"

    response = Person(client).sign_in("mp-2001")

    assert response.status_code == 403
    assert "Aucune commande n’est encore connue pour vous" in response.text  # noqa: RUF001
    assert not django_user_model.objects.exists()


def test_coming_back_without_having_left_from_here_signs_nobody_in(provider, alice, client):
    # The provider's answer to a sign-in started in another browser: no state of ours.
    elsewhere = Person(Client())
    start = elsewhere.client.get("/accounts/oidc/start/")
    callback = elsewhere.through_provider(start.url, "mp-1001")

    response = client.get(callback)

    assert response.status_code == 400
    assert not signed_in(client)


def test_a_provider_that_is_down_gets_a_clear_page(settings, client):
    use_provider(settings, f"http://{servers.HOST}:{servers.free_port()}")

    response = client.get("/accounts/oidc/start/")

    assert response.status_code == 503
    assert "the marketplace cannot be reached" in response.text.lower()


def test_a_provider_gone_down_before_the_return_signs_nobody_in(settings, alice, client):
    person = Person(client)
    with mock_provider() as issuer:
        use_provider(settings, issuer)
        start = client.get("/accounts/oidc/start/")
        callback = person.through_provider(start.url, "mp-1001")

    response = client.get(callback)

    assert response.status_code == 503
    assert not signed_in(client)


def test_logging_out_goes_to_the_providers_end_session_page(provider, alice, client):
    Person(client).sign_in("mp-1001")

    logout = client.post("/accounts/logout/")

    assert not signed_in(client)
    assert logout.url.startswith(f"{provider}/oauth2/end_session?id_token_hint=ey")
    assert f"post_logout_redirect_uri={quote(AFTER_LOGOUT, safe='')}" in logout.url


def test_logging_out_after_a_password_login_stays_here(provider, alice, client):
    client.force_login(alice)

    logout = client.post("/accounts/logout/")

    assert logout.url == "/accounts/login/"


PROVIDER_SETTINGS = {"OIDC_CLIENT_ID": "dispute-centre", "OIDC_CLIENT_SECRET": "s3cret"}
PRODUCTION = {"DJANGO_ENV": "production", "DJANGO_SECRET_KEY": "x" * 50}


def test_production_refuses_an_http_issuer():
    with pytest.raises(ImproperlyConfigured, match="OIDC_ISSUER must be an https:// address"):
        servers.settings_read_from(
            PRODUCTION | PROVIDER_SETTINGS | {"OIDC_ISSUER": "http://id.example"}
        )


def test_production_takes_an_https_issuer_and_lets_forms_go_to_it():
    configured = servers.settings_read_from(
        PRODUCTION | PROVIDER_SETTINGS | {"OIDC_ISSUER": "https://id.example/realm"}
    )

    assert configured["OIDC_ISSUER"] == "https://id.example/realm"
    assert "https://id.example" in configured["SECURE_CSP"]["form-action"]


def test_an_http_issuer_is_accepted_outside_production():
    configured = servers.settings_read_from(PROVIDER_SETTINGS | {"OIDC_ISSUER": "http://id.test"})

    assert configured["OIDC_ISSUER"] == "http://id.test"


def test_a_provider_half_configured_is_refused_at_start():
    with pytest.raises(ImproperlyConfigured, match="set together"):
        servers.settings_read_from({"OIDC_ISSUER": "https://id.example"})
