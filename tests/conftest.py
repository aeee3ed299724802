import pytest
from django.utils import translation

from tests.factories import make_buyer


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
    """Every test keeps evidence in a private storage of its own, in a temporary directory.

    The model's file fields evaluated their storage at import, so they are pointed at
    the new one too.
    """
    from disputes.models import Evidence, evidence_storage

    root = tmp_path / "evidence"
    root.mkdir()
    settings.STORAGES = settings.STORAGES | {
        "evidence": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": root, "base_url": None},
        }
    }
    storage = evidence_storage()
    for name in ("original", "display", "thumbnail"):
        monkeypatch.setattr(Evidence._meta.get_field(name), "storage", storage)
    return root


@pytest.fixture
def buyer(db):
    return make_buyer("alice")


@pytest.fixture
def other_buyer(db):
    return make_buyer("bob")


@pytest.fixture
def buyer_client(client, buyer):
    client.force_login(buyer)
    return client
