"""/metrics, for Prometheus: to the networks the operator allows, or with the token."""

import hmac
import ipaddress

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from prometheus_client import CONTENT_TYPE_LATEST

from accounts.lockout import client_address

from . import metrics
from .collectors import DatabaseCollector


@never_cache
def metrics_view(request: HttpRequest) -> HttpResponse:
    """Anyone else gets a 404: the path says nothing to whoever is not meant to scrape it."""
    if not (_bearer_token_matches(request) or _from_allowed_network(request)):
        raise Http404
    return HttpResponse(metrics.exposition(DatabaseCollector()), content_type=CONTENT_TYPE_LATEST)


def _bearer_token_matches(request: HttpRequest) -> bool:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    expected = settings.METRICS_TOKEN
    return (
        bool(expected)
        and scheme.lower() == "bearer"
        and hmac.compare_digest(token.strip().encode(), expected.encode())
    )


def _from_allowed_network(request: HttpRequest) -> bool:
    # The client's address as the lock-out counts it: behind FORWARDED_FOR_PROXIES proxies,
    # the one the nearest proxy saw, so that a request relayed by a proxy on this machine
    # is not taken for a local one (docs/deploy.md, "Watching it").
    try:
        address = ipaddress.ip_address(client_address(request) or "")
    except ValueError:
        return False
    return any(
        address in ipaddress.ip_network(network) for network in settings.METRICS_ALLOWED_NETWORKS
    )
