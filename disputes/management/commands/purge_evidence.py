"""Remove abandoned draft evidence and evidence files no row refers to. Run it hourly."""

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from disputes.evidence.purge import purge_drafts, purge_orphan_files


class Command(BaseCommand):
    help = (
        "Delete drafts of evidence with no file added for --older-than-hours, and evidence "
        "files that no row refers to once they are older than --grace-minutes."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than-hours", type=float, default=settings.EVIDENCE_DRAFT_MAX_AGE_HOURS
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
