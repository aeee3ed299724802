"""Single sign-on in a real browser against panva's oidc-provider: "Sign in with the
marketplace" on the login page lands on the order asked for, and logging out goes through
the provider's sign-out page (a redirect the Content-Security-Policy must allow)."""

import re

import pytest
from playwright.sync_api import expect

from tests import servers
from tests.accounts.openid_providers import CLIENT_ID, CLIENT_SECRET, node_providers
from tests.factories import make_order, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def provider(live_server, tmp_path_factory):
    with node_providers(tmp_path_factory.mktemp("oidc-provider"), site=live_server.url) as running:
        yield running.issuer


@pytest.fixture
def single_sign_on(provider, settings):
    """Configured from the environment as an operator does, Content-Security-Policy too."""
    configured = servers.settings_read_from(
        {"OIDC_ISSUER": provider, "OIDC_CLIENT_ID": CLIENT_ID, "OIDC_CLIENT_SECRET": CLIENT_SECRET}
    )
    for name in ("OIDC_ISSUER", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET", "SECURE_CSP"):
        setattr(settings, name, configured[name])
    return provider


def test_a_buyer_signs_in_with_the_marketplace_and_out_of_both(
    browser, live_server, single_sign_on
):
    order = make_order(make_user("alice", marketplace_id="mp-1001"))
    page = browser.new_context().new_page()

    page.goto(f"{live_server.url}/accounts/login/?next=/orders/{order.number}/")
    page.get_by_role("link", name="Sign in with the marketplace").click()
    page.get_by_label("Account").fill("mp-1001")
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url(f"{live_server.url}/orders/{order.number}/")

    page.goto(f"{live_server.url}/")
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(re.escape(f"{single_sign_on}/session/end?")))
    page.get_by_role("button", name="Yes, sign me out").click()

    expect(page).to_have_url(f"{live_server.url}/accounts/login/")
