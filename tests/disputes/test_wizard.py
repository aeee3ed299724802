"""The wizard through Django's test client: no JavaScript, every answer kept."""

import re
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from disputes.evidence import recording
from disputes.models import Dispute, DisputeStatus
from tests.conftest import corpus_upload, store_evidence
from tests.disputes.builders import (
    DESCRIPTION,
    cancelled_dispute,
    disputable_order,
    make_seller_account,
)

pytestmark = pytest.mark.django_db


class Wizard:
    def __init__(self, client, url, prefix):
        self.client = client
        self.url = url
        self.prefix = prefix

    def start(self):
        return self.client.get(self.url)

    def post(self, step, data=None, **extra):
        payload = {f"{self.prefix}-current_step": step}
        payload |= {f"{step}-{name}": value for name, value in (data or {}).items()}
        return self.client.post(self.url, payload | extra)

    def back(self, step, to, data=None):
        return self.post(step, data, wizard_goto_step=to)


@pytest.fixture
def order(buyer):
    return disputable_order(buyer)


@pytest.fixture
def wizard(buyer_client, order):
    url = reverse("disputes:open", args=[order.number])
    return Wizard(buyer_client, url, f"dispute_wizard_{order.pk}")


def test_the_four_steps_open_a_dispute(wizard, order, buyer):
    assert "Step 1 of 4" in wizard.start().content.decode()
    assert "Step 2 of 4" in wizard.post("reason", {"reason": "defective"}).content.decode()
    response = wizard.post("refund", {"refund_request": "partial", "requested_amount": "4.50"})
    assert "Step 3 of 4" in response.content.decode()
    response = wizard.post(
        "details",
        {"description": DESCRIPTION},
        evidence=[corpus_upload("good/png_photo_hopper.png", "cable.png")],
    )
    review = response.content.decode()
    assert "Step 4 of 4" in review
    assert "€4.50" in review
    assert "cable.png" in review
    response = wizard.post("review")
    dispute = Dispute.objects.get(order=order)
    assert response.status_code == 302
    assert response.url == dispute.get_absolute_url()
    assert dispute.requested_amount == Decimal("4.50")
    assert [evidence.original_name for evidence in dispute.evidence.all()] == ["cable.png"]
    assert dispute.events.get(kind="opened").details["evidence"] == ["cable.png"]


def submitted(wizard):
    """Walk every step with the shortest valid answers; return the confirmation shown."""
    wizard.start()
    wizard.post("reason", {"reason": "defective"})
    wizard.post("refund", {"refund_request": "full"})
    wizard.post("details", {"description": DESCRIPTION})
    response = wizard.post("review")
    assert response.status_code == 302
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_the_confirmation_gives_the_seller_their_days_to_answer_first(
    buyer_client, buyer, settings
):
    settings.DISPUTE_SELLER_ANSWER_DAYS = 4
    order = disputable_order(buyer, seller=make_seller_account())
    wizard = Wizard(
        buyer_client, reverse("disputes:open", args=[order.number]), f"dispute_wizard_{order.pk}"
    )
    assert submitted(wizard) == [
        "Your dispute is open. The seller has 4 days to answer; "
        "if they do not, a mediator will review it."
    ]


def test_the_confirmation_sends_a_seller_without_an_account_to_the_mediators(wizard):
    assert submitted(wizard) == [
        "Your dispute is open. The seller cannot answer in the app, so a mediator will review it."
    ]


def test_going_back_keeps_the_answers_of_the_step_left(wizard):
    wizard.start()
    wizard.post("reason", {"reason": "wrong_item"})
    wizard.post("refund", {"refund_request": "full"})
    response = wizard.back("details", "refund", {"description": "Half typed description"})
    assert 'value="full"' in response.content.decode()
    response = wizard.post("refund", {"refund_request": "full"})
    assert "Half typed description" in response.content.decode()
    response = wizard.back("refund", "reason")
    assert (
        'value="wrong_item" required id="id_reason-reason_2" checked' in response.content.decode()
    )


def test_partial_refund_above_the_price_is_refused_on_its_step(wizard):
    wizard.start()
    wizard.post("reason", {"reason": "defective"})
    response = wizard.post("refund", {"refund_request": "partial", "requested_amount": "12.99"})
    assert "less than the price paid (€12.99)" in response.content.decode()


