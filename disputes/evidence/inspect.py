"""Decide whether a file is acceptable dispute evidence, by its content alone.

libmagic names the type from the first bytes; the type picks one branch, and only the
decoder of that kind confirms it, in a memory- and CPU-capped child process
(``sandbox``): Pillow, restricted to the allowed formats, for photos, and PyAV for
videos. The same child run writes the derivatives and, for a video, the remuxed original
that ``storage`` keeps. File names and browser-sent types are never consulted.
"""

import os
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Self

import magic
from django.conf import settings
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrPromise

from . import sandbox
from .derivatives import DISPLAY_FILE, THUMBNAIL_FILE
from .photo_probe import probe_photo
from .refusals import (
    ACCEPTED_PHOTO,
    ACCEPTED_VIDEO,
    ANIMATED,
    CODEC_NOT_ALLOWED,
    CORRUPT,
    DURATION_MISMATCH,
    EMPTY,
    FILE_TOO_LARGE,
    MISSING,
    NO_VIDEO_STREAM,
    NOT_ALLOWED,
    PHOTO_TIMEOUT,
    PHOTO_TOO_LARGE,
    PHOTO_TOO_MANY_PIXELS,
    PROBE_TIMEOUT,
    SEQUENCE,
    UNREADABLE,
    VIDEO_TOO_LARGE,
    VIDEO_TOO_LONG,
)
from .sizes import megabytes, tenths_over
from .video_probe import DEMUXERS, VIDEO_CODECS, probe_video

MAGIC_HEAD_BYTES = 64 * 1024

# Each photo type is opened only by the Pillow plugins of its own family, so bytes that
# libmagic calls PNG are never handed to, say, the PSD plugin.
PHOTO_FORMATS_BY_MIME = {
    "image/jpeg": ("JPEG",),
    "image/png": ("PNG",),
    "image/webp": ("WEBP",),
    "image/heic": ("HEIF",),
    "image/heif": ("HEIF",),
    "image/avif": ("AVIF",),
}
# Pillow opens an iPhone JPEG with a gain map as an MPO of two frames; it is one photo.
MULTI_FRAME_PHOTO_FORMATS = frozenset({"MPO"})
SEQUENCE_MIMES = frozenset({"image/heif-sequence", "image/heic-sequence", "image/avif-sequence"})

EBML_MAGIC = b"\x1a\x45\xdf\xa3"
EBML_DOC_TYPE_ID = 0x4282

