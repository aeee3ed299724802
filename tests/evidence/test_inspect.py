"""Each inspection rule, proven with small files written for the test."""

import os
import resource

import pytest
from django.utils import translation
from PIL import Image

from disputes.evidence import inspect as inspection
from disputes.evidence.inspect import EvidenceLimits, Verdict, inspect_evidence
from tests.conftest import corpus_path
from tests.evidence import media

TINY_PHOTO_LIMIT = EvidenceLimits(photo_max_bytes=100, video_max_bytes=10**8, video_max_seconds=180)


def sparse_file(path, head, size):
    """Write ``head`` and extend the file to ``size`` bytes without writing them."""
    path.write_bytes(head)
    os.truncate(path, size)
    return path


def test_verdict_is_frozen(tmp_path):
    verdict = inspect_evidence(media.write_photo(tmp_path / "a.jpg"), "a.jpg")

    assert isinstance(verdict, Verdict)
    with pytest.raises(AttributeError):
        verdict.accepted = False


def test_limits_come_from_settings(settings):
    settings.EVIDENCE_PHOTO_MAX_BYTES = 5
    settings.EVIDENCE_VIDEO_MAX_BYTES = 6
    settings.EVIDENCE_VIDEO_MAX_SECONDS = 7
    settings.EVIDENCE_PHOTO_MAX_PIXELS = 8

    limits = EvidenceLimits.from_settings()

    assert (
        limits.photo_max_bytes,
        limits.video_max_bytes,
        limits.video_max_seconds,
        limits.photo_max_pixels,
    ) == (5, 6, 7, 8)


@pytest.mark.parametrize(
    ("format", "mime", "image_format"),
    [
        ("JPEG", "image/jpeg", "JPEG"),
        ("PNG", "image/png", "PNG"),
        ("WEBP", "image/webp", "WEBP"),
        ("AVIF", "image/avif", "AVIF"),
    ],
)
def test_still_photo_is_accepted(tmp_path, format, mime, image_format):
    path = media.write_photo(tmp_path / "photo", format=format)

    verdict = inspect_evidence(path, "photo")

    assert verdict.accepted
    assert (verdict.kind, verdict.mime, verdict.image_format) == ("photo", mime, image_format)
    assert (verdict.width, verdict.height) == (64, 48)
    assert verdict.code == "accepted"
    assert (
        verdict.message == f"photo is accepted: {inspection.KIND_LABELS[mime]} of 64 by 48 pixels."
    )


def test_verdict_ignores_the_file_name(tmp_path):
    path = media.write_photo(tmp_path / "photo.jpg")

    as_video = inspect_evidence(path, "clip.mp4")
    as_photo = inspect_evidence(path, "photo.jpg")

    assert as_video.accepted and as_video.kind == "photo"
    assert as_video.message.replace("clip.mp4", "photo.jpg") == as_photo.message


def test_empty_file_is_refused(tmp_path):
    path = tmp_path / "blank.jpg"
    path.write_bytes(b"")

    verdict = inspect_evidence(path, "blank.jpg")

    assert (verdict.accepted, verdict.code, verdict.size) == (False, "empty", 0)
    assert verdict.message == "blank.jpg is empty (0 bytes)."


def test_missing_file_is_refused_with_a_message(tmp_path):
    verdict = inspect_evidence(tmp_path / "gone.jpg", "gone.jpg")

    assert (verdict.accepted, verdict.code, verdict.mime) == (False, "missing", None)
    assert verdict.message == "gone.jpg does not exist."


def test_photo_over_the_size_limit_is_refused_before_decoding(tmp_path):
    path = media.write_photo(tmp_path / "big.png", format="PNG", size=(300, 300))

    verdict = inspect_evidence(path, "big.png", limits=TINY_PHOTO_LIMIT)

    assert (verdict.accepted, verdict.kind, verdict.code) == (False, "photo", "photo_too_large")
    assert verdict.width is None


def test_size_message_names_the_file_in_decimal_megabytes(tmp_path):
    path = sparse_file(tmp_path / "IMG_2041.HEIC", media.photo_bytes(), 23_400_000)

    verdict = inspect_evidence(path, "IMG_2041.HEIC")

    assert verdict.code == "photo_too_large"
    assert verdict.message == "IMG_2041.HEIC is 23.4 MB; photos can be at most 20 MB."


def test_size_just_over_the_limit_never_reads_as_the_limit(tmp_path):
    path = sparse_file(tmp_path / "a.jpg", media.photo_bytes(), 20_000_001)

    verdict = inspect_evidence(path, "a.jpg")

    assert verdict.message == "a.jpg is 20.1 MB; photos can be at most 20 MB."


