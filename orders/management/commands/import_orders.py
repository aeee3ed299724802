import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from orders.importing import OrderImportError, UnreadableJSON, import_orders, parse_json


class Command(BaseCommand):
    help = (
        "Import orders from the marketplace: a JSON array (FILE, or - for stdin). All or nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="path to a JSON file, or - to read standard input")
        parser.add_argument(
            "--dry-run", action="store_true", help="check and report, but write nothing"
        )

    def handle(self, *args: Any, file: str, dry_run: bool, **options: Any) -> None:
        records = self._read(file)
        try:
            report = import_orders(records, dry_run=dry_run)
        except OrderImportError as error:
            raise CommandError(
                f"Nothing was imported; {len(error.problems)} problem(s):\n{error}"
            ) from None
        prefix = "Dry run, nothing written: would have " if dry_run else ""
        self.stdout.write(
            f"{prefix}created {len(report.created)} order(s), updated {len(report.updated)}, "
            f"left {len(report.unchanged)} unchanged; "
            f"new buyers: {len(report.buyers_created)}, "
            f"new sellers: {len(report.sellers_created)}, "
            f"new seller accounts: {len(report.seller_accounts_created)}."
        )
        for label, names in (
            ("created", report.created),
            ("updated", report.updated),
            ("new buyers", report.buyers_created),
            ("buyers with a new email", report.buyers_updated),
            ("buyers with a new username", report.buyers_renamed),
            ("new seller accounts", report.seller_accounts_created),
            ("seller accounts with a new email", report.seller_accounts_updated),
            ("seller accounts with a new username", report.seller_accounts_renamed),
            ("sellers now answering with an account", report.sellers_linked),
            ("receipt kept as its buyer confirmed it", report.receipts_kept),
            ("receipt recorded, the dispute window kept", report.receipts_recorded),
        ):
            if names:
                self.stdout.write(f"  {label}: {', '.join(names)}")

    def _read(self, file: str) -> Any:
        source = "standard input" if file == "-" else file
        try:
            # Bytes, from a pipe as from a file: parse_json says where one is not UTF-8.
            content = sys.stdin.buffer.read() if file == "-" else Path(file).read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {source}: {error.strerror}") from None
        try:
            return parse_json(content)
        except UnreadableJSON as error:
            raise CommandError(f"{source} {error}. Nothing was imported.") from None
