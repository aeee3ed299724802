import pytest

from tests.factories import make_buyer


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # The default hasher is slow on purpose; tests log in hundreds of times.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


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
