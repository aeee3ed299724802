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
