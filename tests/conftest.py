import pytest

from tests.factories import make_buyer


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
