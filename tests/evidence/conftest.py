import csv
from pathlib import Path

import pytest
from django.conf import settings

CORPUS = Path(settings.BASE_DIR).parent / "shared" / "corpus"
MANIFEST = CORPUS / "MANIFEST.tsv"


def corpus_rows():
    """Return the manifest rows, or none when the corpus is missing (a test then fails)."""
    if not MANIFEST.is_file():
        return []
    with MANIFEST.open(newline="") as manifest:
        return list(csv.DictReader(manifest, delimiter="\t"))


def corpus_path(relative):
    """Return the absolute path of a corpus file, failing the test if it is absent."""
    path = CORPUS / relative
    if not path.is_file():
        pytest.fail(f"corpus file {path} is missing: the evidence corpus must be present")
    return path


@pytest.fixture
def evidence_root(settings, tmp_path, monkeypatch):
    """A private evidence storage of its own for the test, in a temporary directory.

    The model's file fields evaluated their storage at import, so they are pointed at
    the new one too.
    """
    from disputes.models import Evidence, evidence_storage

    root = tmp_path / "evidence"
    root.mkdir()
    storages = {name: dict(config) for name, config in settings.STORAGES.items()}
    storages["evidence"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": root, "base_url": None},
    }
    settings.STORAGES = storages
    storage = evidence_storage()
    for name in ("original", "display", "thumbnail"):
        monkeypatch.setattr(Evidence._meta.get_field(name), "storage", storage)
    return root