def test_video_over_the_size_limit_is_refused_before_probing(tmp_path, monkeypatch):
    path = media.write_video(tmp_path / "clip.mp4")
    monkeypatch.setattr(inspection, "probe_video", pytest.fail)
    limits = EvidenceLimits(photo_max_bytes=10, video_max_bytes=1_500_000, video_max_seconds=9)
    sparse_file(path, path.read_bytes(), 2_345_678)

    verdict = inspect_evidence(path, "clip.mp4", limits=limits)

    assert verdict.code == "video_too_large"
    assert verdict.message == "clip.mp4 is 2.4 MB; videos can be at most 1.5 MB."


def test_messages_are_translated_at_call_time(tmp_path):
    path = sparse_file(tmp_path / "a.jpg", media.photo_bytes(), 23_400_000)

    with translation.override("fr"):
        verdict = inspect_evidence(path, "a.jpg")

    # French puts a no-break space before the semicolon.
    assert verdict.message == "a.jpg fait 23,4 Mo\u00a0; une photo peut faire au plus 20 Mo."


@pytest.mark.parametrize(
    ("format", "label"),
    [("GIF", "a GIF image"), ("TIFF", "a TIFF image"), ("BMP", "a BMP image")],
)
def test_image_format_outside_the_allowlist_is_refused(tmp_path, format, label):
    path = media.write_photo(tmp_path / "pic.jpg", format=format)

    verdict = inspect_evidence(path, "pic.jpg")

    assert (verdict.accepted, verdict.code) == (False, "format_not_allowed")
    assert verdict.message == (
        f"pic.jpg is {label}; only photos (JPEG, PNG, WebP, HEIC, AVIF) "
        "and videos (MP4, MOV, WebM) are accepted."
    )


def test_unrecognised_content_is_named_as_such(tmp_path):
    path = tmp_path / "x.jpg"
    path.write_bytes(bytes(range(256)) * 4)

    verdict = inspect_evidence(path, "x.jpg")

    assert verdict.code == "format_not_allowed"
    assert "x.jpg is a file of an unrecognised type;" in verdict.message


def test_animated_png_is_refused(tmp_path):
    path = media.write_animated_png(tmp_path / "anim.png", frames=3)

    verdict = inspect_evidence(path, "anim.png")

    assert (verdict.accepted, verdict.code) == (False, "animated")
    assert (
        verdict.message == "anim.png is a PNG image with 3 frames; only still photos are accepted."
    )


def test_iphone_mpo_with_a_gain_map_is_one_photo():
    path = corpus_path("good/jpeg_iphone12_mpo_gainmap_gps.jpg")

    verdict = inspect_evidence(path, path.name)

    assert (verdict.accepted, verdict.image_format) == (True, "MPO")


def test_heif_sequence_is_refused_as_animated():
    path = corpus_path("edge/heif_sequence_msf1.heic")

    verdict = inspect_evidence(path, path.name)

    assert (verdict.accepted, verdict.code, verdict.kind) == (False, "animated", "photo")


def test_heic_never_reaches_the_video_probe(monkeypatch):
    monkeypatch.setattr(inspection, "probe_video", pytest.fail)
    path = corpus_path("good/heic_iphone11promax_gps.heic")

    verdict = inspect_evidence(path, path.name)

    assert (verdict.accepted, verdict.kind, verdict.image_format) == (True, "photo", "HEIF")


