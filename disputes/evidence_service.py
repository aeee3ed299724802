"""Storing, listing, attaching and removing buyers' evidence files. No HTTP here.

Each uploaded file is judged by ``disputes.evidence.inspect`` from its temporary path;
an accepted file is kept privately with its SHA-256 and re-encoded derivatives, and is
kept even when another file of the same request is refused.

Files reach storage before their row is committed. When the row never commits (an
error, or an enclosing transaction rolled back) the files are orphans, and the
``purge_evidence`` command removes them once they are older than its grace period.
"""

import hashlib
import io
import logging
import math
import ntpath
import os
import posixpath
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field

import magic
from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils.formats import number_format
from django.utils.translation import gettext
from PIL import Image

from accounts.roles import is_mediator
from disputes.evidence.derivatives import (
    THUMBNAIL_MAX_SIDE,
    encode_jpeg,
    make_photo_derivatives,
    make_video_poster,
)
from disputes.evidence.inspect import EvidenceLimits, inspect_evidence
from disputes.models import DisputeStatus, Evidence, evidence_storage, random_evidence_name
from orders.models import Order

logger = logging.getLogger(__name__)

# Stored originals are named by what they are, never by what the buyer called them.
EXTENSIONS = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/webp": ".webp",
    "image/heic": ".heic",
    "image/heif": ".heif",
    "image/avif": ".avif",
    "video/mp4": ".mp4",
    "video/x-m4v": ".m4v",
    "video/quicktime": ".mov",
    "video/webm": ".webm",
}
STORAGE_PREFIXES = ("originals", "display", "thumbnails")
MAX_NAME_LENGTH = 255


@dataclass(frozen=True)
class Refusal:
    """A file refused before or after inspection, with the buyer's message naming it."""

    file_name: str
    message: str
    code: str = "refused"
    accepted: bool = False


@dataclass
class UploadResult:
    """What became of each file of one upload: stored rows, and refusals in file order."""

    stored: list[Evidence] = field(default_factory=list)
    refusals: list = field(default_factory=list)


@dataclass(frozen=True)
class _StoredFiles:
    """Names in the evidence storage of one accepted file's original and derivatives."""

    original: str
    display: str
    thumbnail: str
    sha256: str
    size: int

    @property
    def names(self):
        return [name for name in (self.original, self.display, self.thumbnail) if name]


def store_uploads(files, *, buyer, order, draft_key="", dispute=None):
    """Judge and keep each uploaded file for the buyer's draft or open dispute of ``order``.

    Returns an ``UploadResult``; a refused file never prevents another from being kept.
    """
    if bool(draft_key) == (dispute is not None):
        raise ValueError("Give either a draft key or a dispute, not both.")
    limits = EvidenceLimits.from_settings()
    max_files = settings.EVIDENCE_MAX_FILES
    result = UploadResult()
    for upload in files:
        name = clean_file_name(upload.name)
        # Checked before inspecting, so a file that cannot fit costs no decoding.
        if _target_evidence(order, draft_key, dispute).count() >= max_files:
            result.refusals.append(_too_many(name, max_files))
            continue
        verdict, stored_files = _judge_and_store(upload, name, limits)
        if stored_files is None:
            result.refusals.append(verdict)
            continue
        evidence = _record(
            verdict,
            stored_files,
            buyer=buyer,
            order=order,
            draft_key=draft_key,
            dispute=dispute,
            max_files=max_files,
        )
        if evidence is None:
            result.refusals.append(_too_many(name, max_files))
        else:
            result.stored.append(evidence)
    return result


def clean_file_name(name):
    """The buyer's file name reduced to a base name fit to show and to store."""
    base = ntpath.basename(posixpath.basename(str(name or "")))
    base = "".join(char for char in base if char.isprintable()).strip()
    if len(base) > MAX_NAME_LENGTH:
        stem, extension = os.path.splitext(base)
        base = stem[: MAX_NAME_LENGTH - len(extension[:16])] + extension[:16]
    return base or gettext("unnamed file")


