import csv
import secrets
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from tests import servers
from tests.factories import make_user

CORPUS = Path(settings.BASE_DIR).parent / "shared" / "corpus"
MANIFEST = CORPUS / "MANIFEST.tsv"
DRAFT_KEY = "draft-0123456789abcdef"


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


def corpus_upload(relative, name=None):
    """A corpus file as an upload, sent under ``name`` (its own name by default)."""
    path = corpus_path(relative)
    return SimpleUploadedFile(name or path.name, path.read_bytes())


def store_evidence(files, uploader, order, **target):
    """Store uploads through the real recording path, to ``DRAFT_KEY`` unless told otherwise."""
    from disputes.evidence import recording

    target = target or {"draft_key": DRAFT_KEY}
    return recording.store_uploads(files, uploader=uploader, order=order, **target)


def run_tasks():
    """Run, in this process, every queued task that is due, as ``db_worker`` would; return
    how many ran. Tasks queued by those tasks run too, once due."""
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult

    worker = Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="tests",
        excluded_queue_names=[],
    )
    ran = 0
    while (result := DBTaskResult.objects.ready().order_by("enqueued_at").first()) is not None:
        result.claim(worker.worker_id)
        worker.run_task(result)
        ran += 1
    return ran


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # The default hasher is slow on purpose; tests log in hundreds of times.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def language_restored():
    """A request in French through the test client leaves French active in the test's
    thread (LocaleMiddleware activates it); the next test starts as this one did."""
    with translation.override(translation.get_language()):
        yield


@pytest.fixture(autouse=True)
def evidence_root(settings, tmp_path, monkeypatch):
    """Every test keeps evidence in a private storage of its own, in a temporary directory."""
    root = tmp_path / "evidence"
    root.mkdir()
    use_evidence_storage(
        settings,
        monkeypatch,
        {
            "BACKEND": "disputes.evidence.private_storage.PrivateFileSystemStorage",
            "OPTIONS": {"location": root},
        },
    )
    return root


def use_evidence_storage(settings, monkeypatch, entry):
    """Make ``entry`` the ``evidence`` storage. The model's file fields evaluated their
    storage at import, so they are pointed at the new one too."""
    from disputes.models import Evidence, evidence_storage

    settings.STORAGES = settings.STORAGES | {"evidence": entry}
    storage = evidence_storage()
    for name in ("original", "display", "thumbnail"):
        monkeypatch.setattr(Evidence._meta.get_field(name), "storage", storage)


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory):
    """moto's S3 server in a subprocess, for the whole session; yields its endpoint URL."""
    with servers.moto_s3_server(tmp_path_factory.mktemp("moto") / "moto.log") as endpoint:
        yield endpoint


@pytest.fixture
def s3_evidence(evidence_root, s3_server, settings, monkeypatch):
    """Evidence in a bucket of its own on the S3 server, configured from the environment
    as an operator does it; yields the bucket's name."""
    bucket = f"evidence-{secrets.token_hex(6)}"
    servers.create_bucket(s3_server, bucket)
    environment = servers.s3_environment(s3_server, bucket)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    configured = servers.settings_read_from(environment)
    use_evidence_storage(settings, monkeypatch, configured["STORAGES"]["evidence"])
    return bucket


@pytest.fixture
def buyer(db):
    return make_user("alice")


@pytest.fixture
def other_buyer(db):
    return make_user("bob")


@pytest.fixture
def buyer_client(client, buyer):
    client.force_login(buyer)
    return client
