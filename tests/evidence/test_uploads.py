"""Storing uploaded evidence: the upload handler and ``disputes.evidence.recording``."""

import hashlib
import io
import os
import zipfile

import pytest
from PIL import Image

from disputes.evidence import recording, sandbox
from disputes.evidence.upload_handler import OVERSIZED_HEAD_BYTES, EvidenceUploadHandler
from disputes.models import Evidence
from tests.conftest import DRAFT_KEY, corpus_path, corpus_upload, store_evidence
from tests.disputes.builders import answerable_dispute, disputable_order, open_dispute, seller_of
from tests.factories import make_order

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("evidence_root")]


def stored_files(root):
    return sorted(path for path in root.rglob("*") if path.is_file())


def test_accepted_file_is_kept_when_another_in_the_same_upload_is_refused(buyer, evidence_root):
    order = make_order(buyer)

    result = store_evidence(
        [
            corpus_upload("good/png_photo_hopper.png"),
            corpus_upload("bad/exe_renamed.jpg", "IMG_2.JPG"),
        ],
        buyer,
        order,
    )

    [evidence] = result.stored
    assert evidence.original_name == "png_photo_hopper.png"
    assert evidence.kind == "photo" and evidence.mime == "image/png"
    assert (evidence.width, evidence.height) == (128, 128)
    [refusal] = result.refusals
    assert refusal.file_name == "IMG_2.JPG"
    assert refusal.message.startswith("IMG_2.JPG is an executable program")
    assert list(Evidence.objects.all()) == [evidence]
    assert len(stored_files(evidence_root)) == 3


def test_original_is_kept_byte_for_byte_with_its_sha256_under_a_random_name(buyer):
    order = make_order(buyer)
    original = corpus_path("good/jpeg_exif_orientation_6.jpg").read_bytes()

    [evidence] = store_evidence(
        [corpus_upload("good/jpeg_exif_orientation_6.jpg")], buyer, order
    ).stored

    with evidence.original.open("rb") as stored:
        assert stored.read() == original
    assert evidence.sha256 == hashlib.sha256(original).hexdigest()
    assert evidence.size == len(original)
    assert evidence.original.name.startswith("originals/")
    assert evidence.original.name.endswith(".jpg")
    assert "orientation" not in evidence.original.name


def test_a_video_is_stored_remuxed_with_the_sha256_and_size_of_what_is_stored(buyer):
    upload = corpus_path("good/mov_iphone6_h264_aac_gps.mov").read_bytes()

    [evidence] = store_evidence(
        [corpus_upload("good/mov_iphone6_h264_aac_gps.mov")], buyer, make_order(buyer)
    ).stored

    with evidence.original.open("rb") as stored:
        original = stored.read()
    assert original != upload
    assert b"ISO6709" not in original and b"ISO6709" in upload
    assert evidence.sha256 == hashlib.sha256(original).hexdigest()
    assert evidence.size == len(original)
    assert evidence.original.name.endswith(".mov")


def test_photo_derivatives_are_upright_jpegs_without_metadata(buyer):
    order = make_order(buyer)

    [evidence] = store_evidence(
        [corpus_upload("good/jpeg_exif_orientation_6.jpg")], buyer, order
    ).stored

    with evidence.display.open("rb") as display:
        image = Image.open(io.BytesIO(display.read()))
    assert image.format == "JPEG"
    assert image.height > image.width  # 600x450 turned by its Orientation=6
    assert not image.getexif()
    with evidence.thumbnail.open("rb") as thumbnail:
        assert max(Image.open(io.BytesIO(thumbnail.read())).size) <= 320


def test_polyglot_display_copy_is_not_a_zip(buyer):
    order = make_order(buyer)

    [evidence] = store_evidence([corpus_upload("bad/jpeg_zip_polyglot.jpg")], buyer, order).stored

    with evidence.display.open("rb") as display:
        assert not zipfile.is_zipfile(io.BytesIO(display.read()))


def test_video_gets_a_poster_and_a_thumbnail_made_from_it(buyer):
    order = make_order(buyer)

    [evidence] = store_evidence([corpus_upload("good/webm_vp8_vorbis.webm")], buyer, order).stored

    assert evidence.kind == "video" and evidence.mime == "video/webm"
    assert evidence.original.name.endswith(".webm")
    assert evidence.duration_seconds is not None
    for derivative in (evidence.display, evidence.thumbnail):
        with derivative.open("rb") as stream:
            assert Image.open(io.BytesIO(stream.read())).format == "JPEG"


