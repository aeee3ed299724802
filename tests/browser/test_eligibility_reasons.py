"""Each situation where a dispute cannot be opened shows its reason and dates on the order
page; an open dispute shows where it stands instead."""

# ruff: noqa: RUF001 -- French text uses the typographic apostrophe, as the translation does.

import zoneinfo
from datetime import timedelta

import pytest
from django.utils import formats, timezone, translation
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE, TIME_ZONE
from tests.disputes.builders import decided_dispute, open_dispute
from tests.factories import make_order, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEADLINES = {
    "en": {
        "not_shipped": "The seller has not confirmed shipment yet.",
        "too_early": "The seller confirmed shipment on {shipped}.",
        "in_transit": "The order is still in transit: delivery is promised by",
        "window_closed": "The time to open a dispute ended on {closed}.",
        "dispute_open": "Your dispute on this order is open: With a mediator.",
        "already_decided": "A dispute on this order was decided on {decided}: "
        "Rejected, in the seller's favour.",
    },
    "fr": {
        "not_shipped": "Le vendeur n’a pas encore confirmé l’expédition.",
        "too_early": "Le vendeur a confirmé l’expédition le {shipped}.",
        "in_transit": "La commande est toujours en cours d’acheminement : la livraison est promise",
        "window_closed": "Le délai pour ouvrir un litige a pris fin le {closed}.",
        "dispute_open": "Votre litige sur cette commande est ouvert : En médiation.",
        "already_decided": "Un litige sur cette commande a été tranché le {decided} : "
        "Rejeté, en faveur du vendeur.",
    },
}
FOLLOW_UPS = {
    "en": {
        "too_early": "A dispute can be opened from {opens}, 10 days after shipment.",
        "window_closed": "within 15 days of receiving the order",
        "dispute_open": "See the open dispute",
        "already_decided": "contact customer service to appeal the decision",
    },
    "fr": {
        "too_early": "Un litige peut être ouvert à partir du {opens}, 10 jours après l’expédition.",
        "window_closed": "dans les 15 jours suivant la réception de la commande",
        "dispute_open": "Voir le litige ouvert",
        "already_decided": "contacter le service client pour faire appel de la décision",
    },
}


def shown(moment, language):
    """A date as the buyer's page shows it: their zone, their language's format."""
    with translation.override(language):
        local = timezone.localtime(moment, zoneinfo.ZoneInfo(TIME_ZONE))
        return formats.date_format(local, "DATETIME_FORMAT")


def situations(buyer, now):
    """One order in each situation of PRODUCT.md §2 where a dispute cannot be opened."""
    days = lambda count: now - timedelta(days=count)  # noqa: E731
    return {
        "not_shipped": make_order(buyer, placed_at=days(2)),
        "too_early": make_order(buyer, shipped_at=days(3), received_at=days(1)),
        "in_transit": make_order(buyer, shipped_at=days(14)),
        "window_closed": make_order(buyer, shipped_at=days(40), received_at=days(25)),
        "dispute_open": open_dispute(buyer).order,
        "already_decided": decided_dispute(buyer).order,
    }


@pytest.mark.parametrize(
    ("viewport", "language"),
    [pytest.param(PHONE, "en", id="phone-en"), pytest.param(DESKTOP, "fr", id="desktop-fr")],
)
def test_each_refusal_says_which_rule_with_its_dates(open_visit, viewport, language):
    alice = make_user("alice")
    orders = situations(alice, timezone.now())
    buyer = open_visit("buyer", viewport=viewport, language=language)
    buyer.log_in("alice")

    for code, order in orders.items():
        order.refresh_from_db()
        dispute = order.disputes.first()
        dates = {
            "shipped": order.shipped_at and shown(order.shipped_at, language),
            "opens": order.shipped_at and shown(order.shipped_at + timedelta(days=10), language),
            "closed": order.received_at and shown(order.received_at + timedelta(days=15), language),
            "decided": dispute and dispute.decided_at and shown(dispute.decided_at, language),
        }
        buyer.goto(f"/orders/{order.number}/")
        panel = buyer.page.locator(".order__item + .dispute-panel")
        reasons = panel.locator(".reason")
        # An open dispute is no refusal: it takes the reasons' place, with its next step.
        expect(reasons).to_have_count(0 if code == "dispute_open" else 1)
        reason = panel.locator(".open-dispute" if code == "dispute_open" else f".reason--{code}")
        expect(reason).to_contain_text(HEADLINES[language][code].format(**dates))
        if code in FOLLOW_UPS[language]:
            expect(reason).to_contain_text(FOLLOW_UPS[language][code].format(**dates))
        if code == "dispute_open":
            link = reason.get_by_role("link", name=FOLLOW_UPS[language][code])
            expect(link).to_have_attribute("href", f"/disputes/{dispute.pk}/")
        expect(panel.get_by_role("link", name="Open dispute", exact=True)).to_have_count(0)
        buyer.step(f"order-{code}")