KIND_LABELS = {
    "image/jpeg": _("a JPEG image"),
    "image/png": _("a PNG image"),
    "image/webp": _("a WebP image"),
    "image/heic": _("a HEIC image"),
    "image/heif": _("a HEIF image"),
    "image/avif": _("an AVIF image"),
    "image/heif-sequence": _("a HEIF image sequence"),
    "image/heic-sequence": _("a HEIC image sequence"),
    "image/avif-sequence": _("an AVIF image sequence"),
    "image/gif": _("a GIF image"),
    "image/tiff": _("a TIFF image"),
    "image/bmp": _("a BMP image"),
    "image/x-ms-bmp": _("a BMP image"),
    "image/vnd.adobe.photoshop": _("a Photoshop document"),
    "image/vnd.microsoft.icon": _("an icon file"),
    "image/x-icon": _("an icon file"),
    "image/jxl": _("a JPEG XL image"),
    "image/jp2": _("a JPEG 2000 image"),
    "image/svg+xml": _("an SVG drawing"),
    "video/mp4": _("an MP4 video"),
    "video/x-m4v": _("an MP4 video"),
    "video/quicktime": _("a QuickTime video"),
    "video/webm": _("a WebM video"),
    "video/x-matroska": _("a Matroska video"),
    "video/3gpp": _("a 3GP video"),
    "video/3gpp2": _("a 3GP video"),
    "video/x-msvideo": _("an AVI video"),
    "video/mpeg": _("an MPEG video"),
    "video/x-flv": _("a Flash video"),
    "video/x-ms-asf": _("a Windows Media video"),
    "video/ogg": _("an Ogg video"),
    "audio/mpeg": _("an MP3 audio file"),
    "audio/x-wav": _("a WAV audio file"),
    "audio/ogg": _("an Ogg audio file"),
    "audio/x-m4a": _("an M4A audio file"),
    "audio/flac": _("a FLAC audio file"),
    "application/pdf": _("a PDF document"),
    "application/zip": _("a ZIP archive"),
    "application/gzip": _("a gzip archive"),
    "application/x-rar": _("a RAR archive"),
    "application/x-7z-compressed": _("a 7-Zip archive"),
    "application/x-tar": _("a tar archive"),
    "application/vnd.microsoft.portable-executable": _("an executable program"),
    "application/x-dosexec": _("an executable program"),
    "application/x-executable": _("an executable program"),
    "application/x-sharedlib": _("an executable program"),
    "application/x-pie-executable": _("an executable program"),
    "application/x-mach-binary": _("an executable program"),
    "application/x-shockwave-flash": _("a Flash file"),
    "application/json": _("a JSON file"),
    "application/msword": _("a Word document"),
    "text/html": _("an HTML page"),
    "text/xml": _("an XML document"),
    "text/plain": _("plain text"),
    "text/x-php": _("a PHP script"),
    "text/x-shellscript": _("a shell script"),
    "text/javascript": _("a JavaScript file"),
}
UNKNOWN_KIND_LABEL = _("a file of an unrecognised type")
MATROSKA_LABEL = KIND_LABELS["video/x-matroska"]


@dataclass(frozen=True)
class EvidenceLimits:
    """Size, pixel and duration limits an evidence file must respect."""

    photo_max_bytes: int
    video_max_bytes: int
    video_max_seconds: float
    photo_max_pixels: int = 50_000_000
    probe_timeout_seconds: float = sandbox.TIMEOUT_SECONDS

    @classmethod
    def from_settings(cls) -> Self:
        """Read the limits from the EVIDENCE_* settings."""
        return cls(
            photo_max_bytes=settings.EVIDENCE_PHOTO_MAX_BYTES,
            video_max_bytes=settings.EVIDENCE_VIDEO_MAX_BYTES,
            video_max_seconds=settings.EVIDENCE_VIDEO_MAX_SECONDS,
            photo_max_pixels=settings.EVIDENCE_PHOTO_MAX_PIXELS,
        )


# A header may round a duration that the packets measure exactly; beyond this, one lies.
DURATION_TOLERANCE_SECONDS = 1.0
DURATION_TOLERANCE_RATIO = 0.05


@dataclass(frozen=True)
class Derivatives:
    """Files the sandbox wrote into the work directory for an accepted file."""

    display: Path
    thumbnail: Path
    # A video's remuxed copy, stored in place of the upload; None for a photo.
    original: Path | None = None


@dataclass(frozen=True)
class Verdict:
    """The outcome for one file: accepted or not, what it is, and the buyer's message."""

    file_name: str
    accepted: bool
    kind: str | None
    mime: str | None
    size: int | None
    code: str
    message: str
    width: int | None = None
    height: int | None = None
    duration_seconds: float | None = None
    video_codec: str | None = None
    image_format: str | None = None
    # Only with a work directory (see inspect_evidence); valid while it exists.
    derivatives: Derivatives | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class _Candidate:
    """A file on disk with what libmagic saw in it, as every rule needs it."""

    path: Path
    name: str
    mime: str
    size: int

    @property
    def label(self) -> StrPromise:
        """Human words for what libmagic detected, e.g. "a PDF document"."""
        return KIND_LABELS.get(self.mime, UNKNOWN_KIND_LABEL)


