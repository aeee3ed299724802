"""The app's URLs plus the peer page, the benchmark's anchor: served under bench settings only.

The peer is the TechEmpower "fortunes" shape on this app's data: one query for 20 orders
rendered through a Django template, with no session, no user and no layout. It shows what
Django itself costs on this machine for a page of rows, so a buyer's page can be compared
with the same work done bare.

Two more pages measure the fixed cost of a logged-in page (``bench/instructions.py
--fixed-cost``): a logged-in buyer's request answered with no page (the session and the
user), and an empty page in the app's layout for the same buyer; the difference between
them is the layout's own cost.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
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


@login_required
def logged_in(request):
    return HttpResponse(request.user.get_username(), content_type="text/plain")


@login_required
def empty_page(request):
    return render(request, "bench/empty_page.html")


urlpatterns = [
    path("bench/peer/", peer, name="bench_peer"),
    path("bench/logged-in/", logged_in, name="bench_logged_in"),
    path("bench/empty-page/", empty_page, name="bench_empty_page"),
    *app_urlpatterns,
]
