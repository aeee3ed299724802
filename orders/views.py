from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from .models import Order, OrderStatus

ORDERS_PER_PAGE = 20
LATEST_ORDERS_ON_ACCOUNT = 3


def buyer_orders(request):
    return Order.objects.filter(buyer=request.user).select_related("seller")


@login_required
def account(request):
    latest_orders = buyer_orders(request).newest_first()[:LATEST_ORDERS_ON_ACCOUNT]
    return render(request, "orders/account.html", {"latest_orders": latest_orders})


@login_required
def order_list(request):
    status = request.GET.get("status", "")
    if status not in OrderStatus.values:
        status = ""
    orders = buyer_orders(request).with_status(status).newest_first()
    page = Paginator(orders, ORDERS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "orders/order_list.html",
        {"page": page, "status": status, "statuses": OrderStatus.choices},
    )


@login_required
def order_detail(request, number):
    # Another buyer's order answers 404: its existence is not ours to reveal.
    order = get_object_or_404(buyer_orders(request), number=number)
    return render(request, "orders/order_detail.html", {"order": order})
