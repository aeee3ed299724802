"""Give the verdict the upload would give for files on disk."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand

from disputes.evidence.inspect import inspect_evidence


class Command(BaseCommand):
    help = (
        "Inspect evidence files by content and print the verdict an upload would get. "
        "Exits with status 1 when any file is refused."
    )
    # Inspection touches neither models nor URLs; it must work on a half-configured site.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH", help="files to inspect")
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="print a JSON array"
        )

    def handle(self, *args, paths, as_json=False, **options):
        results = [(path, inspect_evidence(path, Path(path).name)) for path in paths]
        if as_json:
            self.stdout.write(_as_json(results))
        else:
            for _path, verdict in results:
                self.stdout.write(f"{'✓' if verdict.accepted else '✗'} {verdict.message}")
        if not all(verdict.accepted for _path, verdict in results):
            # SystemExit rather than CommandError: CommandError exits with status 1 too but
            # also prints an error line, and the verdicts above already say everything.
            raise SystemExit(1)


def _as_json(results):
    """Serialise ``(path, verdict)`` pairs as the documented JSON array."""
    return json.dumps(
        [
            {
                "file": path,
                "accepted": verdict.accepted,
                "kind": verdict.kind,
                "mime": verdict.mime,
                "size": verdict.size,
                "message": verdict.message,
            }
            for path, verdict in results
        ],
        ensure_ascii=False,
        indent=2,
    )
