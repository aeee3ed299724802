from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import receipts
from .forms import ReturnAddressForm
from .models import Order, OrderStatus, Seller

ORDERS_PER_PAGE = 20
LATEST_ORDERS_ON_ACCOUNT = 3


def buyer_orders(request):
    return Order.objects.filter(buyer=request.user).select_related("seller")


def buyer_order(request, number):
    # Another buyer's order answers 404: its existence is not ours to reveal.
    return get_object_or_404(buyer_orders(request), number=number)


@login_required
def account(request):
    latest_orders = buyer_orders(request).for_cards().newest_first()[:LATEST_ORDERS_ON_ACCOUNT]
    return render(request, "orders/account.html", {"latest_orders": latest_orders})


@login_required
def order_list(request):
    status = request.GET.get("status", "")
    if status not in OrderStatus.values:
        status = ""
    orders = buyer_orders(request).for_cards().with_status(status).newest_first()
    page = Paginator(orders, ORDERS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "orders/order_list.html",
        {"page": page, "status": status, "statuses": OrderStatus.choices},
    )


@login_required
def order_detail(request, number):
    return render(request, "orders/order_detail.html", {"order": buyer_order(request, number)})


@require_POST
@login_required
def confirm_receipt(request, number):
    order = buyer_order(request, number)
    try:
        receipts.confirm_receipt(order=order, buyer=request.user)
    except receipts.ReceiptError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Receipt confirmed."))
    return redirect("orders:detail", number=order.number)


@login_required
def return_address(request):
    """The seller's return address, where buyers send an item back before a refund."""
    seller = get_object_or_404(Seller, user=request.user)
    form = ReturnAddressForm(request.POST or None, instance=seller)
    back = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = ""
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your return address is saved."))
        return redirect(back or "orders:account")
    return render(request, "orders/return_address.html", {"form": form, "next": back})