def test_files_beyond_the_limit_are_refused_by_name(buyer, settings):
    settings.EVIDENCE_MAX_FILES = 2
    order = make_order(buyer)
    store_evidence([corpus_upload("good/png_photo_hopper.png")], buyer, order)

    result = store_evidence(
        [
            corpus_upload("good/png_rgb_fixture.png"),
            corpus_upload("good/webp_lossy.webp", "IMG_9.JPG"),
        ],
        buyer,
        order,
    )

    assert [evidence.original_name for evidence in result.stored] == ["png_rgb_fixture.png"]
    [refusal] = result.refusals
    assert refusal.message == "You can attach at most 2 files; IMG_9.JPG was not added."


def test_refused_files_do_not_count_towards_the_limit(buyer, settings):
    settings.EVIDENCE_MAX_FILES = 1
    order = make_order(buyer)

    result = store_evidence(
        [corpus_upload("bad/exe_renamed.jpg"), corpus_upload("good/png_photo_hopper.png")],
        buyer,
        order,
    )

    assert len(result.stored) == 1


def test_limit_counts_what_the_dispute_already_has(buyer, settings):
    settings.EVIDENCE_MAX_FILES = 1
    dispute = open_dispute(buyer)
    order = dispute.order
    store_evidence([corpus_upload("good/png_photo_hopper.png")], buyer, order, dispute=dispute)

    result = store_evidence([corpus_upload("good/webp_lossy.webp")], buyer, order, dispute=dispute)

    assert result.stored == []
    assert "at most 1 files" in result.refusals[0].message


def test_limit_is_per_party_and_a_draft_counts_the_files_already_sent(buyer, settings):
    settings.EVIDENCE_MAX_FILES = 1
    dispute = answerable_dispute(buyer)
    order = dispute.order
    store_evidence([corpus_upload("good/png_photo_hopper.png")], buyer, order, dispute=dispute)

    sellers = store_evidence(
        [corpus_upload("good/webp_lossy.webp")], seller_of(dispute), order, draft_key="seller"
    )
    buyers = store_evidence(
        [corpus_upload("good/webp_lossy.webp", "MORE.WEBP")], buyer, order, draft_key="buyer"
    )

    assert len(sellers.stored) == 1  # the buyer's file is not the seller's to count
    assert buyers.stored == []
    assert buyers.refusals[0].message == "You can attach at most 1 files; MORE.WEBP was not added."


def test_other_drafts_do_not_count_towards_the_limit(buyer, settings):
    settings.EVIDENCE_MAX_FILES = 1
    order = make_order(buyer)
    store_evidence(
        [corpus_upload("good/png_photo_hopper.png")], buyer, order, draft_key="another-draft"
    )

    assert len(store_evidence([corpus_upload("good/webp_lossy.webp")], buyer, order).stored) == 1


def test_a_draft_or_a_dispute_is_required(buyer):
    with pytest.raises(ValueError):
        recording.store_uploads([], uploader=buyer, order=make_order(buyer))


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/IMG_1.JPG", "IMG_1.JPG"),
        ("C:\\Users\\ana\\Pictures\\IMG_2.HEIC", "IMG_2.HEIC"),
        ("bad\x00name\n.png", "badname.png"),
        ("", "a file"),
        ("x" * 300 + ".jpeg", "x" * 249 + "….jpeg"),
    ],
)
def test_file_names_are_reduced_to_a_printable_base_name(name, expected):
    assert recording.clean_file_name(name) == expected


def test_removing_draft_evidence_deletes_its_row_and_files(
    buyer, evidence_root, django_capture_on_commit_callbacks
):
    order = make_order(buyer)
    [evidence] = store_evidence([corpus_upload("good/png_photo_hopper.png")], buyer, order).stored

    with django_capture_on_commit_callbacks(execute=True):
        recording.remove_draft(evidence)

    assert not Evidence.objects.exists()
    assert stored_files(evidence_root) == []