def inspect_evidence(
    path: str | Path,
    file_name: str,
    *,
    limits: EvidenceLimits | None = None,
    workdir: str | Path | None = None,
) -> Verdict:
    """Return the Verdict for the file at ``path``, shown to the buyer as ``file_name``.

    The sandbox writes an accepted file's derivatives (and a video's remuxed copy) into
    ``workdir``, and the verdict's ``derivatives`` names them for ``storage.save_files``.
    Without a work directory they are made in a temporary one and discarded.
    """
    limits = limits or EvidenceLimits.from_settings()
    if workdir is None:
        with tempfile.TemporaryDirectory(prefix="evidence-") as scratch:
            return replace(_inspect(path, file_name, limits, Path(scratch)), derivatives=None)
    return _inspect(path, file_name, limits, Path(workdir))


def _inspect(path: str | Path, file_name: str, limits: EvidenceLimits, workdir: Path) -> Verdict:
    try:
        size, head = _read_head(path)
    except FileNotFoundError:
        return _unreadable(file_name, "missing", MISSING)
    except OSError:
        return _unreadable(file_name, "unreadable", UNREADABLE)
    if size == 0:
        return _refuse(_Candidate(Path(path), file_name, "application/x-empty", 0), "empty", EMPTY)
    candidate = _Candidate(Path(path), file_name, magic.from_buffer(head, mime=True), size)
    if candidate.mime in PHOTO_FORMATS_BY_MIME:
        return _inspect_photo(candidate, limits, workdir)
    if candidate.mime in DEMUXERS:
        return _inspect_video(candidate, head, limits, workdir)
    if candidate.mime in SEQUENCE_MIMES:
        return _refuse(candidate, "animated", SEQUENCE, kind="photo")
    code = "container_not_allowed" if candidate.mime.startswith("video/") else "format_not_allowed"
    return _refuse(candidate, code, NOT_ALLOWED)


def ebml_doc_type(head: bytes) -> str | None:
    """Return the DocType of an EBML header ("webm", "matroska"), or None if there is none."""
    if not head.startswith(EBML_MAGIC):
        return None
    try:
        header_size, position = _read_vint(head, len(EBML_MAGIC))
        end = min(position + header_size, len(head))
        while position < end:
            element_id, position = _read_vint(head, position, keep_marker=True)
            length, position = _read_vint(head, position)
            if position + length > len(head):
                return None
            if element_id == EBML_DOC_TYPE_ID:
                return head[position : position + length].decode("ascii", "replace").rstrip("\0")
            position += length
    except (IndexError, ValueError):
        return None
    return None


def _read_vint(data: bytes, position: int, *, keep_marker: bool = False) -> tuple[int, int]:
    """Read an EBML variable-length integer; return it and the position after it."""
    first = data[position]
    if first == 0:
        raise ValueError("EBML integer longer than 8 bytes")
    length = 9 - first.bit_length()
    if position + length > len(data):
        raise ValueError("EBML integer cut short")
    value = int.from_bytes(data[position : position + length], "big")
    if not keep_marker:
        value &= (1 << (7 * length)) - 1
    return value, position + length


def _read_head(path: str | Path) -> tuple[int, bytes]:
    """Return the size of the file and its first bytes, for libmagic."""
    with open(path, "rb") as stream:
        size = os.fstat(stream.fileno()).st_size
        return size, stream.read(MAGIC_HEAD_BYTES)


