"""The evidence endpoints: upload, remove and fetch, for the buyer, others and staff."""

import io
import zipfile
from dataclasses import asdict

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from PIL import Image

from disputes import actions
from disputes.evidence import drafts
from disputes.models import DisputeEvent, Evidence
from tests.conftest import DRAFT_KEY, corpus_path, corpus_upload, store_evidence
from tests.disputes.builders import (
    agreed_dispute,
    answerable_dispute,
    disputable_order,
    make_seller_account,
    open_dispute,
    seller_of,
)
from tests.factories import make_mediator, make_order, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("evidence_root")]

UPLOAD_URL = reverse("disputes:evidence_upload")
REMOVE_URL = reverse("disputes:evidence_remove")
HTMX = {"HTTP_HX_REQUEST": "true"}


def issue(client, draft, draft_form):
    """Put ``draft`` among the keys the client's session was issued, for ``draft_form``
    (a form of one order), as the form's page would."""
    session = client.session
    session[drafts.SESSION_KEY] = session.get(drafts.SESSION_KEY, {}) | {draft: asdict(draft_form)}
    session.save()


def post_upload(client, order, *files, htmx=False, form=None, **fields):
    """Upload ``files`` for the draft of ``form`` (by default the wizard of ``order``)."""
    data = {"order": order.number, "evidence": list(files), **fields}
    if "dispute" not in fields:
        data.setdefault("draft", DRAFT_KEY)
        issue(client, DRAFT_KEY, form or drafts.DraftForm.of(drafts.WIZARD, order))
    return client.post(UPLOAD_URL, data, **(HTMX if htmx else {}))


def file_url(evidence, variant):
    return reverse("disputes:evidence_file", args=[evidence.pk, variant])


def stored(buyer, relative, *, order=None, **target):
    order = order or disputable_order(buyer)
    [evidence] = store_evidence([corpus_upload(relative)], buyer, order, **target).stored
    return evidence


def body(response):
    return b"".join(response.streaming_content)


def stored_original(evidence):
    """The original's bytes as stored (a video's remuxed copy, not the upload)."""
    with evidence.original.open("rb") as original:
        return original.read()


# Uploading


def test_htmx_upload_keeps_good_files_and_names_each_refused_one(buyer_client, buyer):
    order = disputable_order(buyer)

    response = post_upload(
        buyer_client,
        order,
        corpus_upload("good/png_photo_hopper.png"),
        corpus_upload("bad/exe_renamed.jpg", "IMG_2.JPG"),
        corpus_upload("bad/html_renamed.jpg", "IMG_3.JPG"),
        htmx=True,
    )

    assert response.status_code == 200
    assert [e.original_name for e in Evidence.objects.all()] == ["png_photo_hopper.png"]
    html = response.content.decode()
    assert 'id="evidence-panel"' in html
    assert "<html" not in html  # the partial, not the page
    assert "png_photo_hopper.png" in html
    assert "IMG_2.JPG is an executable program" in html
    assert "IMG_3.JPG is an HTML page" in html
    assert "evidence-changed" in response["HX-Trigger"]


def test_plain_upload_redirects_back_with_a_message_per_refusal(buyer_client, buyer):
    order = disputable_order(buyer)

    response = post_upload(
        buyer_client,
        order,
        corpus_upload("good/png_photo_hopper.png"),
        corpus_upload("bad/exe_renamed.jpg", "IMG_2.JPG"),
        next="/orders/",
    )

    assert response.status_code == 302
    assert response["Location"] == "/orders/"
    texts = [str(message) for message in get_messages(response.wsgi_request)]
    assert texts[0] == "1 file added."
    assert texts[1].startswith("IMG_2.JPG is an executable program")


def test_plain_upload_never_redirects_off_site(buyer_client, buyer):
    order = disputable_order(buyer)

    response = post_upload(
        buyer_client, order, corpus_upload("good/png_photo_hopper.png"), next="https://evil.test/"
    )

    assert response["Location"] == reverse("orders:detail", args=[order.number])


