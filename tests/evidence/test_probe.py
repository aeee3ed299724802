"""The video worker and the EBML DocType reader."""

import subprocess
import sys

import pytest
from django.conf import settings

from disputes.evidence import probe
from disputes.evidence.inspect import ebml_doc_type
from tests.evidence import media


def ebml_header(doc_type):
    """Build an EBML header holding only a DocType element."""
    body = b"\x42\x82" + bytes([0x80 | len(doc_type)]) + doc_type
    return b"\x1a\x45\xdf\xa3" + bytes([0x80 | len(body)]) + body


@pytest.mark.parametrize(
    ("head", "doc_type"),
    [
        (ebml_header(b"webm"), "webm"),
        (ebml_header(b"matroska"), "matroska"),
        (ebml_header(b"webm\x00"), "webm"),
        (b"\x1a\x45\xdf\xa3", None),
        (b"\x1a\x45\xdf\xa3\x00\x00", None),
        (ebml_header(b"webm")[:-3], None),
        (b"\x00\x00\x00\x18ftypmp42", None),
    ],
    ids=["webm", "matroska", "zero padded", "cut", "bad length", "short doc type", "not ebml"],
)
def test_ebml_doc_type(head, doc_type):
    assert ebml_doc_type(head) == doc_type


def test_doc_type_of_a_written_webm_and_matroska(tmp_path):
    webm = media.write_video(tmp_path / "a.webm", codec="libvpx", container="webm")
    matroska = media.write_video(tmp_path / "a.mkv", codec="libvpx", container="matroska")

    assert ebml_doc_type(webm.read_bytes()) == "webm"
    assert ebml_doc_type(matroska.read_bytes()) == "matroska"


def test_probe_reports_facts_and_a_poster(tmp_path):
    path = media.write_video(tmp_path / "clip.mp4", size=(96, 64))

    facts = probe.probe_video(path, "video/mp4", poster=True)

    assert (facts.readable, facts.has_video, facts.codec) == (True, True, "h264")
    assert (facts.width, facts.height, facts.decoded_frame) == (96, 64, True)
    assert facts.poster_jpeg.startswith(b"\xff\xd8")


def test_probe_forces_the_demuxer_of_the_detected_type(tmp_path):
    path = media.write_video(tmp_path / "clip.webm", codec="libvpx", container="webm")

    facts = probe.probe_video(path, "video/mp4")

    assert not facts.readable


def test_worker_refuses_an_unknown_demuxer(tmp_path):
    # In its own process: the worker limits the CPU time and memory of the process it runs in.
    worker = subprocess.run(
        [sys.executable, "-m", "disputes.evidence.probe", str(tmp_path / "x"), "image2"],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert worker.returncode != 0
    assert "unknown demuxer 'image2'" in worker.stderr


def test_probe_failure_of_the_worker_is_unreadable(tmp_path, monkeypatch):
    monkeypatch.setattr(probe, "PROJECT_ROOT", tmp_path)  # the worker module cannot be found

    facts = probe.probe_video(media.write_video(tmp_path / "clip.mp4"), "video/mp4")

    assert not facts.readable


@pytest.mark.parametrize("stdout", [b"", b"[]", b'{"width": 1}', b"not json"])
def test_malformed_worker_output_is_a_probe_error(stdout):
    with pytest.raises(probe.ProbeError):
        probe._facts_from_json(stdout)