def test_attached_evidence_cannot_be_removed(buyer, evidence_root):
    dispute = open_dispute(buyer)
    order = dispute.order
    [evidence] = store_evidence(
        [corpus_upload("good/png_photo_hopper.png")], buyer, order, dispute=dispute
    ).stored

    with pytest.raises(ValueError):
        recording.remove_draft(evidence)

    assert Evidence.objects.filter(pk=evidence.pk).exists()
    assert len(stored_files(evidence_root)) == 3


def test_attaching_a_draft_moves_its_evidence_to_the_dispute(buyer):
    order = disputable_order(buyer)
    stored = store_evidence([corpus_upload("good/png_photo_hopper.png")], buyer, order).stored
    store_evidence([corpus_upload("good/webp_lossy.webp")], buyer, order, draft_key="another-draft")
    dispute = open_dispute(buyer, order)

    attached = recording.attach_drafts(
        uploader=buyer, order=order, draft_key=DRAFT_KEY, dispute=dispute
    )

    assert attached == stored
    assert list(dispute.evidence.all()) == stored
    assert attached[0].draft_key == ""
    assert not Evidence.objects.drafts(buyer=buyer, order=order, key=DRAFT_KEY).exists()
    assert Evidence.objects.drafts(buyer=buyer, order=order, key="another-draft").count() == 1


def test_attaching_an_empty_draft_key_attaches_nothing(buyer):
    dispute = open_dispute(buyer)
    order = dispute.order

    assert recording.attach_drafts(uploader=buyer, order=order, draft_key="", dispute=dispute) == []


def test_draft_evidence_is_the_buyers_own(buyer, other_buyer):
    order = make_order(buyer)
    store_evidence([corpus_upload("good/png_photo_hopper.png")], buyer, order)

    assert not Evidence.objects.drafts(buyer=other_buyer, order=order, key=DRAFT_KEY).exists()


def receive(handler, name, chunks):
    handler.new_file("evidence", name, "image/jpeg", None)
    start = 0
    for chunk in chunks:
        handler.receive_data_chunk(chunk, start)
        start += len(chunk)
    return handler.file_complete(start)


def test_handler_stops_storing_a_file_once_it_passes_the_largest_size():
    handler = EvidenceUploadHandler(max_bytes=200_000)
    chunk = b"\xff\xd8\xff" + bytes(64 * 1024 - 3)

    received = receive(handler, "IMG_1.MOV", [chunk] * 20)

    assert received.oversized
    assert received.size == 20 * len(chunk)
    assert os.path.getsize(received.temporary_file_path()) <= OVERSIZED_HEAD_BYTES
    assert received.name == "IMG_1.MOV"


def test_handler_keeps_a_file_at_the_limit_whole():
    handler = EvidenceUploadHandler(max_bytes=1000)

    received = receive(handler, "IMG_1.JPG", [b"a" * 600, b"b" * 400])

    assert not received.oversized
    assert received.read() == b"a" * 600 + b"b" * 400


def test_handler_temporary_file_does_not_take_the_buyers_extension():
    handler = EvidenceUploadHandler(max_bytes=1000)

    received = receive(handler, "clip.jpg", [b"<html></html>"])

    assert not received.temporary_file_path().endswith(".jpg")


def test_oversized_file_is_refused_with_the_limit_of_its_kind(buyer, settings):
    settings.EVIDENCE_VIDEO_MAX_BYTES = 100_000
    order = make_order(buyer)
    handler = EvidenceUploadHandler(max_bytes=100_000)
    video = corpus_path("good/webm_vp8_vorbis.webm").read_bytes()
    oversized = receive(handler, "IMG_1.WEBM", [video, bytes(65_536), bytes(65_536)])

    result = store_evidence([oversized], buyer, order)

    assert result.stored == []
    [refusal] = result.refusals
    assert refusal.message == "IMG_1.WEBM is 0.2 MB; videos can be at most 0.1 MB."


def test_each_file_costs_one_sandbox_run(buyer, monkeypatch):
    runs = []
    real_run = sandbox.run

    def counted_run(entry, **arguments):
        runs.append(entry)
        return real_run(entry, **arguments)

    monkeypatch.setattr(sandbox, "run", counted_run)
    files = [
        corpus_upload("good/webm_vp8_vorbis.webm"),
        corpus_upload("good/jpeg_exif_orientation_6.jpg"),
    ]

    result = store_evidence(files, buyer, make_order(buyer))

    assert len(result.stored) == 2
    assert runs == ["video", "photo"]