def test_oversized_upload_is_refused_with_a_message_and_not_stored(
    buyer_client, buyer, settings, evidence_root
):
    settings.EVIDENCE_PHOTO_MAX_BYTES = 100_000
    settings.EVIDENCE_VIDEO_MAX_BYTES = 200_000
    order = disputable_order(buyer)

    response = post_upload(
        buyer_client,
        order,
        corpus_upload("good/mov_iphone6_h264_aac_gps.mov", "IMG_1.MOV"),
        htmx=True,
    )

    assert response.status_code == 200
    assert "IMG_1.MOV is 0.5 MB; videos can be at most 0.2 MB." in response.content.decode()
    assert not Evidence.objects.exists()
    assert not any(path.is_file() for path in evidence_root.rglob("*"))


def test_photo_over_the_photo_limit_but_under_the_video_limit_is_refused(
    buyer_client, buyer, settings
):
    settings.EVIDENCE_PHOTO_MAX_BYTES = 200_000
    order = disputable_order(buyer)

    response = post_upload(
        buyer_client,
        order,
        corpus_upload("good/jpeg_large_icc_profile.jpg", "IMG_4.JPG"),
        htmx=True,
    )

    assert "IMG_4.JPG is 0.6 MB; photos can be at most 0.2 MB." in response.content.decode()
    assert not Evidence.objects.exists()


def test_upload_beyond_the_file_limit_is_refused_by_name(buyer_client, buyer, settings):
    settings.EVIDENCE_MAX_FILES = 1
    order = disputable_order(buyer)

    response = post_upload(
        buyer_client,
        order,
        corpus_upload("good/png_photo_hopper.png"),
        corpus_upload("good/webp_lossy.webp", "IMG_9.JPG"),
        htmx=True,
    )

    assert "You can attach at most 1 files; IMG_9.JPG was not added." in response.content.decode()
    assert Evidence.objects.count() == 1


def test_upload_to_an_open_dispute_attaches_and_records_the_event(buyer_client, buyer):
    dispute = open_dispute(buyer)
    order = dispute.order

    post_upload(
        buyer_client,
        order,
        corpus_upload("good/png_photo_hopper.png"),
        dispute=str(dispute.pk),
        htmx=True,
    )

    [evidence] = dispute.evidence.all()
    assert evidence.draft_key == ""
    event = DisputeEvent.objects.get(dispute=dispute, kind="evidence_added")
    assert event.details["evidence"] == ["png_photo_hopper.png"]


def test_upload_to_a_closed_dispute_is_404(buyer_client, buyer):
    dispute = actions.cancel_dispute(dispute=open_dispute(buyer), buyer=buyer)
    order = dispute.order

    response = post_upload(
        buyer_client, order, corpus_upload("good/png_photo_hopper.png"), dispute=str(dispute.pk)
    )

    assert response.status_code == 404
    assert not Evidence.objects.exists()


def test_upload_to_another_buyers_order_is_404(buyer_client, other_buyer):
    order = make_order(other_buyer)

    response = post_upload(buyer_client, order, corpus_upload("good/png_photo_hopper.png"))

    assert response.status_code == 404
    assert not Evidence.objects.exists()


def test_upload_to_another_buyers_dispute_is_404(buyer_client, buyer, other_buyer):
    mine = disputable_order(buyer)
    theirs = open_dispute(other_buyer)

    response = post_upload(
        buyer_client, mine, corpus_upload("good/png_photo_hopper.png"), dispute=str(theirs.pk)
    )

    assert response.status_code == 404


def test_upload_to_a_draft_key_the_session_was_not_issued_is_404(buyer_client, buyer):
    order = disputable_order(buyer)
    response = buyer_client.post(
        UPLOAD_URL,
        {
            "order": order.number,
            "draft": "made-up-key",
            "evidence": [corpus_upload("good/png_photo_hopper.png")],
        },
    )
    assert response.status_code == 404
    assert not Evidence.objects.exists()


def test_upload_without_a_draft_or_dispute_is_404(buyer_client, buyer):
    order = disputable_order(buyer)

    response = post_upload(
        buyer_client, order, corpus_upload("good/png_photo_hopper.png"), draft=""
    )

    assert response.status_code == 404


def test_anonymous_upload_is_sent_to_log_in(client, buyer):
    response = post_upload(
        client, disputable_order(buyer), corpus_upload("good/png_photo_hopper.png")
    )

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert not Evidence.objects.exists()