def _inspect_photo(candidate: _Candidate, limits: EvidenceLimits, workdir: Path) -> Verdict:
    """Apply the photo rules: size, pixel count, a single frame, and a full decode."""
    if candidate.size > limits.photo_max_bytes:
        return _refuse_too_large(candidate, "photo", PHOTO_TOO_LARGE, limits.photo_max_bytes)
    try:
        facts = probe_photo(
            candidate.path,
            PHOTO_FORMATS_BY_MIME[candidate.mime],
            workdir,
            max_pixels=limits.photo_max_pixels,
            timeout=limits.probe_timeout_seconds,
        )
    except sandbox.SandboxTimeout:
        return _refuse(candidate, "probe_timeout", PHOTO_TIMEOUT, kind="photo")
    except sandbox.SandboxError:
        return _refuse(candidate, "corrupt", CORRUPT, kind="photo")
    if not facts.readable:
        return _refuse(candidate, "corrupt", CORRUPT, kind="photo")
    if facts.pixels > limits.photo_max_pixels:
        return _refuse(
            candidate,
            "too_many_pixels",
            PHOTO_TOO_MANY_PIXELS,
            kind="photo",
            width=facts.width,
            height=facts.height,
            megapixels=tenths_over(facts.pixels / 1e6, limits.photo_max_pixels / 1e6),
            limit=number_format(limits.photo_max_pixels / 1e6, 0),
        )
    if facts.frames > 1 and facts.image_format not in MULTI_FRAME_PHOTO_FORMATS:
        return _refuse(candidate, "animated", ANIMATED, kind="photo", frames=facts.frames)
    if not facts.decoded:
        return _refuse(candidate, "corrupt", CORRUPT, kind="photo")
    accepted = _accept(
        candidate,
        "photo",
        _message(ACCEPTED_PHOTO, candidate, width=facts.width, height=facts.height),
    )
    return replace(
        accepted,
        width=facts.width,
        height=facts.height,
        image_format=facts.image_format,
        derivatives=_derivatives(workdir),
    )


def _inspect_video(
    candidate: _Candidate, head: bytes, limits: EvidenceLimits, workdir: Path
) -> Verdict:
    """Apply the video rules: size, WebM DocType, then what the sandbox found."""
    if candidate.size > limits.video_max_bytes:
        return _refuse_too_large(candidate, "video", VIDEO_TOO_LARGE, limits.video_max_bytes)
    if candidate.mime == "video/webm" and ebml_doc_type(head) != "webm":
        return _refuse(
            candidate, "container_not_allowed", NOT_ALLOWED, kind="video", what=MATROSKA_LABEL
        )
    try:
        facts = probe_video(
            candidate.path, candidate.mime, workdir, timeout=limits.probe_timeout_seconds
        )
    except sandbox.SandboxTimeout:
        return _refuse(candidate, "probe_timeout", PROBE_TIMEOUT, kind="video")
    except sandbox.SandboxError:
        return _refuse(candidate, "corrupt", CORRUPT, kind="video")
    if not facts.readable:
        return _refuse(candidate, "corrupt", CORRUPT, kind="video")
    if not facts.has_video:
        return _refuse(candidate, "no_video_stream", NO_VIDEO_STREAM, kind="video")
    if facts.codec not in VIDEO_CODECS:
        refusal = _refuse(
            candidate,
            "codec_not_allowed",
            CODEC_NOT_ALLOWED,
            kind="video",
            codec=facts.codec_label or facts.codec,
        )
        return replace(refusal, video_codec=facts.codec)
    # Measured from the packets: the header's duration is a claim, and a WebM recorded
    # live may carry none. A decoded video always has it (``facts_from_answer``).
    duration = facts.measured_seconds
    if not facts.decoded or duration is None:
        return _refuse(candidate, "corrupt", CORRUPT, kind="video")
    if duration > limits.video_max_seconds:
        refusal = _refuse(
            candidate,
            "video_too_long",
            VIDEO_TOO_LONG,
            kind="video",
            duration=tenths_over(duration, limits.video_max_seconds),
            limit=number_format(limits.video_max_seconds, 0),
        )
        return replace(refusal, duration_seconds=duration, video_codec=facts.codec)
    # A header with no duration claims nothing to disagree with.
    declared = facts.declared_seconds
    if declared is not None and _durations_disagree(declared, duration):
        return _refuse(
            candidate,
            "duration_mismatch",
            DURATION_MISMATCH,
            kind="video",
            declared=number_format(declared, 1),
            duration=number_format(duration, 1),
        )
    accepted = _accept(
        candidate,
        "video",
        _message(
            ACCEPTED_VIDEO,
            candidate,
            duration=number_format(duration, 1),
            width=facts.width,
            height=facts.height,
        ),
    )
    return replace(
        accepted,
        width=facts.width,
        height=facts.height,
        duration_seconds=duration,
        video_codec=facts.codec,
        derivatives=_derivatives(workdir, original=facts.remuxed),
    )


