"""Single sign-on with OpenID Connect, the marketplace being the provider (PRODUCT.md §11):
the authorization code flow with PKCE, and the ID token it ends with.

Built on Authlib's Django client (1.9), which reads the provider's discovery document,
sends a PKCE challenge (S256), a ``state`` and a ``nonce``, and checks the ID token's
signature against the provider's published keys (read again when a token names a key it has
not seen); it uses only Django's sessions and redirects, and installs cleanly
beside Django 6.1. Weighed against it: mozilla-django-oidc (5.0) has PKCE but no discovery,
so every endpoint and the keys' address are settings an operator copies by hand, its
classifiers stop at Django 5.2, and it creates accounts unless told not to;
social-auth-app-django (8.0) declares Django 6.1 and reads discovery, but brings its own
models, a pipeline made to create users and six more packages, for one provider. Authlib
creates nobody: who may sign in is decided here, from the accounts the marketplace's orders
made. It checks the audience only when asked: ``finish`` asks.
"""

import logging
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from typing import Any

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.common.urls import add_params_to_uri
from authlib.integrations.django_client import DjangoOAuth2App, OAuth
from django.conf import settings
from django.http import HttpRequest, HttpResponseRedirect
from joserfc.errors import JoseError

from .models import User
from .provisioning import find_account

logger = logging.getLogger(__name__)

SCOPES = "openid profile email"
# Where the ID token is kept in the session: logging out hands it back to the provider.
ID_TOKEN_SESSION_KEY = "oidc_id_token"
# An ID token's times may be off by this many seconds: two machines' clocks never agree.
CLOCK_LEEWAY_SECONDS = 60
# A provider that does not answer within this many seconds is taken to be down, rather
# than holding the person's request (and a server's worker) for as long as it likes.
PROVIDER_TIMEOUT_SECONDS = 10


class Refusal(StrEnum):
    """Why a sign-in through the provider signed nobody in."""

    PROVIDER_UNAVAILABLE = "provider_unavailable"
    # The provider's answer could not be trusted: state, PKCE, nonce, signature, issuer,
    # audience or expiry.
    NOT_CONFIRMED = "not_confirmed"
    UNKNOWN_IDENTITY = "unknown_identity"
    # Staff and inactive accounts: staff sign in to the admin with their own password.
    NOT_ALLOWED = "not_allowed"


@dataclass(frozen=True)
class Outcome:
    """A finished sign-in: the account to sign in, or why there is none."""

    user: User | None = None
    refusal: Refusal | None = None
    id_token: str = ""
    # How the provider names the person, for a page that tells them they are unknown here.
    identity: str = ""


class ProviderUnavailable(Exception):
    """The provider cannot be reached, or its discovery document does not name our issuer."""


def enabled() -> bool:
    return bool(settings.OIDC_ISSUER)


@cache
def _client(issuer: str, client_id: str, client_secret: str) -> DjangoOAuth2App:
    # One client per configuration and process: it keeps the discovery document and the
    # keys once read.
    client: DjangoOAuth2App = OAuth().register(
        name="marketplace",
        client_id=client_id,
        client_secret=client_secret,
        server_metadata_url=f"{issuer.rstrip('/')}/.well-known/openid-configuration",
        client_kwargs={
            "scope": SCOPES,
            "code_challenge_method": "S256",
            "default_timeout": PROVIDER_TIMEOUT_SECONDS,
        },
    )
    return client


def _provider() -> tuple[DjangoOAuth2App, dict[str, Any]]:
    """The client and the provider's discovery document, which must name our issuer (an
    impostor's document could send the person, and our secret, elsewhere)."""
    client = _client(settings.OIDC_ISSUER, settings.OIDC_CLIENT_ID, settings.OIDC_CLIENT_SECRET)
    try:
        metadata = client.load_server_metadata()
    except requests.RequestException as error:
        logger.warning("OpenID provider %s unavailable: %s", settings.OIDC_ISSUER, error)
        raise ProviderUnavailable from error
    if metadata.get("issuer") != settings.OIDC_ISSUER:
        logger.error(
            "OpenID provider's discovery document names the issuer %r, not OIDC_ISSUER %r",
            metadata.get("issuer"),
            settings.OIDC_ISSUER,
        )
        raise ProviderUnavailable
    return client, metadata


def authorization_redirect(request: HttpRequest, *, redirect_uri: str) -> HttpResponseRedirect:
    """Send the person to the provider; ``state``, ``nonce`` and the PKCE verifier stay in
    their session. Raises ProviderUnavailable."""
    client, _ = _provider()
    response: HttpResponseRedirect = client.authorize_redirect(request, redirect_uri)
    return response


def finish(request: HttpRequest) -> Outcome:
    """Read the provider's answer on its return to the redirect URI and find the account
    it names. Signs nobody in."""
    try:
        client, metadata = _provider()
        token = client.authorize_access_token(
            request,
            claims_options={
                "iss": {"essential": True, "value": settings.OIDC_ISSUER},
                "aud": {"essential": True, "value": settings.OIDC_CLIENT_ID},
            },
            leeway=CLOCK_LEEWAY_SECONDS,
        )
        claims = token.get("userinfo")
        if not claims:
            logger.warning("OpenID provider answered without an ID token")
            return Outcome(refusal=Refusal.NOT_CONFIRMED)
        claims = _with_username(client, metadata, token, claims)
    except (ProviderUnavailable, requests.RequestException) as error:
        logger.warning("OpenID sign-in: provider unavailable: %s", error)
        return Outcome(refusal=Refusal.PROVIDER_UNAVAILABLE)
    except (AuthlibBaseError, JoseError) as error:
        logger.warning("OpenID sign-in refused: %r", error)
        return Outcome(refusal=Refusal.NOT_CONFIRMED)

    identity = str(claims.get(settings.OIDC_USERNAME_CLAIM) or claims.get("email") or "")
    user = find_account(
        marketplace_id=claims["sub"], username=claims.get(settings.OIDC_USERNAME_CLAIM) or ""
    )
    if user is None:
        return Outcome(refusal=Refusal.UNKNOWN_IDENTITY, identity=identity)
    if user.is_staff or not user.is_active:
        return Outcome(refusal=Refusal.NOT_ALLOWED, identity=identity)
    return Outcome(user=user, id_token=token["id_token"], identity=identity)


def _with_username(
    client: DjangoOAuth2App,
    metadata: dict[str, Any],
    token: dict[str, Any],
    claims: dict[str, Any],
) -> dict[str, Any]:
    """The ID token's claims, with the username claim from the userinfo endpoint when the
    ID token leaves it there (providers that keep ID tokens small do)."""
    if settings.OIDC_USERNAME_CLAIM in claims or "userinfo_endpoint" not in metadata:
        return claims
    userinfo = client.userinfo(token=token)
    # The userinfo answer counts only for the person the ID token is about.
    if userinfo.get("sub") != claims["sub"]:
        logger.warning("OpenID userinfo is about another subject than the ID token")
        return claims
    return {**userinfo, **claims}


def end_session_url(*, id_token: str, post_logout_redirect_uri: str) -> str | None:
    """Where to end the person's session at the provider (RP-initiated logout), or None
    when the provider offers no end-session endpoint or cannot be reached."""
    try:
        _, metadata = _provider()
    except ProviderUnavailable:
        return None
    if not (endpoint := metadata.get("end_session_endpoint")):
        return None
    url: str = add_params_to_uri(
        endpoint,
        {
            "id_token_hint": id_token,
            "post_logout_redirect_uri": post_logout_redirect_uri,
            "client_id": settings.OIDC_CLIENT_ID,
        },
    )
    return url