def test_refused_file_is_named_while_accepted_file_and_description_are_kept(wizard, order):
    wizard.start()
    wizard.post("reason", {"reason": "defective"})
    wizard.post("refund", {"refund_request": "full"})
    response = wizard.post(
        "details",
        {"description": DESCRIPTION},
        evidence=[
            corpus_upload("good/jpeg_exif_orientation_6.jpg", "photo.jpg"),
            corpus_upload("bad/exe_renamed.jpg", "invoice.jpg"),
        ],
    )
    content = response.content.decode()
    assert "Step 3 of 4" in content
    assert "invoice.jpg" in content
    assert DESCRIPTION in content
    assert "photo.jpg" in content
    response = wizard.post("details", {"description": DESCRIPTION})
    assert "Step 4 of 4" in response.content.decode()


def test_description_needs_a_sensible_length(wizard):
    wizard.start()
    wizard.post("reason", {"reason": "defective"})
    wizard.post("refund", {"refund_request": "full"})
    response = wizard.post("details", {"description": "Broken."})
    assert "Ensure this value has at least 30 characters" in response.content.decode()


def test_reopen_walks_the_wizard_with_the_earlier_answers(buyer_client, buyer):
    dispute = cancelled_dispute(buyer)
    url = reverse("disputes:reopen", args=[dispute.pk])
    prefix = f"dispute_reopen_{dispute.pk}_{dispute.cancelled_at.timestamp():.0f}"
    wizard = Wizard(buyer_client, url, prefix)
    assert 'value="defective" required id="id_reason-reason_1" checked' in (
        wizard.start().content.decode()
    )
    wizard.post("reason", {"reason": "defective"})
    wizard.post("refund", {"refund_request": "full"})
    assert DESCRIPTION in wizard.post("refund", {"refund_request": "full"}).content.decode()
    wizard.post("details", {"description": DESCRIPTION + " It also smells burnt."})
    response = wizard.post("review")
    dispute.refresh_from_db()
    assert response.status_code == 302
    assert dispute.status == DisputeStatus.OPEN
    assert dispute.description.endswith("smells burnt.")
    assert [str(message) for message in get_messages(response.wsgi_request)] == [
        "Your dispute is open again. The seller cannot answer in the app, "
        "so a mediator will review it."
    ]


def test_wizard_of_an_ineligible_order_goes_back_to_the_order_page(buyer_client, buyer):
    from tests.factories import make_order

    unshipped = make_order(buyer)
    response = buyer_client.get(reverse("disputes:open", args=[unshipped.number]))
    assert response.status_code == 302
    assert response.url == reverse("orders:detail", args=[unshipped.number])


def test_a_dispute_opened_in_another_tab_meanwhile_is_reported(wizard, order, buyer):
    from tests.disputes.builders import open_dispute

    wizard.start()
    wizard.post("reason", {"reason": "defective"})
    wizard.post("refund", {"refund_request": "full"})
    wizard.post("details", {"description": DESCRIPTION})
    open_dispute(buyer, order)
    response = wizard.post("review")
    assert response.status_code == 302
    page = wizard.client.get(response.url).content.decode()
    assert 'class="open-dispute"' in page  # the dispute opened meanwhile, not a second one
    assert Dispute.objects.filter(order=order).count() == 1


def test_htmx_gets_the_wizard_fragment(wizard):
    wizard.start()
    response = wizard.client.post(
        wizard.url,
        {f"{wizard.prefix}-current_step": "reason", "reason-reason": "defective"},
        headers={"HX-Request": "true"},
    )
    content = response.content.decode()
    assert content.lstrip().startswith('<div id="wizard"')
    assert "<html" not in content


def test_reopening_counts_the_files_the_dispute_already_has(buyer_client, buyer, settings):
    settings.EVIDENCE_MAX_FILES = 1
    dispute = cancelled_dispute(buyer)
    first = store_evidence(
        [corpus_upload("good/png_photo_hopper.png", "before.png")],
        buyer,
        dispute.order,
        draft_key="earlier",
    )
    recording.attach_drafts(
        uploader=buyer, order=dispute.order, draft_key="earlier", dispute=dispute
    )
    assert first.stored
    second = store_evidence(
        [corpus_upload("good/png_photo_hopper.png", "after.png")],
        buyer,
        dispute.order,
        draft_key="reopening",
    )
    assert [refusal.file_name for refusal in second.refusals] == ["after.png"]
    assert "at most 1 files" in second.refusals[0].message


