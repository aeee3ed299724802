"""Real OpenID providers for the single sign-on tests, and a person going through them.

panva's oidc-provider (Node, OpenID Certified) runs in a subprocess, from
tests/accounts/oidc_provider (``npm ci`` there installs it; ``.ci/run`` and ``make test``
do). oidc-provider-mock (Python) runs in a thread of the test process, for quick tests.
Between the dispute centre (Django's test client) and the provider (HTTP, with its own
cookies), ``Person`` does what a browser does: follow redirects and fill in the provider's
login form.
"""

import json
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import oidc_provider_mock
import pytest
import requests
import werkzeug.serving
from django.test import Client

from tests import servers

NODE_PROVIDER = Path(__file__).resolve().parent / "oidc_provider"
SITE = "http://testserver"
AFTER_LOGOUT = f"{SITE}/accounts/login/"
CLIENT_ID = "dispute-centre"
CLIENT_SECRET = "dispute-centre-test-secret-0123456789abcdef"
# A client of the same provider whose ID tokens expired before they were issued.
EXPIRED_CLIENT_ID = "dispute-centre-expired"
# What the foreign provider signs its tokens as, while its discovery names its own address.
FOREIGN_ISSUER = "https://issuer.example"
# The provider's people: sub → claims.
IDENTITIES = {
    "mp-1001": {"preferred_username": "alice", "email": "alice@example.com", "name": "Alice"},
    "mp-1002": {"preferred_username": "bob", "email": "bob@example.com", "name": "Bob"},
    "mp-2001": {"preferred_username": "zoe", "email": "zoe@example.com", "name": "Zoé"},
    "mp-3001": {"preferred_username": "mina", "email": "mina@example.com", "name": "Mina"},
}


@dataclass(frozen=True)
class NodeProviders:
    issuer: str
    # Its discovery document names this address as issuer; its tokens, FOREIGN_ISSUER.
    foreign: str


@contextmanager
def node_providers(workdir: Path, *, site: str = SITE) -> Iterator[NodeProviders]:
    """Two providers of panva's oidc-provider in one Node process, their client being the
    dispute centre at ``site``; stopped on leaving."""
    if not (NODE_PROVIDER / "node_modules" / "oidc-provider").is_dir():
        pytest.fail(f"oidc-provider is not installed: run `npm ci` in {NODE_PROVIDER}")
    ports = servers.free_port(), servers.free_port()
    issuer, foreign = (f"http://{servers.HOST}:{port}" for port in ports)
    client = {
        "client_secret": CLIENT_SECRET,
        "redirect_uris": [f"{site}/accounts/oidc/callback/"],
        "post_logout_redirect_uris": [f"{site}/accounts/login/"],
    }
    config = {
        "providers": [
            {"port": ports[0], "issuer": issuer},
            {"port": ports[1], "issuer": FOREIGN_ISSUER, "advertisedIssuer": foreign},
        ],
        "clients": [
            {"client_id": CLIENT_ID, **client},
            {"client_id": EXPIRED_CLIENT_ID, "expiredIdTokens": True, **client},
        ],
        "accounts": [{"sub": sub, "claims": claims} for sub, claims in IDENTITIES.items()],
    }
    config_file = workdir / "provider.json"
    config_file.write_text(json.dumps(config))
    log = workdir / "provider.log"
    with ExitStack() as stack:
        process = servers.launch(
            stack, ["node", "provider.js", str(config_file)], log=log, cwd=NODE_PROVIDER
        )
        for port in ports:
            servers.wait_for_port(port, process, "oidc-provider", log)
        yield NodeProviders(issuer=issuer, foreign=foreign)


@contextmanager
def mock_provider() -> Iterator[str]:
    """oidc-provider-mock on a free port of 127.0.0.1, knowing IDENTITIES; its issuer."""
    app = oidc_provider_mock.app(
        user_claims=[
            oidc_provider_mock.User(sub=sub, claims=claims) for sub, claims in IDENTITIES.items()
        ]
    )
    server = werkzeug.serving.make_server(servers.HOST, 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://{servers.HOST}:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def use_provider(settings, issuer: str, *, client_id: str = CLIENT_ID) -> None:
    """Configure single sign-on as an operator does, with ``issuer``."""
    settings.OIDC_ISSUER = issuer
    settings.OIDC_CLIENT_ID = client_id
    settings.OIDC_CLIENT_SECRET = CLIENT_SECRET


def with_query(url: str, **changes: str) -> str:
    """``url`` with some of its query's parameters replaced."""
    parts = urlsplit(url)
    query = {name: values[0] for name, values in parse_qs(parts.query).items()}
    return urlunsplit(parts._replace(query=urlencode(query | changes)))


class Person:
    """Someone with a browser: the dispute centre's pages through ``client``, the
    provider's through an HTTP session of their own."""

    def __init__(self, client: Client):
        self.client = client
        self.at_provider = requests.Session()

    def sign_in(self, sub: str, *, next_path: str = "", change: Callable[[str], str] = str):
        """Press "Sign in with…", sign in at the provider as ``sub`` if asked to, and come
        back; the dispute centre's answer. ``change`` alters the address of the provider's
        authorization page first, as an attacker in the middle could."""
        query = {"next": next_path} if next_path else {}
        start = self.client.get("/accounts/oidc/start/", query)
        assert start.status_code == 302, start.content
        return self.client.get(self.through_provider(change(start.url), sub))

    def through_provider(self, url: str, sub: str) -> str:
        """Follow the provider's redirects, signing in as ``sub`` on its login form; the
        address it finally sends the browser back to."""
        while not url.startswith(SITE):
            response = self.at_provider.get(url, allow_redirects=False, timeout=30)
            if response.is_redirect:
                url = requests.compat.urljoin(url, response.headers["Location"])
                continue
            assert response.status_code == 200, response.text
            action, fields = login_form(response.text, sub)
            response = self.at_provider.post(
                requests.compat.urljoin(url, action), fields, allow_redirects=False, timeout=30
            )
            assert response.is_redirect, response.text
            url = requests.compat.urljoin(url, response.headers["Location"])
        return url

    def end_session(self, url: str) -> str:
        """Answer yes on the provider's "sign out?" page; where it sends the browser."""
        page = self.at_provider.get(url, allow_redirects=False, timeout=30)
        assert page.status_code == 200, page.text
        action = re.search(r'<form[^>]*action="([^"]+)"', page.text)[1]
        fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page.text))
        response = self.at_provider.post(
            requests.compat.urljoin(url, action),
            fields | {"logout": "yes"},
            allow_redirects=False,
            timeout=30,
        )
        assert response.is_redirect, response.text
        return response.headers["Location"]


def login_form(page: str, sub: str) -> tuple[str, dict[str, str]]:
    """The provider's login form: where it posts, and its fields filled in for ``sub``.
    oidc-provider's asks for ``login``; oidc-provider-mock's for ``sub``."""
    if 'name="login"' in page:
        return re.search(r'<form method="post" action="([^"]+)"', page)[1], {"login": sub}
    return "", {"sub": sub}
