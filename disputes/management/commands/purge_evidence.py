"""Remove abandoned draft evidence and evidence files no row refers to. Run it hourly.

Drafts come from wizards and appeal forms nobody submitted. Orphan files come from
uploads whose row never committed (an error, a rolled-back transaction, a crash); a
grace period spares the files of uploads still in flight.
"""

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from disputes.evidence_service import STORAGE_PREFIXES, delete_files, evidence_file_names
from disputes.models import Evidence, evidence_storage


class Command(BaseCommand):
    help = (
        "Delete draft evidence older than --older-than-hours, and evidence files that no "
        "row refers to once they are older than --grace-minutes."
    )

    def add_arguments(self, parser):
        # A draft lives in the buyer's session (the wizard's answers and its key), so it
        # is abandoned only once that session can no longer exist.
        parser.add_argument(
            "--older-than-hours", type=float, default=settings.SESSION_COOKIE_AGE / 3600
        )
        parser.add_argument("--grace-minutes", type=float, default=60)
        parser.add_argument("--dry-run", action="store_true", help="Only say what would go.")

    def handle(self, *, older_than_hours, grace_minutes, dry_run, **options):
        now = timezone.now()
        verb = "Would remove" if dry_run else "Removed"
        drafts = purge_drafts(before=now - timedelta(hours=older_than_hours), dry_run=dry_run)
        for evidence in drafts:
            self.stdout.write(
                f"{verb} draft evidence #{evidence.pk} {evidence.original_name!r} "
                f"(uploaded {evidence.uploaded_at:%Y-%m-%d %H:%M} UTC)"
            )
        orphans = purge_orphan_files(before=now - timedelta(minutes=grace_minutes), dry_run=dry_run)
        for name in orphans:
            self.stdout.write(f"{verb} orphan file {name}")
        self.stdout.write(
            self.style.SUCCESS(f"{verb} {len(drafts)} draft evidence, {len(orphans)} orphan files.")
        )


def purge_drafts(*, before, dry_run=False):
    """Delete draft evidence uploaded before ``before`` with its files; return the rows."""
    stale = Evidence.objects.filter(
        dispute__isnull=True, appeal__isnull=True, uploaded_at__lt=before
    ).order_by("pk")
    removed = []
    for evidence in stale.iterator():
        if not dry_run:
            _delete_draft(evidence)
        removed.append(evidence)
    return removed


def _delete_draft(evidence):
    """Delete one draft row unless it was attached meanwhile; its files go once that commits."""
    names = evidence_file_names(evidence)
    with transaction.atomic():
        deleted, _ = Evidence.objects.filter(
            pk=evidence.pk, dispute__isnull=True, appeal__isnull=True
        ).delete()
        if deleted:
            transaction.on_commit(lambda: delete_files(names))


def purge_orphan_files(*, before, dry_run=False):
    """Delete stored files no Evidence row names, last modified before ``before``."""
    storage = evidence_storage()
    # Listed before the referenced names are read: a file whose row commits in between
    # is then seen as referenced, never as an orphan.
    candidates = [name for name in _stored_names(storage) if _modified(storage, name) < before]
    referenced = _referenced_names()
    orphans = [name for name in candidates if name not in referenced]
    if not dry_run:
        delete_files(orphans)
    return orphans


def _stored_names(storage):
    """Every file under the evidence storage's prefixes, as storage names."""
    for prefix in STORAGE_PREFIXES:
        yield from _walk(storage, prefix)


def _walk(storage, directory):
    try:
        directories, files = storage.listdir(directory)
    except FileNotFoundError:
        return
    for name in files:
        yield f"{directory}/{name}"
    for child in directories:
        yield from _walk(storage, f"{directory}/{child}")


def _modified(storage, name):
    return storage.get_modified_time(name)


def _referenced_names():
    names = set()
    for row in Evidence.objects.values_list("original", "display", "thumbnail").iterator():
        names.update(name for name in row if name)
    return names