def test_truncated_jpeg_is_refused_although_verify_passes(tmp_path):
    whole = media.photo_bytes(size=(400, 300), quality=95)
    path = tmp_path / "cut.jpg"
    path.write_bytes(whole[: len(whole) // 2])

    verdict = inspect_evidence(path, "cut.jpg")

    assert (verdict.accepted, verdict.code) == (False, "corrupt")
    assert verdict.message.startswith("cut.jpg looks like a JPEG image but could not be read")


def test_png_without_its_end_is_refused_although_load_passes(tmp_path):
    whole = media.photo_bytes(format="PNG", size=(4, 4))
    path = tmp_path / "cut.png"
    path.write_bytes(whole[: whole.index(b"IEND") - 4])

    verdict = inspect_evidence(path, "cut.png")

    assert (verdict.accepted, verdict.code) == (False, "corrupt")


def test_png_signature_on_garbage_is_refused_as_corrupt(tmp_path):
    path = tmp_path / "fake.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\x0dIHDR" + bytes(300))

    verdict = inspect_evidence(path, "fake.png")

    assert verdict.mime == "image/png"
    assert (verdict.accepted, verdict.code) == (False, "corrupt")


def test_photo_just_under_pillows_bomb_limit_is_refused_before_decoding(tmp_path):
    # The 367 KB PNG: 9450 x 9450 pixels took 2.3 GB to decode and was accepted.
    path = tmp_path / "IMG_0042.PNG"
    Image.new("1", (9450, 9450)).save(path, format="PNG")
    assert path.stat().st_size < 400_000

    verdict = inspect_evidence(path, "IMG_0042.PNG")

    assert (verdict.accepted, verdict.code, verdict.kind) == (False, "too_many_pixels", "photo")
    assert verdict.message == (
        "IMG_0042.PNG is a PNG image of 9450 by 9450 pixels (89.3 million); "
        "photos can have at most 50 million pixels."
    )


def test_pixel_limit_is_a_setting(tmp_path, settings):
    settings.EVIDENCE_PHOTO_MAX_PIXELS = 2_000_000
    path = media.write_photo(tmp_path / "a.jpg", size=(1500, 1500))

    verdict = inspect_evidence(path, "a.jpg")

    assert (verdict.accepted, verdict.code) == (False, "too_many_pixels")
    assert verdict.message == (
        "a.jpg is a JPEG image of 1500 by 1500 pixels (2.2 million); "
        "photos can have at most 2 million pixels."
    )


def test_a_photo_just_over_the_pixel_limit_never_reads_as_within_it(tmp_path, settings):
    settings.EVIDENCE_PHOTO_MAX_PIXELS = 1_000_000
    path = media.write_photo(tmp_path / "a.jpg", size=(1001, 1000))

    verdict = inspect_evidence(path, "a.jpg")

    assert verdict.message == (
        "a.jpg is a JPEG image of 1001 by 1000 pixels (1.1 million); "
        "photos can have at most 1 million pixels."
    )


def test_photo_at_the_pixel_limit_is_accepted(tmp_path):
    limits = EvidenceLimits(
        photo_max_bytes=10**7, video_max_bytes=10**8, video_max_seconds=9, photo_max_pixels=1000
    )
    path = media.write_photo(tmp_path / "a.png", format="PNG", size=(40, 25))

    assert inspect_evidence(path, "a.png", limits=limits).accepted


def test_photos_are_decoded_outside_the_web_process(tmp_path, monkeypatch):
    path = media.write_photo(tmp_path / "a.jpg")
    monkeypatch.setattr(Image.Image, "load", pytest.fail)
    monkeypatch.setattr(Image, "open", pytest.fail)

    verdict = inspect_evidence(path, "a.jpg")

    assert verdict.accepted


def test_large_jpeg_is_decoded_at_a_reduced_size(tmp_path):
    size, cmyk = (6400, 4800), (9, 9, 9, 9)
    path = media.write_photo(tmp_path / "big.jpg", size=size, mode="CMYK", color=cmyk)
    workdir = tmp_path / "work"
    workdir.mkdir()

    verdict = inspect_evidence(path, "big.jpg", workdir=workdir)

    assert (verdict.accepted, verdict.width, verdict.height) == (True, 6400, 4800)
    with Image.open(verdict.derivatives.display) as display:
        assert (display.size, display.mode) == ((1600, 1200), "RGB")


def test_large_transparent_photo_is_reduced_and_flattened_on_white(tmp_path):
    path = tmp_path / "screen.png"
    Image.new("RGBA", (4000, 3000), (0, 0, 0, 0)).save(path, format="PNG")

    verdict = inspect_evidence(path, "screen.png", workdir=tmp_path)

    with Image.open(verdict.derivatives.display) as display:
        assert display.size == (1600, 1200)
        assert min(display.getpixel((800, 600))) >= 250


def test_photo_beyond_the_sandbox_memory_cap_costs_the_child_not_the_worker(tmp_path):
    # 324 million pixels (1.3 GB decoded) under a pixel limit raised out of the way:
    # the child's 1 GiB address space cap ends the decode.
    path = media.write_blank_rgba_png(tmp_path / "huge.png", (18000, 18000))
    limits = EvidenceLimits(
        photo_max_bytes=10**8, video_max_bytes=10**8, video_max_seconds=9, photo_max_pixels=10**9
    )

    verdict = inspect_evidence(path, "huge.png", limits=limits)

    assert (verdict.accepted, verdict.code) == (False, "corrupt")
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss < 1024**2  # KB: under 1 GB


def test_photo_whose_sandbox_child_dies_is_refused_as_corrupt(tmp_path, monkeypatch):
    from disputes.evidence import sandbox

    monkeypatch.setattr(sandbox, "PROJECT_ROOT", tmp_path)  # the child cannot start its work

    verdict = inspect_evidence(media.write_photo(tmp_path / "a.jpg"), "a.jpg")

    assert (verdict.accepted, verdict.code) == (False, "corrupt")


def test_video_is_accepted_with_its_facts(tmp_path):
    path = media.write_video(tmp_path / "clip.mp4", seconds=2)

    verdict = inspect_evidence(path, "clip.mp4")

    assert (verdict.accepted, verdict.kind, verdict.mime) == (True, "video", "video/mp4")
    assert (verdict.video_codec, verdict.width, verdict.height) == ("h264", 64, 48)
    assert verdict.duration_seconds == pytest.approx(2.0, abs=0.2)


def test_webm_vp9_is_accepted(tmp_path):
    path = media.write_video(tmp_path / "clip.webm", codec="libvpx-vp9", container="webm")

    verdict = inspect_evidence(path, "clip.webm")

    assert (verdict.accepted, verdict.mime, verdict.video_codec) == (True, "video/webm", "vp9")


def test_webm_av1_is_accepted_under_its_format_name(tmp_path):
    path = media.write_video(tmp_path / "clip.webm", codec="libsvtav1", container="webm")

    verdict = inspect_evidence(path, "clip.webm")

    assert (verdict.accepted, verdict.video_codec) == (True, "av1")


def test_video_over_the_duration_limit_is_refused(tmp_path):
    path = media.write_video(tmp_path / "long.mp4", seconds=3)
    limits = EvidenceLimits(photo_max_bytes=10**7, video_max_bytes=10**8, video_max_seconds=2)

    verdict = inspect_evidence(path, "long.mp4", limits=limits)

    assert (verdict.accepted, verdict.code) == (False, "video_too_long")
    assert verdict.message == "long.mp4 lasts 3.0 seconds; videos can last at most 2 seconds."


def test_a_video_just_over_the_duration_limit_never_reads_as_within_it(tmp_path):
    """2.01 seconds is not "2.0 seconds; at most 2 seconds", as a phone's 3-minute clip
    whose sound runs a few milliseconds past its pictures is not "180.0 seconds"."""
    path = media.write_video(tmp_path / "long.mp4", seconds=2.01, fps=100)
    limits = EvidenceLimits(photo_max_bytes=10**7, video_max_bytes=10**8, video_max_seconds=2)

    verdict = inspect_evidence(path, "long.mp4", limits=limits)

    assert verdict.message == "long.mp4 lasts 2.1 seconds; videos can last at most 2 seconds."


def test_audio_only_mp4_is_refused(tmp_path):
    path = media.write_audio_only_mp4(tmp_path / "voice.mp4")

    verdict = inspect_evidence(path, "voice.mp4")

    assert verdict.mime == "video/mp4"
    assert (verdict.accepted, verdict.code) == (False, "no_video_stream")


def test_video_codec_outside_the_allowlist_is_refused(tmp_path):
    path = media.write_video(tmp_path / "old.mov", codec="mjpeg", container="mov")

    verdict = inspect_evidence(path, "old.mov")

    assert (verdict.accepted, verdict.code, verdict.video_codec) == (
        False,
        "codec_not_allowed",
        "mjpeg",
    )
    assert "old.mov is a QuickTime video encoded as" in verdict.message


def test_matroska_is_refused_even_with_an_allowed_codec(tmp_path):
    path = media.write_video(tmp_path / "clip.webm", codec="libvpx", container="matroska")

    verdict = inspect_evidence(path, "clip.webm")

    assert (verdict.accepted, verdict.code) == (False, "container_not_allowed")
    assert verdict.message.startswith("clip.webm is a Matroska video;")


def test_truncated_video_is_refused(tmp_path):
    whole = media.write_video(tmp_path / "whole.mp4", seconds=2).read_bytes()
    path = tmp_path / "cut.mp4"
    path.write_bytes(whole[:64])

    verdict = inspect_evidence(path, "cut.mp4")

    assert verdict.mime == "video/mp4"
    assert (verdict.accepted, verdict.code) == (False, "corrupt")


def test_probe_timeout_is_a_refusal(tmp_path):
    path = media.write_video(tmp_path / "clip.mp4")
    limits = EvidenceLimits(
        photo_max_bytes=10, video_max_bytes=10**8, video_max_seconds=9, probe_timeout_seconds=0.01
    )

    verdict = inspect_evidence(path, "clip.mp4", limits=limits)

    assert (verdict.accepted, verdict.code) == (False, "probe_timeout")
    assert verdict.message.startswith("clip.mp4 took too long to check")


def test_photo_that_takes_too_long_to_check_is_refused(tmp_path):
    path = media.write_photo(tmp_path / "a.jpg")
    limits = EvidenceLimits(
        photo_max_bytes=10**7,
        video_max_bytes=10**8,
        video_max_seconds=9,
        probe_timeout_seconds=0.01,
    )

    verdict = inspect_evidence(path, "a.jpg", limits=limits)

    assert (verdict.accepted, verdict.code, verdict.kind) == (False, "probe_timeout", "photo")
    assert verdict.message == "a.jpg took too long to check; try a smaller photo."
