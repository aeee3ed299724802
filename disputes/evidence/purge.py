"""Removing what nobody will use: drafts abandoned with their wizard, and orphan files.

Drafts come from wizards and forms nobody submitted: a draft is abandoned once no file
was added to it for ``EVIDENCE_DRAFT_MAX_AGE_HOURS``, and then removed whole. Orphan files come from
uploads whose row never committed (an error, a rolled-back transaction, a crash); a
grace period spares the files of uploads still in flight.
"""

from datetime import datetime

from django.db import transaction

from disputes.models import Evidence

from .storage import delete_files, evidence_storage, stored_names


def purge_drafts(*, before: datetime, dry_run: bool = False) -> list[Evidence]:
    """Delete, with their files, the drafts whose last file was uploaded before ``before``;
    return the rows deleted."""
    drafts = Evidence.objects.drafts()
    in_use = drafts.filter(uploaded_at__gte=before).values("draft_key")
    stale = drafts.filter(uploaded_at__lt=before).exclude(draft_key__in=in_use).order_by("pk")
    removed = []
    for evidence in stale.iterator():
        if not dry_run:
            _delete_draft(evidence)
        removed.append(evidence)
    return removed


def _delete_draft(evidence):
    """Delete one draft row unless it was attached meanwhile; its files go once that commits."""
    names = evidence.file_names
    with transaction.atomic():
        deleted, _ = Evidence.objects.drafts().filter(pk=evidence.pk).delete()
        if deleted:
            transaction.on_commit(lambda: delete_files(names))


def purge_orphan_files(*, before: datetime, dry_run: bool = False) -> list[str]:
    """Delete stored files no Evidence row names, last modified before ``before``."""
    storage = evidence_storage()
    # Listed before the referenced names are read: a file whose row commits in between
    # is then seen as referenced, never as an orphan.
    candidates = [
        name for name in stored_names(storage) if storage.get_modified_time(name) < before
    ]
    referenced = _referenced_names()
    orphans = [name for name in candidates if name not in referenced]
    if not dry_run:
        delete_files(orphans)
    return orphans


def _referenced_names():
    names = set()
    for row in Evidence.objects.values_list("original", "display", "thumbnail").iterator():
        names.update(name for name in row if name)
    return names