def test_a_file_sent_from_an_older_evidence_page_is_kept(wizard, order):
    """The browser's Back button shows step 3 again while the session is on step 4."""
    wizard.start()
    wizard.post("reason", {"reason": "defective"})
    wizard.post("refund", {"refund_request": "full"})
    wizard.post("details", {"description": DESCRIPTION})
    response = wizard.post(
        "details",
        {"description": DESCRIPTION},
        evidence=[corpus_upload("good/png_photo_hopper.png", "second.png")],
    )
    assert "Step 4 of 4" in response.content.decode()
    assert "second.png" in response.content.decode()


def test_a_step_reached_again_without_being_submitted_shows_no_errors(wizard):
    """Back from step 3 with nothing typed, then Next from step 2: step 3 is not judged yet."""
    wizard.start()
    wizard.post("reason", {"reason": "defective"})
    wizard.post("refund", {"refund_request": "full"})
    wizard.back("details", "refund", {"description": ""})
    content = wizard.post("refund", {"refund_request": "full"}).content.decode()
    assert "Step 3 of 4" in content
    assert "This field is required." not in content
    assert 'aria-invalid="true"' not in content
    # Once the buyer submits the step, it is judged.
    content = wizard.post("details", {"description": ""}).content.decode()
    assert "This field is required." in content


def test_a_step_left_half_typed_comes_back_as_typed_without_errors(wizard):
    wizard.start()
    wizard.post("reason", {"reason": "defective"})
    wizard.back("refund", "reason", {"refund_request": "partial", "requested_amount": "99"})
    content = wizard.post("reason", {"reason": "defective"}).content.decode()
    assert "Step 2 of 4" in content
    assert 'value="99"' in content
    assert 'value="partial" required id="id_refund-refund_request_1" checked' in content
    assert "less than the price paid" not in content
    # Coming back to the page later shows the same, without errors either.
    content = wizard.start().content.decode()
    assert 'value="99"' in content
    assert "less than the price paid" not in content


def test_back_from_an_older_page_keeps_what_was_typed_on_that_page(wizard):
    """The browser's Back button shows step 3 while the session is on step 4."""
    wizard.start()
    wizard.post("reason", {"reason": "defective"})
    wizard.post("refund", {"refund_request": "full"})
    wizard.post("details", {"description": DESCRIPTION})
    wizard.back("details", "refund", {"description": DESCRIPTION + " Edited."})
    content = wizard.post("refund", {"refund_request": "full"}).content.decode()
    assert DESCRIPTION + " Edited." in content


def submit_with(content, button_value, fields):
    """What a browser without JavaScript sends when the button with ``button_value`` is
    clicked: the form's fields to the button's formaction (else the form's action)."""
    button = re.search(rf'<button[^>]*value="{button_value}"[^>]*>', content).group(0)
    action = re.search(r'formaction="([^"]*)"', button)
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', content))
    return action.group(1) if action else None, hidden | fields


def test_removing_a_file_without_javascript_keeps_the_description_typed(wizard, order):
    wizard.start()
    wizard.post("reason", {"reason": "defective"})
    wizard.post("refund", {"refund_request": "full"})
    content = wizard.post(
        "details",
        {"description": ""},
        evidence=[
            corpus_upload("good/png_photo_hopper.png", "cable.png"),
            corpus_upload("good/jpeg_exif_orientation_6.jpg", "plug.jpg"),
        ],
    ).content.decode()
    plug = order.evidence.get(original_name="plug.jpg")
    action, data = submit_with(
        content, plug.pk, {"details-description": DESCRIPTION, "evidence_pk": str(plug.pk)}
    )
    response = wizard.client.post(action or wizard.url, data, follow=True)
    content = response.content.decode()
    assert "Step 3 of 4" in content
    assert DESCRIPTION in content
    assert "plug.jpg was removed." in content
    assert "cable.png" in content
    assert "This field is required." not in content
    assert not order.evidence.filter(pk=plug.pk).exists()
    # Next goes on with that description.
    assert "Step 4 of 4" in wizard.post("details", {"description": DESCRIPTION}).content.decode()


def answer_first_two_steps(wizard):
    wizard.start()
    wizard.post("reason", {"reason": "defective"})
    wizard.post("refund", {"refund_request": "full"})


