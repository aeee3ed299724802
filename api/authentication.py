"""Only the marketplace's clients call the API, with ``Authorization: Bearer <token>``.

Sessions are not an authentication of the API (no ``SessionAuthentication``): a buyer,
seller or mediator signed in to the site gets 401 here, and the token means nothing to
the site's pages.
"""

from rest_framework import exceptions, permissions
from rest_framework.authentication import BaseAuthentication

from .models import ApiClient
from .throttling import FailedAuthenticationThrottle


class ApiTokenAuthentication(BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header:
            return None
        # Each refused token is a guess and a database lookup: an address that guessed too
        # often is refused before its next token is looked at.
        throttle = FailedAuthenticationThrottle()
        if not throttle.allow_request(request, None):
            raise exceptions.Throttled(
                throttle.wait(),
                "Too many refused tokens from this address.",
                "too_many_failed_authentications",
            )
        try:
            return self._client(header)
        except exceptions.AuthenticationFailed:
            throttle.failed()
            raise

    def _client(self, header):
        scheme, _space, token = header.strip().partition(" ")
        token = token.strip()
        if scheme.lower() != self.keyword.lower() or not token or " " in token:
            raise exceptions.AuthenticationFailed(
                "Send the client's token as 'Authorization: Bearer <token>'.", "bad_header"
            )
        client = ApiClient.for_token(token)
        if client is None:
            raise exceptions.AuthenticationFailed("This token is not valid.", "invalid_token")
        if client.is_revoked:
            raise exceptions.AuthenticationFailed(
                "This token's client was revoked: ask the dispute centre's staff for a new one.",
                "revoked",
            )
        return client, client

    def authenticate_header(self, request):
        # Makes DRF answer 401 (not 403) when the token is missing or refused.
        return f'{self.keyword} realm="api"'


class IsApiClient(permissions.BasePermission):
    def has_permission(self, request, view):
        return isinstance(request.user, ApiClient)
