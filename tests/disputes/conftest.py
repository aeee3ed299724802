import pytest
from django.test import Client


@pytest.fixture
def log_in(db):
    """A client logged in as ``user``: pages of two parties side by side."""

    def client_of(user, **options):
        client = Client(**options)
        # Read again: the builders set a password each time they meet an account, and a
        # session holds the hash of the password it was logged in with.
        client.force_login(type(user).objects.get(pk=user.pk))
        return client

    return client_of