def _target_evidence(order, draft_key, dispute):
    """The evidence already counted against the file limit of this draft or dispute."""
    if dispute is not None:
        return Evidence.objects.filter(dispute=dispute)
    # A draft that will reopen the order's cancelled dispute joins the files it already has.
    return Evidence.objects.filter(
        Q(order=order, draft_key=draft_key, dispute__isnull=True, appeal__isnull=True)
        | Q(dispute__order=order, dispute__status=DisputeStatus.CANCELLED)
    )


def _too_many(name, max_files):
    message = gettext("You can attach at most %(max)s files; %(name)s was not added.") % {
        "max": max_files,
        "name": name,
    }
    return Refusal(file_name=name, message=message, code="too_many_files")


def _judge_and_store(upload, name, limits):
    """Inspect one upload and, if accepted, write its original and derivatives to storage.

    Returns ``(verdict, stored_files)``; ``stored_files`` is None when it was refused.
    """
    if getattr(upload, "oversized", False):
        return _oversized(upload, name, limits), None
    with _local_path(upload) as path:
        verdict = inspect_evidence(path, name, limits=limits)
        if not verdict.accepted:
            return verdict, None
        try:
            return verdict, _write_files(path, verdict)
        except Exception:
            # The inspector accepted it, yet a derivative could not be made from it.
            logger.exception("Could not store accepted evidence %r", name)
            message = gettext("%(name)s could not be processed; please try another file.") % {
                "name": name
            }
            return Refusal(file_name=name, message=message, code="not_processed"), None


def _oversized(upload, name, limits):
    """Refuse a file the upload handler stopped storing, naming the limit of its kind."""
    upload.seek(0)
    head_mime = magic.from_buffer(upload.read(2048), mime=True)
    values = {"name": name, "size": _megabytes(upload.size, round_up=True)}
    if head_mime.startswith("image/"):
        values["limit"] = _megabytes(limits.photo_max_bytes)
        message = gettext("%(name)s is %(size)s MB; photos can be at most %(limit)s MB.")
    elif head_mime.startswith("video/"):
        values["limit"] = _megabytes(limits.video_max_bytes)
        message = gettext("%(name)s is %(size)s MB; videos can be at most %(limit)s MB.")
    else:
        values["limit"] = _megabytes(max(limits.photo_max_bytes, limits.video_max_bytes))
        message = gettext("%(name)s is %(size)s MB; no file can be larger than %(limit)s MB.")
    return Refusal(file_name=name, message=message % values, code="too_large")


def _megabytes(size, *, round_up=False):
    """Decimal megabytes with one decimal ("23.4"), rounded up for a file's own size."""
    tenths = size / 100_000
    tenths = math.ceil(tenths) if round_up else round(tenths)
    value = tenths / 10
    return number_format(value, 0 if value == int(value) else 1, use_l10n=True)


@contextmanager
def _local_path(upload):
    """A path on disk holding the upload's bytes: its temporary file when it has one."""
    if hasattr(upload, "temporary_file_path"):
        upload.file.flush()  # the upload handler's last writes may still be buffered
        yield upload.temporary_file_path()
        return
    # Small files a caller received through another upload handler arrive in memory.
    with tempfile.NamedTemporaryFile(suffix=".upload") as copy:
        for chunk in upload.chunks():
            copy.write(chunk)
        copy.flush()
        yield copy.name


def _write_files(path, verdict):
    """Save the original and its derivatives to the evidence storage; return their names."""
    storage = evidence_storage()
    display, thumbnail = _derivatives(path, verdict)
    written = []
    try:
        with open(path, "rb") as original:
            sha256 = hashlib.file_digest(original, "sha256").hexdigest()
            original.seek(0)
            extension = EXTENSIONS.get(verdict.mime, ".bin")
            written.append(
                storage.save(random_evidence_name("originals", extension), File(original))
            )
        written.append(storage.save(random_evidence_name("display", ".jpg"), display))
        written.append(storage.save(random_evidence_name("thumbnails", ".jpg"), thumbnail))
    except Exception:
        delete_files(written)
        raise
    return _StoredFiles(*written, sha256=sha256, size=os.path.getsize(path))


