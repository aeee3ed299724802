"""Whatever the bytes and the name, inspection ends in a Verdict, never an exception."""

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from disputes.evidence.inspect import Verdict, inspect_evidence
from tests.conftest import CORPUS, corpus_rows

# Pillow warns about the damage it meets on the way to refusing a file; that is expected.
pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

PHOTO_MAGIC = [
    b"\xff\xd8\xff\xe0\x00\x10JFIF\x00",
    b"\xff\xd8\xff\xe1",
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    b"RIFF\x00\x10\x00\x00WEBPVP8 ",
    b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic",
    b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1miaf",
]
VIDEO_MAGIC = [
    b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom",
    b"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00qt  ",
    b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\xf2\x81\x04\x42\xf3\x81"
    b"\x08\x42\x82\x84webm\x42\x87\x81\x02\x42\x85\x81\x02",
]
PHOTO_FILES = [
    CORPUS / row["path"]
    for row in corpus_rows()
    if row["path"].endswith((".jpg", ".png", ".webp", ".heic", ".avif", ".gif"))
]
VIDEO_FILES = [
    CORPUS / row["path"] for row in corpus_rows() if row["path"].endswith((".mp4", ".mov", ".webm"))
]

names = st.text(min_size=1, max_size=40)
quick = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Every video-branch example starts a worker process: keep those few.
few = settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def judge(content, name):
    """Write ``content`` to a fresh file and inspect it under ``name``."""
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "upload"
        path.write_bytes(content)
        verdict = inspect_evidence(path, name)
    assert isinstance(verdict, Verdict)
    assert name in verdict.message
    assert verdict.accepted == (verdict.code == "accepted")
    return verdict


@quick
@given(content=st.binary(max_size=2048), name=names)
def test_any_bytes_with_any_name_get_a_verdict(content, name):
    judge(content, name)


@quick
@given(magic=st.sampled_from(PHOTO_MAGIC), tail=st.binary(max_size=2048), name=names)
def test_random_bytes_after_a_photo_magic_number_get_a_verdict(magic, tail, name):
    verdict = judge(magic + tail, name)
    assert verdict.kind in ("photo", None)


@few
@given(magic=st.sampled_from(VIDEO_MAGIC), tail=st.binary(max_size=2048), name=names)
def test_random_bytes_after_a_video_magic_number_get_a_verdict(magic, tail, name):
    judge(magic + tail, name)


@quick
@given(data=st.data(), name=names)
def test_prefixes_of_real_photos_get_a_verdict(data, name):
    content = data.draw(st.sampled_from(PHOTO_FILES)).read_bytes()
    judge(content[: data.draw(st.integers(0, min(len(content), 200_000)))], name)


@few
@given(data=st.data(), name=names)
def test_prefixes_of_real_videos_get_a_verdict(data, name):
    content = data.draw(st.sampled_from(VIDEO_FILES)).read_bytes()
    judge(content[: data.draw(st.integers(0, len(content)))], name)


@quick
@given(data=st.data())
def test_real_photos_with_flipped_bytes_get_a_verdict(data):
    content = bytearray(data.draw(st.sampled_from(PHOTO_FILES)).read_bytes()[:200_000])
    for _ in range(data.draw(st.integers(1, 8))):
        if content:
            content[data.draw(st.integers(0, len(content) - 1))] = data.draw(st.integers(0, 255))
    judge(bytes(content), "photo.jpg")
