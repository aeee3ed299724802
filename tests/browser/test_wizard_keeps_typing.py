"""What a buyer typed in the wizard survives removing a file and switching language,
with JavaScript and without it."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, corpus_file
from tests.disputes.builders import disputable_order
from tests.factories import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESCRIPTION = "The strap broke at the buckle after one day; the stitching came apart."


def to_the_evidence_step(buyer, order):
    buyer.goto(f"/orders/{order.number}/dispute/")
    page = buyer.page
    page.get_by_label("Item defective or damaged").check()
    page.get_by_role("button", name="Next").click()
    page.get_by_label("Full refund").check()
    page.get_by_role("button", name="Next").click()
    expect(page.locator("#wizard h2")).to_contain_text("Step 3 of 4")


def test_switching_language_keeps_the_description_typed(open_visit, evidence_root):
    alice = make_user("alice")
    order = disputable_order(alice)
    buyer = open_visit("buyer", viewport=PHONE)
    buyer.log_in("alice")
    to_the_evidence_step(buyer, order)
    page = buyer.page
    page.get_by_label("Describe the problem").fill(DESCRIPTION)

    page.get_by_label("Language").select_option("fr")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator("#wizard h2")).to_contain_text("Étape 3 sur 4")
    expect(page.get_by_label("Décrivez le problème")).to_have_value(DESCRIPTION)
    expect(page.locator(".errorlist")).to_have_count(0)
    buyer.step("switched-to-french")
    page.get_by_role("button", name="Suivant").click()
    expect(page.locator("dl.review")).to_contain_text(DESCRIPTION)


def test_without_javascript_removing_a_file_and_switching_language_keep_the_description(
    open_visit, evidence_root
):
    alice = make_user("alice")
    order = disputable_order(alice)
    buyer = open_visit("buyer", viewport=PHONE, javascript=False)
    buyer.log_in("alice")
    to_the_evidence_step(buyer, order)
    page = buyer.page

    # Without JavaScript files go up with the form: Next with a description too short.
    page.get_by_label("Describe the problem").fill("Broken.")
    page.get_by_label("Add photos or videos").set_input_files(
        [corpus_file("good/png_photo_hopper.png"), corpus_file("good/jpeg_exif_orientation_6.jpg")]
    )
    page.get_by_role("button", name="Next").click()
    expect(page.locator(".evidence-item")).to_have_count(2)

    page.get_by_label("Describe the problem").fill(DESCRIPTION)
    page.get_by_role("button", name="Remove jpeg_exif_orientation_6.jpg").click()
    expect(page.get_by_text("jpeg_exif_orientation_6.jpg was removed.")).to_be_visible()
    expect(page.locator(".evidence-item__name")).to_have_text(["png_photo_hopper.png"])
    expect(page.get_by_label("Describe the problem")).to_have_value(DESCRIPTION)
    expect(page.locator(".errorlist")).to_have_count(0)
    buyer.shot("removed-without-javascript")

    page.get_by_label("Describe the problem").fill(DESCRIPTION + " Twice.")
    page.get_by_label("Language").select_option("fr")
    page.get_by_role("button", name="Change").click()
    expect(page.locator("#wizard h2")).to_contain_text("Étape 3 sur 4")
    expect(page.get_by_label("Décrivez le problème")).to_have_value(DESCRIPTION + " Twice.")
    expect(page.locator(".evidence-item__name")).to_have_text(["png_photo_hopper.png"])
    buyer.shot("french-without-javascript")

    # Enter in a field still goes forward, though the switcher's button comes first.
    heading = page.locator("#wizard h2")
    page.get_by_role("button", name="Retour").click()
    expect(heading).to_contain_text("Étape 2 sur 4")
    page.get_by_label("Remboursement partiel").check()
    page.get_by_label("Montant demandé").fill("5,50")
    page.get_by_label("Montant demandé").press("Enter")
    expect(heading).to_contain_text("Étape 3 sur 4")
    expect(page.get_by_label("Décrivez le problème")).to_have_value(DESCRIPTION + " Twice.")
    page.get_by_role("button", name="Suivant").click()
    review = page.locator("dl.review")
    expect(review).to_contain_text("Twice.")
    expect(review).to_contain_text("5,50\u00a0€")


def test_the_description_typed_survives_a_reload_and_its_error_goes_once_fixed(open_visit):
    alice = make_user("alice")
    order = disputable_order(alice)
    buyer = open_visit("buyer", viewport=PHONE)
    buyer.log_in("alice")
    to_the_evidence_step(buyer, order)
    page = buyer.page
    description = page.get_by_label("Describe the problem")

    description.fill("Broken.")
    page.get_by_role("button", name="Next").click()
    error = page.locator("#id_details-description_error")
    expect(error).to_contain_text("at least 30 characters")
    expect(page.locator("#wizard h2")).to_be_focused()  # the step is swapped in and live
    description.press("Control+End")
    description.press_sequentially(" The strap came apart at the buckle.")
    expect(error).to_have_count(0)
    expect(description).not_to_have_attribute("aria-invalid", "true")

    # The phone switches to its camera and the tab reloads: what was typed is still there.
    with page.expect_response(lambda response: response.status == 204):
        description.press_sequentially(" Twice.")
    page.reload()
    expect(page.locator("#wizard h2")).to_contain_text("Step 3 of 4")
    expect(page.get_by_label("Describe the problem")).to_have_value(
        "Broken. The strap came apart at the buckle. Twice."
    )


def test_the_file_picker_is_a_large_target_on_a_phone(open_visit):
    alice = make_user("alice")
    order = disputable_order(alice)
    buyer = open_visit("buyer", viewport=PHONE)
    buyer.log_in("alice")
    to_the_evidence_step(buyer, order)
    label = buyer.page.locator("label[for=evidence-input]")
    box = label.bounding_box()
    assert box["height"] >= 48
    assert box["width"] >= PHONE["width"] * 0.7
    with buyer.page.expect_file_chooser():  # the whole zone opens the picker
        label.click()
