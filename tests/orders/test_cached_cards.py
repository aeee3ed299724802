"""The orders lists' cards are cached under the rows they show (``orders.cards.card_rows``):
never another buyer's, a change shows at once, in the reader's language and time zone."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from disputes import actions
from orders.models import Order
from tests.disputes.builders import open_dispute
from tests.factories import make_order

pytestmark = pytest.mark.django_db

CARD = "orders/_order_card.html"


def cards_rendered(response):
    return sum(template.name == CARD for template in response.templates)


def cards(response):
    """The cards' list as the page shows it (the rest of the page has a fresh CSRF token)."""
    page = response.content.decode()
    return page[page.index('<ul class="order-list">') :].split("</ul>")[0]


@pytest.mark.parametrize("url_name", ["orders:account", "orders:list"])
def test_the_cards_are_rendered_once_then_read_from_the_cache(buyer_client, buyer, url_name):
    make_order(buyer)
    first = buyer_client.get(reverse(url_name))
    again = buyer_client.get(reverse(url_name))
    assert cards_rendered(first) == 1
    assert cards_rendered(again) == 0
    assert cards(again) == cards(first)


def test_a_buyer_never_sees_another_buyers_cards(client, buyer, other_buyer):
    placed = datetime(2026, 3, 1, 12, tzinfo=UTC)
    alices = make_order(buyer, item="Same lamp", placed_at=placed)
    bobs = make_order(other_buyer, item="Same lamp", placed_at=placed)
    client.force_login(buyer)
    assert alices.number in client.get(reverse("orders:list")).content.decode()
    client.force_login(other_buyer)
    page = client.get(reverse("orders:list")).content.decode()
    assert bobs.number in page
    assert alices.number not in page


def test_a_change_to_an_order_or_its_dispute_shows_at_once(buyer_client, buyer):
    now = timezone.now()
    order = make_order(buyer, shipped_at=now - timedelta(days=12))
    url = reverse("orders:list")
    assert "status--in_transit" in cards(buyer_client.get(url))

    # Written as an import writes it: no save(), no signal.
    Order.objects.filter(pk=order.pk).update(received_at=now - timedelta(days=3))
    card = cards(buyer_client.get(url))
    assert "status--received" in card
    assert "status--in_transit" not in card
    assert "dispute-badge" not in card

    dispute = open_dispute(buyer, Order.objects.get(pk=order.pk))
    assert "Dispute open" in cards(buyer_client.get(url))
    actions.cancel_dispute(dispute=dispute, buyer=buyer)
    assert "Dispute cancelled" in cards(buyer_client.get(url))


def test_cards_are_in_the_readers_language_and_time_zone(buyer_client, buyer):
    # 23:30 in London is already the next day in Tokyo.
    make_order(buyer, placed_at=datetime(2026, 3, 1, 23, 30, tzinfo=UTC), shipped_at=None)
    url = reverse("orders:list")
    buyer_client.cookies["tz"] = "Europe/London"
    london = buyer_client.get(url).content.decode()
    buyer_client.cookies["tz"] = "Asia/Tokyo"
    tokyo = buyer_client.get(url).content.decode()
    french = buyer_client.get(url, headers={"accept-language": "fr"}).content.decode()
    assert "1 Mar 2026" in london
    assert "2 Mar 2026" in tokyo
    assert "Awaiting shipment" in tokyo
    assert "En attente d\u2019expédition" in french
    assert "2 mars 2026" in french
