"""Orders come from the marketplace: staff look at them in the admin and nobody edits one
there, so a disputed order keeps its seller, price and currency (PRODUCT.md §8) on that
path too."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from orders.models import Order
from tests.disputes.builders import open_dispute
from tests.factories import make_seller

pytestmark = pytest.mark.django_db


def test_not_even_a_superuser_changes_a_disputed_orders_seller_in_the_admin(client, buyer):
    dispute = open_dispute(buyer)
    superuser = get_user_model().objects.create_superuser("admin", "admin@example.com", "pw")
    client.force_login(superuser)
    url = reverse("admin:orders_order_change", args=[dispute.order.pk])
    another = make_seller("Another Store")

    response = client.post(url, {"seller": another.pk, "price": "1.00", "currency": "GBP"})

    assert response.status_code == 403
    order = Order.objects.get(pk=dispute.order.pk)
    assert (order.seller, order.price, order.currency) == (dispute.seller, Decimal("12.99"), "EUR")
