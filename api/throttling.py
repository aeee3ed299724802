"""Rate limits per client (DRF throttling), answered with 429 and ``Retry-After``.

Rates come from ``settings.API_THROTTLE_RATES``, read at each request. The counters live in
Django's cache: with the default local-memory cache each server process counts on its own;
set ``CACHE_URL`` (a Redis server) to count across processes.
"""

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from accounts.lockout import client_address

from .models import ApiClient


class ClientRateThrottle(SimpleRateThrottle):
    """Every request of a client."""

    scope = "client"

    def get_rate(self):
        return settings.API_THROTTLE_RATES[self.scope]

    def get_cache_key(self, request, view):
        if not isinstance(request.user, ApiClient):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


class BulkOrdersThrottle(ClientRateThrottle):
    """The bulk order upsert, which can write 10,000 orders a call."""

    scope = "bulk_orders"


class FailedAuthenticationThrottle(ClientRateThrottle):
    """Refused tokens from one address: over the limit, that address's tokens are not even
    looked up. Only failures count (``failed``); a try that passes is not recorded."""

    scope = "failed_authentication"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": client_address(request)}

    def throttle_success(self):
        return True  # counted in failed(), once the token is refused

    def failed(self):
        super().throttle_success()
