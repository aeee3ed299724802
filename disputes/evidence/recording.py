"""Keeping buyers' evidence: judge each uploaded file, store it, record its row. No HTTP.

Each file is judged by ``inspect`` from a path on disk; an accepted file is stored with
its SHA-256 and re-encoded derivatives (``storage``), and is kept even when another file
of the same request is refused.

A buyer (any uploader) has a daily allowance of files and bytes, whatever the order or
the dispute, so no account can fill the disk: ``EVIDENCE_DAILY_MAX_FILES`` and
``EVIDENCE_DAILY_MAX_BYTES`` per UTC day.

Files reach storage before their row is committed. When the row never commits (an
error, or an enclosing transaction rolled back) the files are orphans, and
``purge.purge_orphan_files`` removes them once they are older than its grace period.
"""

import logging
import ntpath
import os
import posixpath
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext

from disputes.models import Appeal, Dispute, DisputeStatus, Evidence
from orders.models import Order

from . import refusals
from .inspect import EvidenceLimits, Verdict, inspect_evidence, inspect_oversized
from .refusals import Refusal
from .sizes import megabytes
from .storage import StoredFiles, delete_files, save_files

logger = logging.getLogger(__name__)

MAX_NAME_LENGTH = 255


@dataclass
class UploadResult:
    """What became of each file of one upload: stored rows, refusals in file order, and
    notes about files kept (a name shortened)."""

    stored: list[Evidence] = field(default_factory=list)
    refusals: list[Refusal | Verdict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def store_uploads(
    files: Iterable[UploadedFile],
    *,
    uploader,
    order: Order,
    draft_key: str = "",
    dispute: Dispute | None = None,
    now: datetime | None = None,
) -> UploadResult:
    """Judge and keep each uploaded file for a draft or an open dispute of ``order``.

    A refused file never prevents another from being kept.
    """
    if bool(draft_key) == (dispute is not None):
        raise ValueError("Give either a draft key or a dispute, not both.")
    now = now or timezone.now()
    limits = EvidenceLimits.from_settings()
    max_files = settings.EVIDENCE_MAX_FILES
    result = UploadResult()
    for upload in files:
        sent_name = _sent_name(upload)
        name = clean_file_name(sent_name)
        # Checked before inspecting, so a file that cannot fit costs no decoding.
        if counted_evidence(order, draft_key, dispute, uploader).count() >= max_files:
            result.refusals.append(_too_many(name, max_files))
            continue
        # An oversized file is refused for its size below, which says more than the day's
        # allowance would.
        oversized = getattr(upload, "oversized", False)
        if not oversized and (
            refusal := daily_allowance_refusal(uploader, name, upload.size, now=now)
        ):
            result.refusals.append(refusal)
            continue
        verdict, stored_files = _judge_and_store(upload, name, limits)
        if stored_files is None:
            result.refusals.append(verdict)
            continue
        stored = _record(
            verdict,
            stored_files,
            uploader=uploader,
            order=order,
            draft_key=draft_key,
            dispute=dispute,
            max_files=max_files,
            now=now,
        )
        if isinstance(stored, Refusal):
            result.refusals.append(stored)
            continue
        result.stored.append(stored)
        if len(sent_name) > MAX_NAME_LENGTH:
            result.notes.append(str(refusals.NAME_SHORTENED) % {"name": name})
    return result


def refuse_all(files: Iterable[UploadedFile], code: str, template) -> UploadResult:
    """Every file refused with the same sentence, each by its name."""
    return UploadResult(
        refusals=[
            refusals.refusal(code, template, name=clean_file_name(_sent_name(upload)))
            for upload in files
        ]
    )


def _sent_name(upload: UploadedFile) -> str:
    """The upload's name as sent, as a printable base name ("" if it was unreadable).

    ``EvidenceUploadHandler`` keeps it whole (Django cuts ``name`` to 255 characters);
    uploads from elsewhere have their ``name`` only.
    """
    return _base_name(getattr(upload, "sent_name", upload.name))


def _base_name(name: str | None) -> str:
    base = ntpath.basename(posixpath.basename(str(name or "")))
    return "".join(char for char in base if char.isprintable()).strip()


def clean_file_name(name: str | None) -> str:
    """The buyer's file name reduced to a base name fit to show and to store: at most
    ``MAX_NAME_LENGTH`` characters, its extension kept; "a file" when it had none (or
    it could not be read)."""
    base = _base_name(name)
    if len(base) > MAX_NAME_LENGTH:
        stem, extension = os.path.splitext(base)
        extension = extension[:16]
        # The ellipsis shows where the name was cut.
        base = stem[: MAX_NAME_LENGTH - len(extension) - 1] + "…" + extension
    return base or gettext("a file")


def daily_allowance_refusal(uploader, name: str, size: int, *, now: datetime) -> Refusal | None:
    """The refusal of a file of ``size`` bytes that would take ``uploader`` past their
    daily allowance of files or bytes (per UTC day, whatever the order); else None."""
    day_starts = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    used = Evidence.objects.filter(uploaded_by=uploader, uploaded_at__gte=day_starts).aggregate(
        files=Count("pk"), bytes=Coalesce(Sum("size"), 0)
    )
    resets = date_format(timezone.localtime(day_starts + timedelta(days=1)), "DATETIME_FORMAT")
    max_files, max_bytes = settings.EVIDENCE_DAILY_MAX_FILES, settings.EVIDENCE_DAILY_MAX_BYTES
    if used["files"] >= max_files:
        return refusals.refusal(
            "daily_files", refusals.DAILY_FILES, name=name, max=max_files, resets=resets
        )
    if used["bytes"] + size > max_bytes:
        return refusals.refusal(
            "daily_bytes",
            refusals.DAILY_BYTES,
            name=name,
            limit=megabytes(max_bytes, limit=True),
            left=megabytes(max(max_bytes - used["bytes"], 0), limit=True),
            resets=resets,
        )
    return None


def counted_evidence(order: Order, draft_key: str, dispute: Dispute | None, uploader) -> QuerySet:
    """The evidence already counted against ``uploader``'s file limit for this draft or dispute.

    The limit is per party and per dispute, so a draft counts with the uploader's files in
    the order's dispute: the cancelled one it will reopen, or the open one that a message
    or a seller's refusal will add it to.
    """
    if dispute is not None:
        return Evidence.objects.filter(dispute=dispute, uploaded_by=uploader)
    return Evidence.objects.drafts(order=order, key=draft_key) | Evidence.objects.filter(
        dispute__order=order,
        dispute__status__in=(DisputeStatus.CANCELLED, DisputeStatus.OPEN),
        uploaded_by=uploader,
    )


def _too_many(name, max_files):
    return refusals.refusal("too_many_files", refusals.TOO_MANY_FILES, name=name, max=max_files)


def _judge_and_store(upload, name, limits):
    """Inspect one upload and, if accepted, write its original and derivatives to storage.

    Returns ``(verdict, stored_files)``; ``stored_files`` is None when it was refused.
    """
    # The work directory receives the derivatives and a video's remuxed copy.
    with _local_path(upload) as path, tempfile.TemporaryDirectory(prefix="evidence-") as workdir:
        if getattr(upload, "oversized", False):
            return inspect_oversized(path, name, upload.size, limits=limits), None
        verdict = inspect_evidence(path, name, limits=limits, workdir=workdir)
        if not verdict.accepted:
            return verdict, None
        try:
            return verdict, save_files(path, verdict)
        except Exception:
            # Nothing is decoded any more (the sandbox made the derivatives): what fails now
            # is the service (a full disk, a quota, a bucket that refuses), not the file.
            logger.exception("Could not store accepted evidence %r", name)
            return refusals.refusal("not_stored", refusals.NOT_STORED, name=name), None


@contextmanager
def _local_path(upload: UploadedFile) -> Iterator[str]:
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


def _record(
    verdict, stored_files: StoredFiles, *, uploader, order, draft_key, dispute, max_files, now
) -> Evidence | Refusal:
    """Create the Evidence row, unless a limit filled up meanwhile: its refusal then.

    The uploader's and the order's rows are locked (in that order, always), so two uploads
    at once can take neither the dispute's last place nor the day's last bytes both.
    """
    name = verdict.file_name
    try:
        with transaction.atomic():
            get_user_model().objects.select_for_update().filter(pk=uploader.pk).first()
            Order.objects.select_for_update().filter(pk=order.pk).first()
            refusal = daily_allowance_refusal(uploader, name, stored_files.size, now=now)
            if counted_evidence(order, draft_key, dispute, uploader).count() >= max_files:
                refusal = _too_many(name, max_files)
            if refusal is not None:
                delete_files(stored_files.names)
                return refusal
            return Evidence.objects.create(
                uploaded_by=uploader,
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
                uploaded_at=now,
            )
    except Exception:
        delete_files(stored_files.names)
        raise


@transaction.atomic
def attach_drafts(
    *,
    uploader,
    order: Order,
    draft_key: str,
    dispute: Dispute | None = None,
    appeal: Appeal | None = None,
) -> list[Evidence]:
    """Move the draft's evidence onto the submitted dispute or appeal; return those rows."""
    if (dispute is None) == (appeal is None):
        raise ValueError("Attach to either a dispute or an appeal.")
    drafts = Evidence.objects.drafts(buyer=uploader, order=order, key=draft_key)
    rows = list(drafts.select_for_update())
    Evidence.objects.filter(pk__in=[row.pk for row in rows]).update(
        dispute=dispute, appeal=appeal, draft_key=""
    )
    for row in rows:
        row.dispute, row.appeal, row.draft_key = dispute, appeal, ""
    return rows


def attach(evidence: Iterable[Evidence], *, dispute: Dispute, message=None) -> None:
    """Attach stored evidence to ``dispute`` (and to the message it was sent with)."""
    Evidence.objects.filter(pk__in=[item.pk for item in evidence]).update(
        dispute=dispute, message=message, draft_key=""
    )


def remove_draft(evidence: Evidence) -> None:
    """Delete draft evidence and, once that commits, its files.

    Evidence attached to a dispute or an appeal is never removed: it raises ValueError.
    """
    if not evidence.is_draft:
        raise ValueError("Only draft evidence can be removed.")
    names = evidence.file_names
    with transaction.atomic():
        deleted, _ = Evidence.objects.drafts().filter(pk=evidence.pk).delete()
        if not deleted:
            raise ValueError("Only draft evidence can be removed.")
        transaction.on_commit(lambda: delete_files(names))


def discard(evidence: Iterable[Evidence]) -> None:
    """Delete rows stored for a change that was then refused, and their files."""
    for item in evidence:
        item.delete()
        delete_files(item.file_names)
