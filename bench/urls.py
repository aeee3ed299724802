"""The app's URLs plus the peer page, the benchmark's anchor: served under bench settings only.

The peer is the TechEmpower "fortunes" shape on this app's data: one query for 20 orders
rendered through a Django template, with no session, no user and no layout. It shows what
Django itself costs on this machine for a page of rows, so a buyer's page can be compared
with the same work done bare.
"""

from django.shortcuts import render
from django.urls import path

from config.urls import urlpatterns as app_urlpatterns
from orders.models import Order

PEER_ROWS = 20


def peer(request):
    orders = Order.objects.only("number", "item", "price", "currency", "placed_at").order_by("-pk")[
        :PEER_ROWS
    ]
    return render(request, "bench/peer.html", {"orders": orders})


urlpatterns = [
    path("bench/peer/", peer, name="bench_peer"),
    *app_urlpatterns,
]
