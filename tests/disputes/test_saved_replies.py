"""Saved replies in English and French, their placeholders filled in the reader's language
and time zone, used from the mediators' action pages."""

from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from disputes import saved_replies
from disputes.models import DisputeMessage, Party, SavedReply
from disputes.parties import MEDIATOR
from tests.disputes.builders import (
    appealed_dispute,
    information_requested_dispute,
    make_mediator,
    refused_dispute,
    seller_of,
)
from tests.factories import make_user

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 18, 12, 0, tzinfo=UTC)
NBSP = ("\u00a0", "\u202f")


@pytest.fixture
def reply(db):
    return SavedReply.objects.create(
        title="Photo of the label",
        body_en="Order {order_number}: you paid {price}. Reply by {reply_by}.",
        body_fr="Commande {order_number} : vous avez payé {price}. Répondez avant le {reply_by}.",
    )


def plain(text):
    for space in NBSP:
        text = text.replace(space, " ")
    return text


def french_buyer_dispute():
    buyer = make_user("amelie")
    with translation.override("fr"):
        return refused_dispute(buyer)


def test_placeholders_are_filled_in_english(buyer, reply):
    dispute = refused_dispute(buyer)

    text = saved_replies.fill(reply, dispute, party=Party.BUYER, now=NOW)

    number = dispute.order.number
    # Three days to reply, in the buyer's zone (Paris by default): 21 November, 13:00.
    assert text == f"Order {number}: you paid €12.99. Reply by 21 Nov 2026, 13:00 CET."


def test_placeholders_are_filled_in_french(reply):
    dispute = french_buyer_dispute()

    text = plain(saved_replies.fill(reply, dispute, party=Party.BUYER, now=NOW))

    number = dispute.order.number
    assert text == (
        f"Commande {number} : vous avez payé 12,99 €. "
        "Répondez avant le 21 novembre 2026 à 13:00 CET."
    )


def test_a_reply_to_both_parties_is_in_each_of_their_languages(reply):
    dispute = french_buyer_dispute()
    seller = seller_of(dispute)
    seller.language = "en"
    seller.save()

    text = plain(saved_replies.fill(reply, dispute, party=None, now=NOW))

    french, english = text.split("\n\n")
    assert french.startswith("Commande") and "12,99 €" in french
    assert english.startswith("Order") and "€12.99" in english
    # The seller alone reads English.
    assert saved_replies.fill(reply, dispute, party=Party.SELLER, now=NOW).startswith("Order")


def test_a_note_is_in_the_mediators_own_language(reply):
    dispute = french_buyer_dispute()

    with translation.override("en"):
        text = saved_replies.fill(reply, dispute, party=MEDIATOR, now=NOW)

    assert text.startswith("Order")


def test_amounts_are_in_the_orders_currency(buyer):
    reply = SavedReply.objects.create(
        title="Offer", body_en="{offer_amount} of {price}", body_fr="{offer_amount} sur {price}"
    )
    dispute = refused_dispute(buyer)
    dispute.order.currency = "GBP"
    dispute.offer_amount = None

    assert saved_replies.fill(reply, dispute, party=Party.BUYER, now=NOW) == " of £12.99"


def test_an_unknown_placeholder_is_refused_when_saved():
    with pytest.raises(ValidationError) as refused:
        saved_replies.check_placeholders("Dear {buyer_name}, order {order_number}")

    assert refused.value.code == "unknown_placeholder"
    assert "{buyer_name}" in refused.value.messages[0]


def test_filling_in_on_the_message_page_writes_the_reply_and_posts_nothing(client, buyer, reply):
    dispute = refused_dispute(buyer)
    client.force_login(make_mediator())
    url = reverse("admin:disputes_dispute_message", args=[dispute.pk])
    assert "fill_in_saved_reply" in client.get(url).content.decode()

    response = client.post(
        url, {"saved_reply": reply.pk, "body": "", "fill_in_saved_reply": "Fill in"}
    )

    assert response.status_code == 200
    assert response.context["form"].initial["body"].startswith(f"Order {dispute.order.number}")
    assert not DisputeMessage.objects.filter(dispute=dispute, author__is_staff=True).exists()


def test_filling_in_an_information_request_writes_for_the_party_asked(client, reply):
    dispute = french_buyer_dispute()
    client.force_login(make_mediator())
    url = reverse("admin:disputes_dispute_request_information", args=[dispute.pk])

    response = client.post(
        url,
        {"party": Party.BUYER, "saved_reply": reply.pk, "fill_in_saved_reply": "Fill in"},
    )

    form = response.context["form"]
    assert form.initial["message"].startswith("Commande")
    assert form.initial["party"] == Party.BUYER


def test_filling_in_a_decision_keeps_what_was_chosen(client, buyer, reply):
    dispute = information_requested_dispute(buyer)
    client.force_login(make_mediator())
    url = reverse("admin:disputes_dispute_decide", args=[dispute.pk])

    response = client.post(
        url,
        {
            "outcome": "rejected",
            "reason": "item_as_described",
            "saved_reply": reply.pk,
            "fill_in_saved_reply": "Fill in",
        },
    )

    form = response.context["form"]
    assert form.initial["note"].startswith("Order")
    assert form.initial["outcome"] == "rejected"
    dispute.refresh_from_db()
    assert dispute.outcome is None


def test_filling_in_an_appeals_answer_keeps_the_ruling_and_answers_nothing(client, buyer, reply):
    dispute = appealed_dispute(buyer)
    appeal = dispute.appeals.get()
    client.force_login(make_mediator())
    url = reverse("admin:disputes_appeal_answer", args=[appeal.pk])
    assert "fill_in_saved_reply" in client.get(url).content.decode()

    response = client.post(
        url,
        {
            "ruling": "replaced",
            "outcome": "full_refund",
            "reason": "evidence_shows_defect",
            "saved_reply": reply.pk,
            "fill_in_saved_reply": "Fill in",
        },
    )

    form = response.context["form"]
    assert form.initial["answer"].startswith(f"Order {dispute.order.number}")
    assert (form.initial["ruling"], form.initial["reason"]) == ("replaced", "evidence_shows_defect")
    appeal.refresh_from_db()
    assert not appeal.is_answered


def test_mediators_keep_saved_replies_and_other_staff_cannot(client):
    data = {"title": "Thanks", "body_en": "Thanks for {order_number}.", "body_fr": "Merci."}
    url = reverse("admin:disputes_savedreply_add")
    client.force_login(make_user("api-manager", is_staff=True))
    assert client.post(url, data).status_code == 403
    assert client.get(reverse("admin:disputes_savedreply_changelist")).status_code == 403

    client.force_login(make_mediator())
    refused = client.post(url, {**data, "body_fr": "Merci pour {commande}."})
    assert refused.status_code == 200
    assert not SavedReply.objects.exists()
    assert client.post(url, data).status_code == 302
    assert SavedReply.objects.get().title == "Thanks"
