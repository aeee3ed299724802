"""Where evidence files live: a private storage, under names that reveal nothing.

Every file of an evidence row (original, display copy, thumbnail) is written and deleted
here. No model and no HTTP: callers pass names and get names back.
"""

import hashlib
import io
import logging
import secrets
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.core.files import File
from django.core.files.storage import Storage, storages

from .inspect import Verdict

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
PREFIXES = ("originals", "display", "thumbnails")


def evidence_storage() -> Storage:
    """The private storage of the ``evidence`` alias in ``settings.STORAGES``."""
    return storages["evidence"]


def random_name(prefix: str, extension: str) -> str:
    """A name that reveals nothing of the buyer's file name and cannot be guessed."""
    return str(PurePosixPath(prefix) / f"{secrets.token_hex(16)}{extension}")


@dataclass(frozen=True)
class StoredFiles:
    """Names in the evidence storage of one accepted file's original and derivatives."""

    original: str
    display: str
    thumbnail: str
    sha256: str
    size: int

    @property
    def names(self) -> list[str]:
        return [name for name in (self.original, self.display, self.thumbnail) if name]


def save_files(path: Path | str, verdict: Verdict) -> StoredFiles:
    """Save an accepted file's original and the derivatives its inspection made.

    The original is the file at ``path``, or the remuxed copy the inspection made of a
    video; the SHA-256 and size recorded are those of the bytes stored. If any file
    cannot be written, those already written are deleted again.
    """
    derivatives = verdict.derivatives
    if derivatives is None:
        raise ValueError("Inspect the file with a work directory before saving it.")
    storage = evidence_storage()
    extension = EXTENSIONS.get(verdict.mime, ".bin")
    written = []
    try:
        with open(derivatives.original or path, "rb") as original:
            sha256 = hashlib.file_digest(original, "sha256").hexdigest()
            size = original.seek(0, io.SEEK_END)
            original.seek(0)
            written.append(storage.save(random_name("originals", extension), File(original)))
        for prefix, derivative in (
            ("display", derivatives.display),
            ("thumbnails", derivatives.thumbnail),
        ):
            with open(derivative, "rb") as jpeg:
                written.append(storage.save(random_name(prefix, ".jpg"), File(jpeg)))
    except Exception:
        delete_files(written)
        raise
    return StoredFiles(*written, sha256=sha256, size=size)


def delete_files(names) -> None:
    """Delete files from the evidence storage, carrying on past any that is already gone."""
    storage = evidence_storage()
    for name in names:
        try:
            storage.delete(name)
        except Exception:
            logger.exception("Could not delete evidence file %s", name)


def stored_names(storage: Storage):
    """Every file under the evidence storage's prefixes, as storage names."""
    for prefix in PREFIXES:
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
