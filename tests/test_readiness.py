"""/healthz is the liveness floor (it touches nothing); /readyz says whether this process
can serve now: its databases and its evidence storage answer.

A database that is down is the app started in a fresh process with its DATABASE_URL at a
closed port (127.0.0.1:9, where nothing listens): a real refused connection, as in
production, whatever database the suite runs on. Storage that cannot be read is an
evidence location that is a file, not a folder (the tests run as root, whom a chmod
would not stop)."""

import json

import pytest

from tests.processes import shell

pytestmark = pytest.mark.django_db

# Both probes, asked of an app whose database refuses every connection.
PROBES = """
import json
from django.test import Client
client = Client(headers={"host": "localhost"})
ready, live = client.get("/readyz"), client.get("/healthz")
print(json.dumps([ready.status_code, ready.json(), live.status_code, live.text]))
"""


def probe_with_database_down(evidence_root):
    database = "postgres://disputes@127.0.0.1:9/disputes"
    return json.loads(shell(PROBES, DATABASE_URL=database, EVIDENCE_ROOT=str(evidence_root)))


@pytest.fixture
def storage_unreadable(settings, tmp_path):
    location = tmp_path / "not-a-folder"
    location.write_text("the evidence volume is not mounted here")
    settings.STORAGES = settings.STORAGES | {
        "evidence": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": location, "base_url": None},
        }
    }


def test_ready_when_the_database_and_the_evidence_storage_answer(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"ready": True, "failed": []}
    assert "no-cache" in response["Cache-Control"]


def test_not_ready_but_alive_when_the_database_is_down(evidence_root):
    ready_status, ready_body, live_status, live_body = probe_with_database_down(evidence_root)
    assert (ready_status, ready_body) == (503, {"ready": False, "failed": ["database default"]})
    assert (live_status, live_body) == (200, "ok")


def test_not_ready_when_the_evidence_storage_cannot_be_read(client, storage_unreadable):
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"ready": False, "failed": ["evidence storage"]}


def test_liveness_does_not_touch_the_evidence_storage(client, storage_unreadable):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"


def test_ready_on_a_new_server_whose_evidence_folder_is_not_made_yet(client, evidence_root):
    evidence_root.rmdir()  # the storage makes it on the first write
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"ready": True, "failed": []}


def test_a_required_cache_in_the_process_memory_is_always_ready(client, settings):
    settings.CACHE_REQUIRED = True  # only a shared Redis cache can be down (test_cache_outage)
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"ready": True, "failed": []}
