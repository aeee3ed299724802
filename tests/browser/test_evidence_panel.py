"""The evidence panel takes the files chosen in it whenever they are chosen.

htmx swaps a new panel (a wizard step, or the panel after an upload) in at once but attaches
its file input's "change" trigger only when the swap settles, a moment later. A file chosen
in between must still be uploaded, for a quick person as for a test.
"""

import base64

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, corpus_file, ready
from tests.disputes.builders import disputable_order
from tests.factories import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHOTO = "good/png_photo_hopper.png"

# Chooses a file in the evidence input the moment htmx swaps a step with one into the page,
# before htmx has processed it, and notes whether the panel was live by then.
CHOOSE_ON_SWAP = """({name, content}) => {
  document.addEventListener("htmx:afterSwap", function choose() {
    const input = document.getElementById("evidence-input");
    if (!input) {
      return;
    }
    document.removeEventListener("htmx:afterSwap", choose);
    const bytes = Uint8Array.from(atob(content), (char) => char.charCodeAt(0));
    const chosen = new DataTransfer();
    chosen.items.add(new File([bytes], name, {type: "image/png"}));
    input.files = chosen.files;
    const panel = input.closest("[data-evidence-panel]");
    window.panelWasLiveWhenChosen = panel.hasAttribute("data-ready");
    input.dispatchEvent(new Event("change", {bubbles: true}));
  });
}"""


def test_a_file_chosen_before_htmx_wired_up_the_new_step_is_uploaded(open_visit, evidence_root):
    alice = make_user("alice")
    order = disputable_order(alice)
    buyer = open_visit("buyer", viewport=PHONE)
    buyer.log_in("alice")
    buyer.goto(f"/orders/{order.number}/dispute/")
    page = buyer.page
    wizard = page.locator("#wizard")

    ready(wizard)
    page.get_by_label("Item defective or damaged").check()
    page.get_by_role("button", name="Next").click()
    expect(wizard.locator("h2")).to_contain_text("Step 2 of 4")
    ready(wizard)
    page.get_by_label("Full refund").check()

    photo = corpus_file(PHOTO)
    page.evaluate(
        CHOOSE_ON_SWAP,
        {"name": photo.name, "content": base64.b64encode(photo.read_bytes()).decode()},
    )
    page.get_by_role("button", name="Next").click()

    expect(page.locator(".evidence-item__name")).to_have_text([photo.name])
    assert page.evaluate("window.panelWasLiveWhenChosen") is False, "the race was not run"
    expect(page.locator(".evidence-panel__status")).to_have_text("")
    buyer.step("evidence-chosen-before-ready")


def test_a_file_over_its_limit_is_refused_before_it_is_sent(open_visit, evidence_root, settings):
    settings.EVIDENCE_PHOTO_MAX_BYTES = 100_000
    alice = make_user("alice")
    order = disputable_order(alice)
    buyer = open_visit("buyer", viewport=PHONE)
    buyer.log_in("alice")
    buyer.goto(f"/orders/{order.number}/dispute/")
    page = buyer.page
    wizard = page.locator("#wizard")
    ready(wizard)
    page.get_by_label("Item defective or damaged").check()
    page.get_by_role("button", name="Next").click()
    ready(wizard)
    page.get_by_label("Full refund").check()
    page.get_by_role("button", name="Next").click()
    panel = ready(page.locator("[data-evidence-panel]"))
    uploads = []
    page.on(
        "request",
        lambda request: (
            uploads.append(request.post_data_buffer or b"")
            if request.url.endswith("/evidence/upload/")
            else None
        ),
    )

    big, small = corpus_file("good/jpeg_large_icc_profile.jpg"), corpus_file(PHOTO)
    panel.get_by_label("Add photos or videos").set_input_files([big, small])

    expect(page.locator(".evidence-item__name")).to_have_text([small.name])
    refusal = page.locator(".evidence-refusal")
    expect(refusal).to_have_text(
        [f"{big.name} is 0.6 MB; photos can be at most 0.1 MB."]  # the server's sentence
    )
    assert len(uploads) == 1 and big.name.encode() not in uploads[0]
    buyer.step("evidence-too-large-not-sent")
