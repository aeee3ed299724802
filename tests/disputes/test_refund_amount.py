"""The amount of a partial refund (wizard step 2), through Django's test client."""

from decimal import Decimal

import pytest
from django.urls import reverse

from disputes.models import Dispute
from tests.disputes.builders import DESCRIPTION, disputable_order
from tests.disputes.test_wizard import Wizard

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(buyer):
    return disputable_order(buyer, price=Decimal("21.90"))


@pytest.fixture
def wizard(buyer_client, order):
    url = reverse("disputes:open", args=[order.number])
    wizard = Wizard(buyer_client, url, f"dispute_wizard_{order.pk}")
    wizard.start()
    wizard.post("reason", {"reason": "defective"})
    return wizard


def french(wizard):
    wizard.client.cookies["django_language"] = "fr"
    return wizard


def refund(wizard, amount, request="partial"):
    return wizard.post("refund", {"refund_request": request, "requested_amount": amount})


def errors(content):
    return content.count('class="errorlist')


def test_the_hint_writes_the_price_as_the_page_does(wizard):
    content = wizard.start().content.decode()
    assert "less than €21.90." in content
    assert "You paid €21.90." in content
    assert "21.90, in EUR" not in content


def test_the_hint_writes_the_price_the_french_way(wizard):
    content = french(wizard).start().content.decode()
    assert "moins de 21,90\u00a0€." in content
    assert "Vous avez payé 21,90\u00a0€." in content
    assert "21.90" not in content


def test_the_amount_field_asks_phones_for_a_decimal_keypad(wizard):
    assert 'inputmode="decimal"' in wizard.start().content.decode()


def test_the_hint_says_the_amount_is_used_only_for_a_partial_refund(wizard):
    assert "Used only for a partial refund" in wizard.start().content.decode()


@pytest.mark.parametrize("typed", ["abc", "5.5.0", "5.555", "-3"])
def test_an_amount_that_is_not_one_gets_one_error_saying_what_to_type(wizard, typed):
    content = refund(wizard, typed).content.decode()
    assert "Step 2 of 4" in content
    assert errors(content) == 1
    assert "Enter the amount in figures, such as 5.50." in content
    assert "Enter the amount you ask for." not in content


def test_what_to_type_is_said_the_french_way(wizard):
    content = refund(french(wizard), "cinq").content.decode()
    assert errors(content) == 1
    assert "par exemple 5,50." in content


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter the amount you ask for."),
        ("0", "less than the price paid (€21.90)"),
        ("21.90", "less than the price paid (€21.90)"),
    ],
)
def test_a_missing_or_out_of_range_amount_gets_one_error(wizard, typed, message):
    content = refund(wizard, typed).content.decode()
    assert errors(content) == 1
    assert message in content


def test_english_takes_a_decimal_comma_when_it_cannot_be_anything_else(wizard, order):
    content = refund(wizard, "5,50").content.decode()
    assert "Step 3 of 4" in content
    wizard.post("details", {"description": DESCRIPTION})
    wizard.post("review")
    assert Dispute.objects.get(order=order).requested_amount == Decimal("5.50")


def test_french_takes_a_decimal_comma(wizard, order):
    refund(french(wizard), "5,50")
    review = wizard.post("details", {"description": DESCRIPTION}).content.decode()
    assert "Remboursement partiel\u00a0: 5,50\u00a0€" in review


@pytest.mark.parametrize("typed", ["abc", "99", "5.50"])
def test_a_full_refund_ignores_whatever_the_amount_box_holds(wizard, order, typed):
    content = refund(wizard, typed, request="full").content.decode()
    assert "Step 3 of 4" in content
    wizard.post("details", {"description": DESCRIPTION})
    wizard.post("review")
    assert Dispute.objects.get(order=order).requested_amount is None
