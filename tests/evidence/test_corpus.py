"""Every corpus file gets the verdict the manifest gives it, and safe derivatives."""

import io
import zipfile

import pytest
from PIL import Image

from disputes.evidence.inspect import inspect_evidence
from tests.conftest import CORPUS, MANIFEST, corpus_path, corpus_rows

# Pillow warns about the damage it meets on the way to refusing a file; that is expected.
pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

ROWS = corpus_rows()
PHOTO_ROWS = [
    row for row in ROWS if row["expected_validator_action"].startswith(("ACCEPT_IMAGE", "SANITISE"))
]
VIDEO_ROWS = [row for row in ROWS if row["expected_validator_action"] == "ACCEPT_VIDEO"]
POLYGLOT_MARKERS = (b"%PDF", b"<?php", b"<script")


@pytest.fixture
def derivatives_of(tmp_path):
    """Inspect a corpus file with a work directory; return its display and thumbnail bytes."""

    def derivatives_of(relative):
        path = corpus_path(relative)
        verdict = inspect_evidence(path, path.name, workdir=tmp_path)
        assert verdict.accepted, verdict.message
        return (
            verdict.derivatives.display.read_bytes(),
            verdict.derivatives.thumbnail.read_bytes(),
        )

    return derivatives_of


def by_path(rows):
    return pytest.mark.parametrize("row", rows, ids=[row["path"] for row in rows])


def test_corpus_is_present_and_complete():
    assert MANIFEST.is_file(), f"the evidence corpus is missing: expected {MANIFEST}"
    assert len(ROWS) == 82
    missing = [row["path"] for row in ROWS if not (CORPUS / row["path"]).is_file()]
    assert missing == []


@by_path(ROWS)
def test_corpus_file_gets_the_manifest_verdict(row):
    path = corpus_path(row["path"])
    verdict = inspect_evidence(path, path.name)
    expected = row["expected_validator_action"]

    if expected.startswith(("ACCEPT_IMAGE", "SANITISE")):
        assert (verdict.accepted, verdict.kind) == (True, "photo"), verdict.message
    elif expected == "ACCEPT_VIDEO":
        assert (verdict.accepted, verdict.kind) == (True, "video"), verdict.message
    else:
        assert expected.startswith("REFUSE")
        assert not verdict.accepted, verdict
        assert verdict.code != "accepted"
    assert path.name in verdict.message
    assert verdict.size == int(row["size_bytes"])


@by_path(PHOTO_ROWS)
def test_photo_derivatives_decode_and_carry_no_metadata(row, derivatives_of):
    display, thumbnail = derivatives_of(row["path"])

    for derivative, max_side in ((display, 1600), (thumbnail, 320)):
        with Image.open(io.BytesIO(derivative)) as image:
            image.load()
            assert image.format == "JPEG"
            assert image.mode == "RGB"
            assert max(image.size) <= max_side
            assert not image.getexif()
            assert "exif" not in image.info
            assert "icc_profile" not in image.info
            assert "comment" not in image.info


@by_path([row for row in PHOTO_ROWS if row["expected_validator_action"].startswith("SANITISE")])
def test_polyglot_payload_is_gone_from_derivatives(row, derivatives_of):
    for derivative in derivatives_of(row["path"]):
        assert not zipfile.is_zipfile(io.BytesIO(derivative))
        for marker in POLYGLOT_MARKERS:
            assert marker not in derivative


def test_zip_polyglot_original_really_is_a_zip():
    assert zipfile.is_zipfile(corpus_path("bad/jpeg_zip_polyglot.jpg"))


def test_exif_orientation_6_derivative_is_portrait(derivatives_of):
    display, thumbnail = derivatives_of("good/jpeg_exif_orientation_6.jpg")

    for derivative in (display, thumbnail):
        with Image.open(io.BytesIO(derivative)) as image:
            assert image.height > image.width


@by_path(VIDEO_ROWS)
def test_video_poster_decodes(row, derivatives_of):
    poster, thumbnail = derivatives_of(row["path"])

    for derivative, max_side in ((poster, 1600), (thumbnail, 320)):
        with Image.open(io.BytesIO(derivative)) as image:
            image.load()
            assert image.format == "JPEG"
            assert max(image.size) <= max_side
            assert not image.getexif()