def test_get_on_upload_is_405(buyer_client):
    assert buyer_client.get(UPLOAD_URL).status_code == 405


def test_upload_without_a_csrf_token_is_refused(buyer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(buyer)

    response = post_upload(
        client, disputable_order(buyer), corpus_upload("good/png_photo_hopper.png")
    )

    assert response.status_code == 403
    assert not Evidence.objects.exists()


# A seller's drafts: the refusal's and the messages' evidence of a dispute on its order


def test_seller_keeps_draft_evidence_for_a_dispute_on_its_order(client, buyer):
    dispute = answerable_dispute(buyer)
    seller = seller_of(dispute)
    client.force_login(seller)

    response = post_upload(
        client,
        dispute.order,
        corpus_upload("good/png_photo_hopper.png"),
        htmx=True,
        form=drafts.DraftForm.of(drafts.REFUSAL, dispute.order, dispute),
    )

    assert response.status_code == 200
    [evidence] = Evidence.objects.drafts(buyer=seller)
    assert (evidence.order, evidence.draft_key) == (dispute.order, DRAFT_KEY)
    assert "png_photo_hopper.png" in response.content.decode()


def test_seller_removes_its_draft_evidence(client, buyer):
    dispute = answerable_dispute(buyer)
    seller = seller_of(dispute)
    client.force_login(seller)
    evidence = stored(seller, "good/png_photo_hopper.png", order=dispute.order)

    response = client.post(REMOVE_URL, {"evidence_pk": evidence.pk}, **HTMX)

    assert response.status_code == 200
    assert not Evidence.objects.exists()


@pytest.mark.parametrize("who", ["another seller", "another buyer"])
def test_upload_for_a_dispute_on_someone_elses_order_is_404(client, buyer, who):
    dispute = answerable_dispute(buyer)
    if who == "another seller":
        client.force_login(make_seller_account("other-seller", name="Another Store").user)
    else:
        client.force_login(make_user("mallory"))

    response = post_upload(client, dispute.order, corpus_upload("good/png_photo_hopper.png"))

    assert response.status_code == 404
    assert not Evidence.objects.exists()


@pytest.mark.parametrize("make", [agreed_dispute, None])
def test_seller_upload_to_an_order_without_an_open_dispute_is_404(client, buyer, make):
    if make is None:
        seller = make_seller_account()
        order = make_order(buyer, seller=seller)
    else:
        dispute = make(buyer)
        seller, order = dispute.order.seller, dispute.order
    client.force_login(seller.user)

    response = post_upload(client, order, corpus_upload("good/png_photo_hopper.png"))

    assert response.status_code == 404
    assert not Evidence.objects.exists()


def test_seller_upload_straight_to_the_dispute_is_404(client, buyer):
    dispute = answerable_dispute(buyer)
    client.force_login(seller_of(dispute))

    response = post_upload(
        client,
        dispute.order,
        corpus_upload("good/png_photo_hopper.png"),
        dispute=str(dispute.pk),
    )

    assert response.status_code == 404
    assert not Evidence.objects.exists()


def test_seller_upload_to_a_draft_its_session_was_not_issued_is_404(client, buyer):
    dispute = answerable_dispute(buyer)
    client.force_login(seller_of(dispute))

    response = client.post(
        UPLOAD_URL,
        {
            "order": dispute.order.number,
            "draft": "made-up-key",
            "evidence": [corpus_upload("good/png_photo_hopper.png")],
        },
    )

    assert response.status_code == 404
    assert not Evidence.objects.exists()


# Removing


def test_buyer_removes_draft_evidence(buyer_client, buyer, django_capture_on_commit_callbacks):
    evidence = stored(buyer, "good/png_photo_hopper.png")

    with django_capture_on_commit_callbacks(execute=True):
        response = buyer_client.post(REMOVE_URL, {"evidence_pk": evidence.pk}, **HTMX)

    assert response.status_code == 200
    assert not Evidence.objects.exists()
    assert "png_photo_hopper.png" not in response.content.decode()


def test_plain_remove_redirects_back(buyer_client, buyer):
    evidence = stored(buyer, "good/png_photo_hopper.png")

    response = buyer_client.post(REMOVE_URL, {"evidence_pk": evidence.pk, "next": "/orders/"})

    assert response["Location"] == "/orders/"


def test_removing_another_buyers_evidence_is_404(buyer_client, other_buyer):
    evidence = stored(other_buyer, "good/png_photo_hopper.png")

    response = buyer_client.post(REMOVE_URL, {"evidence_pk": evidence.pk})

    assert response.status_code == 404
    assert Evidence.objects.filter(pk=evidence.pk).exists()


def test_removing_evidence_attached_to_a_dispute_is_404(buyer_client, buyer):
    dispute = open_dispute(buyer)
    evidence = stored(buyer, "good/png_photo_hopper.png", order=dispute.order, dispute=dispute)

    response = buyer_client.post(REMOVE_URL, {"evidence_pk": evidence.pk})

    assert response.status_code == 404
    assert Evidence.objects.filter(pk=evidence.pk).exists()


def test_get_on_remove_is_405(buyer_client):
    assert buyer_client.get(REMOVE_URL).status_code == 405


# Fetching


def test_thumbnail_is_an_inline_private_jpeg_that_is_never_sniffed(buyer_client, buyer):
    evidence = stored(buyer, "good/png_photo_hopper.png")

    response = buyer_client.get(file_url(evidence, "thumbnail"))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"] == "inline"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "private" in response["Cache-Control"]
    assert Image.open(io.BytesIO(body(response))).format == "JPEG"


def test_display_copy_of_a_polyglot_is_not_a_zip(buyer_client, buyer):
    evidence = stored(buyer, "bad/jpeg_zip_polyglot.jpg")

    response = buyer_client.get(file_url(evidence, "display"))

    content = body(response)
    assert Image.open(io.BytesIO(content)).format == "JPEG"
    assert not zipfile.is_zipfile(io.BytesIO(content))


def test_original_is_only_ever_a_download_of_the_detected_type(buyer_client, buyer):
    evidence = stored(buyer, "bad/jpeg_zip_polyglot.jpg")

    response = buyer_client.get(file_url(evidence, "original"))

    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"] == 'attachment; filename="jpeg_zip_polyglot.jpg"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert body(response) == corpus_path("bad/jpeg_zip_polyglot.jpg").read_bytes()


def test_video_plays_inline_with_its_detected_type(buyer_client, buyer):
    evidence = stored(buyer, "good/webm_vp8_vorbis.webm")

    response = buyer_client.get(file_url(evidence, "video"))

    assert response.status_code == 200
    assert response["Content-Type"] == "video/webm"
    assert response["Content-Disposition"] == "inline"
    assert response["Accept-Ranges"] == "bytes"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_video_range_request_gets_206_with_just_those_bytes(buyer_client, buyer):
    evidence = stored(buyer, "good/webm_vp8_vorbis.webm")
    original = stored_original(evidence)

    response = buyer_client.get(file_url(evidence, "video"), HTTP_RANGE="bytes=100-199")

    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes 100-199/{len(original)}"
    assert response["Content-Length"] == "100"
    assert body(response) == original[100:200]


@pytest.mark.parametrize(
    ("header", "start", "end"),
    [("bytes=0-", 0, None), ("bytes=-500", -500, None), ("bytes=66000-99999999", 66000, None)],
)
def test_video_open_and_suffix_ranges(buyer_client, buyer, header, start, end):
    evidence = stored(buyer, "good/webm_vp8_vorbis.webm")
    original = stored_original(evidence)

    response = buyer_client.get(file_url(evidence, "video"), HTTP_RANGE=header)

    assert response.status_code == 206
    assert body(response) == original[start:end]


def test_video_range_past_the_end_is_416(buyer_client, buyer):
    evidence = stored(buyer, "good/webm_vp8_vorbis.webm")

    response = buyer_client.get(file_url(evidence, "video"), HTTP_RANGE="bytes=99999999-")

    assert response.status_code == 416
    assert response["Content-Range"].startswith("bytes */")


@pytest.mark.parametrize(
    ("header", "status", "start"),
    [
        (f"bytes={'9' * 5000}-", 416, None),  # past the end of any file
        (f"bytes=-{'9' * 5000}", 206, 0),  # more than the whole file: all of it
        (f"bytes=100-{'9' * 5000}", 206, 100),
        (f"bytes={'0' * 5000}100-", 206, 100),
    ],
)
def test_a_range_of_thousands_of_digits_is_answered_not_a_500(
    buyer_client, buyer, header, status, start
):
    evidence = stored(buyer, "good/webm_vp8_vorbis.webm")
    with evidence.original.open("rb") as stored_file:  # the remuxed copy
        original = stored_file.read()

    response = buyer_client.get(file_url(evidence, "video"), HTTP_RANGE=header)

    assert response.status_code == status
    if status == 206:
        assert body(response) == original[start:]


def test_several_ranges_are_answered_with_the_whole_file(buyer_client, buyer):
    evidence = stored(buyer, "good/webm_vp8_vorbis.webm")

    response = buyer_client.get(file_url(evidence, "video"), HTTP_RANGE="bytes=0-10,20-30")

    assert response.status_code == 200


def test_photo_has_no_video_variant(buyer_client, buyer):
    evidence = stored(buyer, "good/png_photo_hopper.png")

    assert buyer_client.get(file_url(evidence, "video")).status_code == 404


def test_unknown_variant_is_404(buyer_client, buyer):
    evidence = stored(buyer, "good/png_photo_hopper.png")

    assert buyer_client.get(file_url(evidence, "secret")).status_code == 404


@pytest.mark.parametrize("variant", ["thumbnail", "display", "original"])
def test_another_buyers_evidence_file_is_404(buyer_client, other_buyer, variant):
    evidence = stored(other_buyer, "good/png_photo_hopper.png")

    assert buyer_client.get(file_url(evidence, variant)).status_code == 404


def test_a_file_of_a_mediators_internal_note_is_not_found_for_the_parties(client, buyer):
    dispute = answerable_dispute(buyer)
    mediator = make_mediator()
    note_file = stored(mediator, "good/png_photo_hopper.png", order=dispute.order)
    actions.post_message(
        dispute=dispute, author=mediator, body="Compare.", internal=True, evidence=[note_file]
    )

    for party in (buyer, seller_of(dispute)):
        client.force_login(party)
        assert client.get(file_url(note_file, "thumbnail")).status_code == 404
    client.force_login(mediator)
    assert client.get(file_url(note_file, "thumbnail")).status_code == 200


def test_a_mediator_may_fetch_any_evidence(client, buyer):
    evidence = stored(buyer, "good/png_photo_hopper.png")
    client.force_login(make_mediator())

    assert client.get(file_url(evidence, "original")).status_code == 200


def test_anonymous_file_request_is_sent_to_log_in(client, buyer):
    evidence = stored(buyer, "good/png_photo_hopper.png")

    response = client.get(file_url(evidence, "thumbnail"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# The panel


def test_panel_states_the_limits_and_lists_files_with_remove_buttons(buyer_client, buyer):
    order = disputable_order(buyer)
    stored(buyer, "good/png_photo_hopper.png", order=order)

    response = post_upload(buyer_client, order, htmx=True)

    html = response.content.decode()
    assert "Photos up to 20 MB; videos up to 100 MB and 3 minutes, from a phone or camera." in html
    assert "Up to 10 files." in html
    assert "Photos: JPEG, PNG, WebP, HEIC, AVIF. Videos: MP4, MOV, WebM" in html  # one tap away
    assert 'name="evidence" multiple accept="image/*,video/*"' in html
    assert "<form" not in html
    assert f'value="{Evidence.objects.get().pk}"' in html
    assert f'name="draft" value="{DRAFT_KEY}"' in html


@pytest.mark.parametrize(
    "pk",
    ["²", "①", "9" * 5000, "9" * 19],
    ids=["superscript", "circled", "5000 digits", "past a bigint"],
)
def test_a_posted_number_that_is_no_primary_key_is_404(buyer_client, buyer, pk):
    """``str.isdigit`` takes "²" for a digit, and ``int`` refuses it (and 5,000 digits)."""
    dispute = open_dispute(buyer)
    assert buyer_client.post(REMOVE_URL, {"evidence_pk": pk}).status_code == 404
    response = post_upload(buyer_client, dispute.order, dispute=pk)
    assert response.status_code == 404