def _derivatives(path, verdict):
    """The display and thumbnail JPEGs: from the photo itself, or from a video's poster."""
    if verdict.kind == "video":
        poster = make_video_poster(path, verdict.mime)
        with Image.open(io.BytesIO(poster), formats=["JPEG"]) as frame:
            thumbnail = encode_jpeg(frame, THUMBNAIL_MAX_SIDE)
        return ContentFile(poster), ContentFile(thumbnail)
    display, thumbnail = make_photo_derivatives(path)
    return ContentFile(display), ContentFile(thumbnail)


def _record(verdict, stored_files, *, buyer, order, draft_key, dispute, max_files):
    """Create the Evidence row, unless the limit filled up meanwhile; None then.

    The order row is locked so two uploads at once cannot both take the last place.
    """
    try:
        with transaction.atomic():
            Order.objects.select_for_update().filter(pk=order.pk).first()
            if _target_evidence(order, draft_key, dispute).count() >= max_files:
                delete_files(stored_files.names)
                return None
            return Evidence.objects.create(
                uploaded_by=buyer,
                order=order,
                dispute=dispute,
                draft_key=draft_key,
                kind=verdict.kind,
                original_name=verdict.file_name,
                original=stored_files.original,
                display=stored_files.display,
                thumbnail=stored_files.thumbnail,
                mime=verdict.mime,
                size=stored_files.size,
                sha256=stored_files.sha256,
                width=verdict.width,
                height=verdict.height,
                duration_seconds=verdict.duration_seconds,
            )
    except Exception:
        delete_files(stored_files.names)
        raise


def draft_evidence(buyer, order, draft_key):
    """The buyer's evidence of an unsubmitted draft (wizard or appeal form) for ``order``."""
    if not draft_key:
        return Evidence.objects.none()
    return Evidence.objects.filter(
        uploaded_by=buyer,
        order=order,
        draft_key=draft_key,
        dispute__isnull=True,
        appeal__isnull=True,
    )


def is_draft(evidence):
    """Whether the evidence still belongs to a draft, so its buyer may remove it."""
    return bool(evidence.draft_key) and evidence.dispute_id is None and evidence.appeal_id is None


@transaction.atomic
def attach_draft_evidence(*, buyer, order, draft_key, dispute=None, appeal=None):
    """Move the draft's evidence onto the submitted dispute or appeal; return those rows."""
    if (dispute is None) == (appeal is None):
        raise ValueError("Attach to either a dispute or an appeal.")
    rows = list(draft_evidence(buyer, order, draft_key).select_for_update())
    for evidence in rows:
        evidence.dispute = dispute
        evidence.appeal = appeal
        evidence.draft_key = ""
        evidence.save(update_fields=["dispute", "appeal", "draft_key"])
    return rows


def remove_draft_evidence(evidence):
    """Delete draft evidence and, once that commits, its files.

    Evidence attached to a dispute or an appeal is never removed: it raises ValueError.
    """
    if not is_draft(evidence):
        raise ValueError("Only draft evidence can be removed.")
    names = evidence_file_names(evidence)
    with transaction.atomic():
        deleted, _ = Evidence.objects.filter(
            pk=evidence.pk, dispute__isnull=True, appeal__isnull=True
        ).delete()
        if not deleted:
            raise ValueError("Only draft evidence can be removed.")
        transaction.on_commit(lambda: delete_files(names))


def evidence_file_names(evidence):
    """The storage names of an evidence row's original and derivatives."""
    return [file.name for file in (evidence.original, evidence.display, evidence.thumbnail) if file]


def delete_files(names):
    """Delete files from the evidence storage, carrying on past any that is already gone."""
    storage = evidence_storage()
    for name in names:
        try:
            storage.delete(name)
        except Exception:
            logger.exception("Could not delete evidence file %s", name)


def evidence_visible_to(user):
    """The evidence ``user`` may fetch: their own uploads, or everything for staff."""
    if is_mediator(user):
        return Evidence.objects.all()
    return Evidence.objects.filter(uploaded_by=user)
