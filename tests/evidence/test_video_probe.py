"""The sandboxed video probe, the EBML DocType reader, and videos that lie about themselves."""

import subprocess
import sys

import av
import pytest
from django.conf import settings

from disputes.evidence import sandbox, video_probe
from disputes.evidence.inspect import EvidenceLimits, ebml_doc_type, inspect_evidence
from tests.conftest import corpus_path
from tests.evidence import media

LOCATION = "+48.8584+002.2945/"


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


def test_probe_reports_facts_derivatives_and_a_remuxed_copy(tmp_path):
    path = media.write_video(tmp_path / "clip.mp4", size=(96, 64), seconds=2)
    workdir = tmp_path / "work"
    workdir.mkdir()

    facts = video_probe.probe_video(path, "video/mp4", workdir)

    assert (facts.readable, facts.has_video, facts.codec, facts.decoded) == (
        True,
        True,
        "h264",
        True,
    )
    assert (facts.width, facts.height) == (96, 64)
    assert facts.measured_seconds == pytest.approx(2.0, abs=0.01)
    assert facts.declared_seconds == pytest.approx(2.0, abs=0.01)
    assert facts.remuxed == workdir / video_probe.REMUXED_FILE
    assert (workdir / "display.jpg").read_bytes().startswith(b"\xff\xd8")
    assert (workdir / "thumbnail.jpg").read_bytes().startswith(b"\xff\xd8")


def test_probe_forces_the_demuxer_of_the_detected_type(tmp_path):
    path = media.write_video(tmp_path / "clip.webm", codec="libvpx", container="webm")

    facts = video_probe.probe_video(path, "video/mp4", tmp_path)

    assert not facts.readable