def test_a_file_of_another_draft_is_not_removed_by_the_wizard(wizard, order, buyer):
    answer_first_two_steps(wizard)
    other = store_evidence(
        [corpus_upload("good/png_photo_hopper.png", "other.png")],
        buyer,
        order,
        draft_key="another-wizard",
    ).stored[0]
    response = wizard.post("details", {"description": DESCRIPTION}, evidence_pk=str(other.pk))
    assert "Step 3 of 4" in response.content.decode()
    assert order.evidence.filter(pk=other.pk).exists()


def test_the_language_switcher_of_a_wizard_page_submits_the_wizard_form(wizard):
    content = wizard.start().content.decode()
    assert re.search(r'<form method="post"[^>]* id="wizard-form"', content)
    assert 'name="language" data-submit-on-change form="wizard-form"' in content
    assert '<button type="submit" form="wizard-form">Change</button>' in content


def test_switching_language_mid_wizard_keeps_what_was_typed(wizard):
    wizard.start()
    wizard.post("reason", {"reason": "defective"})
    wizard.post("refund", {"refund_request": "partial", "requested_amount": "5.50"})
    response = wizard.post("details", {"description": "Half typed"}, language="fr")
    assert response.status_code == 302
    assert response.url == wizard.url
    assert response.cookies["django_language"].value == "fr"
    content = wizard.client.get(wizard.url).content.decode()
    assert "Étape 3 sur 4" in content
    assert "Half typed" in content
    assert "errorlist" not in content  # not judged: the buyer did not press Next
    # Back on step 2, the amount typed is there, written as typed.
    content = wizard.back("details", "refund", {"description": "Half typed"}).content.decode()
    assert 'value="5.50"' in content


def test_the_page_language_sent_with_the_form_is_the_next_button_at_work(wizard):
    """Without JavaScript, Enter in a field clicks the form's first button: Change."""
    wizard.start()
    wizard.post("reason", {"reason": "defective"})
    response = wizard.post("refund", {"refund_request": "full"}, language="en")
    assert "Step 3 of 4" in response.content.decode()


@pytest.mark.parametrize("step", ["details", "review"])
def test_a_step_posted_before_the_steps_it_follows_shows_the_first_to_answer(wizard, step):
    wizard.start()

    response = wizard.post(step, {"description": DESCRIPTION})

    assert response.status_code == 200
    assert "Step 1 of 4" in response.content.decode()


def test_going_to_the_review_before_answering_shows_the_first_step_missing(wizard):
    wizard.start()
    wizard.post("reason", {"reason": "defective"})

    response = wizard.back("refund", to="review")

    assert "Step 2 of 4" in response.content.decode()


def test_an_unknown_step_is_a_bad_request(wizard):
    wizard.start()

    assert wizard.post("payment", {}).status_code == 400


@pytest.mark.parametrize("evidence_pk", ["²", "9" * 5000, "9" * 19])
def test_a_remove_button_posting_no_primary_key_shows_the_step_again(wizard, evidence_pk):
    answer_first_two_steps(wizard)
    response = wizard.post("details", {"description": DESCRIPTION}, evidence_pk=evidence_pk)
    assert "Step 3 of 4" in response.content.decode()


def test_what_is_typed_on_a_step_is_kept_as_it_is_typed_for_a_reload(wizard):
    """htmx posts the step as the buyer types (``save_draft``); a reload shows it so."""
    wizard.start()
    wizard.post("reason", {"reason": "defective"})
    wizard.post("refund", {"refund_request": "full"})

    saved = wizard.post("details", {"description": "The strap broke at"}, save_draft="1")
    assert (saved.status_code, saved.content) == (204, b"")

    content = wizard.start().content.decode()  # the tab reloads
    assert "Step 3 of 4" in content
    assert "The strap broke at</textarea>" in content
    assert "at least 30 characters (it has" not in content  # kept, not judged
    assert Dispute.objects.count() == 0


def test_a_saved_draft_of_an_earlier_step_does_not_skip_the_steps_it_follows(wizard):
    wizard.start()
    saved = wizard.post("details", {"description": DESCRIPTION}, save_draft="1")
    assert saved.status_code == 200
    assert "Step 1 of 4" in saved.content.decode()


def test_a_draft_saved_after_next_changes_nothing(wizard):
    wizard.start()
    wizard.post("reason", {"reason": "defective"})
    wizard.post("refund", {"refund_request": "full"})
    wizard.post("details", {"description": DESCRIPTION})

    late = wizard.post("details", {"description": "Half typ"}, save_draft="1")

    assert late.status_code == 204
    content = wizard.start().content.decode()
    assert "Step 4 of 4" in content
    assert DESCRIPTION in content
