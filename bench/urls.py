"""The app's URLs plus the two peer pages, the benchmark's anchors: served under bench
settings only.

The bare peer is the TechEmpower "fortunes" shape on this app's data: one query for 20
orders rendered through a Django template, with no session, no user and no layout. It
shows what Django itself costs on this machine for a page of rows.

The logged-in peer is the cheapest logged-in page Django can serve: the same middleware as
every page, the session and the user read, and 20 of that user's orders in a minimal
template. What a buyer's page costs beyond it is the app's own work.
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path

from config.urls import urlpatterns as app_urlpatterns
from orders.models import Order

PEER_ROWS = 20
PEER_FIELDS = ("number", "item", "price", "currency", "placed_at")


def peer(request):
    orders = Order.objects.only(*PEER_FIELDS).order_by("-pk")[:PEER_ROWS]
    return render(request, "bench/peer.html", {"orders": orders})


@login_required
def logged_in_peer(request):
    orders = Order.objects.filter(buyer=request.user).only(*PEER_FIELDS)[:PEER_ROWS]
    return render(request, "bench/logged_in_peer.html", {"orders": orders})


urlpatterns = [
    path("bench/peer/", peer, name="bench_peer"),
    path("bench/logged-in-peer/", logged_in_peer, name="bench_logged_in_peer"),
    *app_urlpatterns,
]