def test_sandbox_refuses_an_unknown_entry_point(tmp_path):
    # In its own process: the child limits the CPU time and memory of the process it runs in.
    child = subprocess.run(
        [sys.executable, "-m", "disputes.evidence.sandbox", "shell", "{}"],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert child.returncode != 0
    assert "unknown sandbox entry point 'shell'" in child.stderr


def test_a_child_that_dies_is_a_sandbox_error(tmp_path, monkeypatch):
    monkeypatch.setattr(sandbox, "PROJECT_ROOT", tmp_path)  # the module cannot be found

    with pytest.raises(sandbox.SandboxCrashed):
        video_probe.probe_video(media.write_video(tmp_path / "clip.mp4"), "video/mp4", tmp_path)


@pytest.mark.parametrize(
    "answer",
    [
        {},
        {"readable": True, "measured_seconds": "long"},
        {"readable": True, "decoded": True},
        {"readable": True, "has_video": True, "codec": ["h264"]},
        {"readable": True, "has_video": True, "codec": "h264", "width": "1920"},
    ],
    ids=[
        "no readable",
        "duration not a number",
        "decoded yet not measured",
        "codec not a name",
        "width not a number",
    ],
)
def test_malformed_facts_are_a_sandbox_error(answer, tmp_path):
    with pytest.raises(sandbox.SandboxError):
        video_probe.facts_from_answer(answer, tmp_path)


def test_unknown_keys_in_the_facts_are_ignored(tmp_path):
    facts = video_probe.facts_from_answer({"readable": False, "shell": "rm"}, tmp_path)
    assert facts.readable is False


# Videos edited to pass the duration limit, or damaged after their first frame.


def test_mp4_whose_header_claims_10_seconds_is_measured_at_its_real_4_minutes(tmp_path):
    path = media.write_video(tmp_path / "long.mp4", seconds=240, fps=2, size=(32, 32))
    media.set_mp4_declared_duration(path, 10)
    with av.open(str(path)) as container:
        assert container.duration / av.time_base == 10  # what the old check read

    verdict = inspect_evidence(path, "IMG_0007.MP4")

    assert (verdict.accepted, verdict.code) == (False, "video_too_long")
    assert verdict.message == (
        "IMG_0007.MP4 lasts 240.0 seconds; videos can last at most 180 seconds."
    )


def test_header_duration_that_disagrees_with_the_packets_is_refused(tmp_path):
    path = media.write_video(tmp_path / "clip.mov", container="mov", seconds=60, fps=2)
    media.set_mp4_declared_duration(path, 10)

    verdict = inspect_evidence(path, "clip.mov")

    assert (verdict.accepted, verdict.code) == (False, "duration_mismatch")
    assert verdict.message == (
        "clip.mov says it lasts 10.0 seconds, but its pictures last 60.0 seconds; "
        "it may have been edited or damaged."
    )


def test_webm_without_its_duration_element_is_measured(tmp_path):
    path = media.write_video(
        tmp_path / "long.webm", codec="libvpx", container="webm", seconds=240, fps=2
    )
    media.hide_webm_duration(path)

    verdict = inspect_evidence(path, "long.webm")

    assert (verdict.accepted, verdict.code) == (False, "video_too_long")
    assert verdict.duration_seconds == pytest.approx(240, abs=1)


def test_short_webm_without_a_duration_is_accepted_with_its_measured_length(tmp_path):
    path = media.write_video(tmp_path / "live.webm", codec="libvpx", container="webm", seconds=3)
    media.hide_webm_duration(path)

    verdict = inspect_evidence(path, "live.webm")

    assert verdict.accepted
    assert verdict.duration_seconds == pytest.approx(3, abs=0.2)


def test_mp4_whose_media_data_turns_to_noise_is_refused(tmp_path):
    path = media.write_video(tmp_path / "noise.mp4", seconds=170, fps=5, size=(64, 48))
    media.scramble_mp4_media_data(path, keep_bytes=10_000)
    limits = EvidenceLimits(photo_max_bytes=10**7, video_max_bytes=10**8, video_max_seconds=180)

    verdict = inspect_evidence(path, "noise.mp4", limits=limits)

    assert (verdict.accepted, verdict.code) == (False, "corrupt")


# The stored original is a remuxed copy: same pictures, no metadata.


def stored_original(tmp_path, path):
    workdir = tmp_path / "work"
    workdir.mkdir()
    verdict = inspect_evidence(path, path.name, workdir=workdir)
    assert verdict.accepted, verdict.message
    return verdict.derivatives.original


@pytest.mark.parametrize("container", ["mov", "mp4"])
def test_remuxed_original_carries_no_location(tmp_path, container):
    tagged = {"location": LOCATION}
    path = media.write_video(
        tmp_path / f"gps.{container}", container=container, seconds=2, metadata=tagged
    )
    with av.open(str(path)) as source:
        assert source.metadata["location"] == LOCATION

    remuxed = stored_original(tmp_path, path)

    assert LOCATION.encode() not in remuxed.read_bytes()
    assert b"\xa9xyz" not in remuxed.read_bytes()
    with av.open(str(remuxed)) as copy:
        assert "location" not in copy.metadata
        assert sum(1 for _ in copy.decode(video=0)) == 20  # every frame, not re-encoded


def test_iphone_video_loses_its_quicktime_gps_keys(tmp_path):
    path = corpus_path("good/mov_iphone6_h264_aac_gps.mov")
    with av.open(str(path)) as source:
        assert any("location" in key for key in source.metadata)

    remuxed = stored_original(tmp_path, path)

    with av.open(str(remuxed)) as copy:
        assert not any("location" in key for key in copy.metadata)
        assert [stream.type for stream in copy.streams] == ["video", "audio"]
        with av.open(str(path)) as source:
            assert copy.streams.video[0].frames == source.streams.video[0].frames


def test_remuxed_original_keeps_a_portrait_videos_rotation(tmp_path):
    path = media.rotate_mp4(media.write_video(tmp_path / "portrait.mp4", seconds=1))

    remuxed = stored_original(tmp_path, path)

    [matrix] = media.track_matrices(remuxed)
    assert matrix[:4] == media.ROTATE_90[:4]  # the rotation; ffmpeg rescales the last term


@pytest.mark.parametrize("container", ["mov", "mp4"])
def test_remuxed_original_of_an_iphones_hevc_video_stays_playable_on_apples_players(
    tmp_path, container
):
    """An iPhone tags its HEVC "hvc1", the only tag Safari, iOS and QuickTime play; FFmpeg's
    muxers write "hev1" unless told otherwise."""
    path = media.write_video(
        tmp_path / f"iphone.{container}", codec="libx265", container=container, codec_tag="hvc1"
    )

    remuxed = stored_original(tmp_path, path)

    with av.open(str(remuxed)) as video:
        assert video.streams.video[0].codec_tag == "hvc1"
