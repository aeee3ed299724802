"""The file system storage evidence is kept in by default: private, and never half-written.

Files are readable by the server's own user only (0600, folders 0700): other accounts of
the machine have no business reading buyers' photos. A write that fails part-way (a full
disk, a quota) deletes what it wrote, so no truncated or empty original is ever left
behind for a row to point at or for a mediator to open.
"""

from django.core.files.storage import FileSystemStorage

FILE_MODE = 0o600
DIRECTORY_MODE = 0o700


class PrivateFileSystemStorage(FileSystemStorage):
    def __init__(self, **options):
        options.setdefault("file_permissions_mode", FILE_MODE)
        options.setdefault("directory_permissions_mode", DIRECTORY_MODE)
        options.setdefault("base_url", None)
        super().__init__(**options)

    def _save(self, name, content):
        try:
            return super()._save(name, content)
        except OSError:
            # ``name`` is free (random names; FileSystemStorage retries on a clash), so
            # whatever is there now is the part this write left.
            self.delete(name)
            raise
