"""Confirm receipt through the order page: offered in transit only, confirmed first, a POST
with CSRF, refused with a clear message, and the dispute panel updated at once."""

import zoneinfo
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import formats, timezone, translation

from orders.models import OrderEvent
from tests.factories import make_order

pytestmark = pytest.mark.django_db


def days_ago(days):
    return timezone.now() - timedelta(days=days)


def order_page(client, order, language="en"):
    with translation.override(language):
        response = client.get(
            reverse("orders:detail", args=[order.number]), headers={"accept-language": language}
        )
    return response.content.decode()


def confirm(client, order):
    return client.post(reverse("orders:confirm_receipt", args=[order.number]), follow=True)


def test_an_order_in_transit_offers_confirm_receipt_confirmed_first(buyer_client, buyer):
    order = make_order(buyer, shipped_at=days_ago(3))
    content = order_page(buyer_client, order)
    assert '<details class="confirm' in content
    assert "Confirm receipt" in content
    assert "This starts your 15-day dispute window." in content
    assert f'action="{reverse("orders:confirm_receipt", args=[order.number])}"' in content
    assert 'method="post"' in content
    assert "csrfmiddlewaretoken" in content


def test_the_confirmation_names_the_settings_number_of_days(buyer_client, buyer, settings):
    settings.DISPUTE_WINDOW_DAYS_AFTER_RECEIPT = 20
    content = order_page(buyer_client, make_order(buyer, shipped_at=days_ago(3)))
    assert "This starts your 20-day dispute window." in content


def test_confirm_receipt_is_offered_in_french(buyer_client, buyer):
    content = order_page(buyer_client, make_order(buyer, shipped_at=days_ago(3)), "fr")
    assert "Confirmer la réception" in content
    assert "Cela ouvre votre délai de 15 jours pour ouvrir un litige." in content


@pytest.mark.parametrize(
    "dates",
    [{}, {"shipped_at": days_ago(20), "received_at": days_ago(2)}],
    ids=["not-shipped", "received"],
)
def test_confirm_receipt_is_not_offered_unless_in_transit(buyer_client, buyer, dates):
    content = order_page(buyer_client, make_order(buyer, **dates))
    assert "Confirm receipt" not in content
    assert "orders/confirm" not in content


def test_confirming_after_ten_days_offers_open_dispute_at_once(buyer_client, buyer):
    order = make_order(buyer, shipped_at=days_ago(12))
    assert "Open dispute" not in order_page(buyer_client, order)
    before = timezone.now()
    response = confirm(buyer_client, order)
    assert response.redirect_chain == [(reverse("orders:detail", args=[order.number]), 302)]
    content = response.content.decode()
    assert "Receipt confirmed." in content
    assert "Open dispute" in content
    assert "(14 days left)" in content  # 15 days less the instant since, never rounded up
    assert "Confirm receipt" not in content
    assert "confirmed by you" in content
    order.refresh_from_db()
    assert order.receipt_confirmed_by == buyer
    assert before <= order.receipt_confirmed_at <= timezone.now()


def test_confirming_before_ten_days_shows_when_the_window_opens_and_closes(buyer_client, buyer):
    order = make_order(buyer, shipped_at=days_ago(3))
    content = confirm(buyer_client, order).content.decode()
    assert "Open dispute" not in content
    assert "A dispute can be opened from" in content
    assert "still in transit" not in content
    order.refresh_from_db()
    zone = zoneinfo.ZoneInfo(settings.DEFAULT_TIME_ZONE_SHOWN)
    closes = timezone.localtime(order.received_at + timedelta(days=15), zone)
    until = formats.date_format(closes, "DATETIME_FORMAT")
    assert f"From that date you can open a dispute here, until {until}." in content


@pytest.mark.parametrize(
    ("dates", "message"),
    [
        ({}, "The order has not shipped yet: you can confirm its receipt once it has."),
        (
            {"shipped_at": days_ago(20), "received_at": days_ago(2)},
            "This order is already recorded as received",
        ),
    ],
    ids=["not-shipped", "already-received"],
)
def test_confirming_outside_transit_is_refused_with_a_clear_message(
    buyer_client, buyer, dates, message
):
    order = make_order(buyer, **dates)
    response = confirm(buyer_client, order)
    assert response.status_code == 200
    assert 'class="message message--error"' in response.content.decode()
    assert message in response.content.decode()
    order.refresh_from_db()
    assert order.receipt_confirmed_at is None
    assert not OrderEvent.objects.exists()


def test_another_buyers_order_is_not_found(client, buyer, other_buyer):
    order = make_order(buyer, shipped_at=days_ago(3))
    client.force_login(other_buyer)
    response = client.post(reverse("orders:confirm_receipt", args=[order.number]))
    assert response.status_code == 404
    order.refresh_from_db()
    assert order.received_at is None


def test_confirm_receipt_is_a_post(buyer_client, buyer):
    order = make_order(buyer, shipped_at=days_ago(3))
    url = reverse("orders:confirm_receipt", args=[order.number])
    assert buyer_client.get(url).status_code == 405
    order.refresh_from_db()
    assert order.received_at is None


def test_confirm_receipt_needs_the_csrf_token(buyer):
    order = make_order(buyer, shipped_at=days_ago(3))
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(buyer)
    assert strict.post(reverse("orders:confirm_receipt", args=[order.number])).status_code == 403
    order.refresh_from_db()
    assert order.received_at is None


def test_confirm_receipt_needs_a_login(client, buyer):
    order = make_order(buyer, shipped_at=days_ago(3))
    response = client.post(reverse("orders:confirm_receipt", args=[order.number]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