def _durations_disagree(declared: float, measured: float) -> bool:
    """Tell whether the header's duration is not the one the packets span."""
    tolerance = max(DURATION_TOLERANCE_SECONDS, DURATION_TOLERANCE_RATIO * measured)
    return abs(declared - measured) > tolerance


def _derivatives(workdir: Path, original: Path | None = None) -> Derivatives:
    """Where the sandbox wrote an accepted file's derivatives (and remuxed original)."""
    return Derivatives(
        display=workdir / DISPLAY_FILE, thumbnail=workdir / THUMBNAIL_FILE, original=original
    )


def inspect_oversized(
    head_path: str | Path, file_name: str, size: int, *, limits: EvidenceLimits | None = None
) -> Verdict:
    """The verdict on a file too large to keep, of which only the first bytes are on disk.

    ``size`` is the size the buyer sent; the message names the limit of the file's kind.
    """
    limits = limits or EvidenceLimits.from_settings()
    _, head = _read_head(head_path)
    candidate = _Candidate(Path(head_path), file_name, magic.from_buffer(head, mime=True), size)
    if candidate.mime.startswith("image/"):
        return _refuse_too_large(candidate, "photo", PHOTO_TOO_LARGE, limits.photo_max_bytes)
    if candidate.mime.startswith("video/"):
        return _refuse_too_large(candidate, "video", VIDEO_TOO_LARGE, limits.video_max_bytes)
    largest = max(limits.photo_max_bytes, limits.video_max_bytes)
    return _refuse_too_large(candidate, "file", FILE_TOO_LARGE, largest)


def _refuse_too_large(
    candidate: _Candidate, kind: str, template: StrPromise, limit_bytes: int
) -> Verdict:
    """Refuse a file over its size limit, stating both sizes in decimal megabytes."""
    return _refuse(
        candidate,
        f"{kind}_too_large",
        template,
        kind=kind if kind != "file" else None,
        size=megabytes(candidate.size),
        limit=megabytes(limit_bytes, limit=True),
    )


def _accept(candidate: _Candidate, kind: str, message: str) -> Verdict:
    """Build the Verdict of an accepted file; the caller adds what its decoder found."""
    return Verdict(
        file_name=candidate.name,
        accepted=True,
        kind=kind,
        mime=candidate.mime,
        size=candidate.size,
        code="accepted",
        message=message,
    )


def _refuse(
    candidate: _Candidate,
    code: str,
    template: StrPromise,
    *,
    kind: str | None = None,
    what: StrPromise | None = None,
    **details: object,
) -> Verdict:
    """Build a refusal Verdict whose message names the file and what was detected."""
    return Verdict(
        file_name=candidate.name,
        accepted=False,
        kind=kind,
        mime=candidate.mime,
        size=candidate.size,
        code=code,
        message=_message(template, candidate, what=what, **details),
    )


def _unreadable(file_name: str, code: str, template: StrPromise) -> Verdict:
    """Build the refusal for a path that cannot be opened at all."""
    return Verdict(
        file_name=file_name,
        accepted=False,
        kind=None,
        mime=None,
        size=None,
        code=code,
        message=str(template) % {"name": file_name},
    )


def _message(
    template: StrPromise,
    candidate: _Candidate,
    *,
    what: StrPromise | None = None,
    **details: object,
) -> str:
    """Translate ``template`` and fill in the file name and what was detected."""
    return str(template) % {"name": candidate.name, "what": what or candidate.label, **details}
