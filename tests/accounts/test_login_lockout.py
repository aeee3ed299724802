"""Password guessing: after LOGIN_FAILURE_LIMIT failed logins for an account, or from an
address, the right password is refused too, on the site's login and the admin's, with a
message that says how long to wait; after the wait it works again. Real logins through
the test client and django-axes' database handler; the wait is passed by moving the
recorded failures back in time by the lock-out period."""

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.db.models import F
from django.urls import reverse

from tests.disputes.builders import make_mediator
from tests.factories import make_user

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"
LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"
LOCKED_OUT = (
    "Too many failed logins for this account or from this address. Try again in 15 minutes."
)


@pytest.fixture(autouse=True)
def lockout_settings(settings):
    """The defaults, stated: the tests count on them."""
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_COOLOFF_TIME.total_seconds() == 15 * 60


def log_in(client, username, password, *, url=LOGIN, address="203.0.113.7", **headers):
    return client.post(
        url,
        {"username": username, "password": password},
        REMOTE_ADDR=address,
        headers=headers,
    )


def guess(client, username, *, times=5, **kwargs):
    """``times`` wrong passwords for ``username``; the last answer."""
    for _ in range(times):
        response = log_in(client, username, "wrong-password", **kwargs)
    return response


def logged_in(client):
    return SESSION_KEY in client.session


def the_wait_passes(settings):
    """Every failure recorded is now older than the lock-out period."""
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - settings.AXES_COOLOFF_TIME)


def test_four_failures_still_let_the_right_password_in(client):
    make_user("alice")
    response = guess(client, "alice", times=4)
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.text
    assert log_in(client, "alice", PASSWORD).status_code == 302
    assert logged_in(client)


def test_the_fifth_failure_locks_the_account_and_says_for_how_long(client):
    make_user("alice")
    response = guess(client, "alice")
    assert response.status_code == 429
    assert LOCKED_OUT in response.text

    response = log_in(client, "alice", PASSWORD)
    assert response.status_code == 429
    assert LOCKED_OUT in response.text
    assert 'name="username"' in response.text  # the login page, its form ready for later
    assert not logged_in(client)


def test_the_account_stays_locked_from_another_address(client):
    make_user("alice")
    guess(client, "alice")
    response = log_in(client, "alice", PASSWORD, address="198.51.100.20")
    assert response.status_code == 429
    assert not logged_in(client)


def test_the_address_is_locked_for_another_account_too(client):
    make_user("alice")
    make_user("bob")
    guess(client, "alice")
    response = log_in(client, "bob", PASSWORD)
    assert response.status_code == 429
    assert LOCKED_OUT in response.text
    assert not logged_in(client)
    # Bob, from his own address, is not held back by what another address did to Alice.
    assert log_in(client, "bob", PASSWORD, address="198.51.100.20").status_code == 302


def test_failures_spread_over_accounts_lock_the_address(client):
    for name in ("alice", "bob", "carol", "dave", "erin", "frank"):
        make_user(name)
    for name in ("alice", "bob", "carol", "dave", "erin"):
        guess(client, name, times=1)
    assert log_in(client, "frank", PASSWORD).status_code == 429


def test_after_the_lockout_period_the_right_password_works(client, settings):
    make_user("alice")
    guess(client, "alice")
    assert log_in(client, "alice", PASSWORD).status_code == 429

    the_wait_passes(settings)

    assert log_in(client, "alice", PASSWORD).status_code == 302
    assert logged_in(client)


def test_a_login_resets_the_accounts_failures(client):
    make_user("alice")
    guess(client, "alice", times=4)
    assert log_in(client, "alice", PASSWORD).status_code == 302
    client.logout()
    guess(client, "alice", times=4)
    assert log_in(client, "alice", PASSWORD).status_code == 302


def test_logging_in_to_ones_own_account_keeps_the_guesses_at_another(client):
    """An attacker with an account of their own cannot wipe their guesses at Alice's
    password by logging in to it from the address they guess from."""
    make_user("alice")
    make_user("mallory")
    guess(client, "alice", times=4)
    assert log_in(client, "mallory", PASSWORD).status_code == 302
    client.logout()
    guess(client, "alice", times=1)

    assert log_in(client, "alice", PASSWORD, address="198.51.100.20").status_code == 429


def test_the_owners_login_elsewhere_keeps_the_guesses_from_another_address(client):
    make_user("alice")
    guess(client, "alice", times=4, address="192.0.2.66")
    assert log_in(client, "alice", PASSWORD, address="198.51.100.20").status_code == 302
    client.logout()
    guess(client, "alice", times=1, address="192.0.2.66")

    assert log_in(client, "alice", PASSWORD, address="198.51.100.20").status_code == 429


def test_the_admin_login_is_locked_out_the_same_way(client, settings):
    mediator = make_mediator()
    response = guess(client, mediator.username, url=ADMIN_LOGIN)
    assert response.status_code == 429
    assert LOCKED_OUT in response.text

    response = log_in(client, mediator.username, PASSWORD, url=ADMIN_LOGIN)
    assert response.status_code == 429
    assert LOCKED_OUT in response.text
    assert not logged_in(client)

    the_wait_passes(settings)
    response = log_in(client, mediator.username, PASSWORD, url=ADMIN_LOGIN)
    assert response.status_code == 302
    assert logged_in(client)


def test_the_site_and_the_admin_share_the_count(client):
    mediator = make_mediator()
    guess(client, mediator.username, times=3)
    guess(client, mediator.username, times=2, url=ADMIN_LOGIN)
    assert log_in(client, mediator.username, PASSWORD, url=ADMIN_LOGIN).status_code == 429


def test_an_x_forwarded_for_header_is_ignored_by_default(client):
    """Without a proxy configured, a client cannot pick a new address for each guess."""
    make_user("alice")
    for number in range(5):
        log_in(client, "alice", "wrong", **{"X-Forwarded-For": f"192.0.2.{number}"})
    make_user("bob")
    response = log_in(client, "bob", PASSWORD, **{"X-Forwarded-For": "192.0.2.99"})
    assert response.status_code == 429


def test_behind_a_configured_proxy_the_address_is_the_one_it_forwarded(client, settings):
    settings.FORWARDED_FOR_PROXIES = 1
    proxy = "10.0.0.1"
    make_user("alice")
    make_user("bob")
    # The attacker writes its own X-Forwarded-For; the proxy appends the real address.
    for number in range(5):
        log_in(
            client,
            "alice",
            "wrong",
            address=proxy,
            **{"X-Forwarded-For": f"192.0.2.{number}, 203.0.113.7"},
        )
    # Bob comes through the same proxy from another address: he is not locked out...
    response = log_in(
        client, "bob", PASSWORD, address=proxy, **{"X-Forwarded-For": "198.51.100.20"}
    )
    assert response.status_code == 302
    client.logout()
    # ...but the attacker's real address is, whatever it writes before it.
    response = log_in(
        client, "bob", PASSWORD, address=proxy, **{"X-Forwarded-For": "192.0.2.50, 203.0.113.7"}
    )
    assert response.status_code == 429


def test_there_is_no_password_reset_by_email(client):
    """Accounts come from the marketplace; no page sends an email from a request."""
    assert client.get("/accounts/password_reset/").status_code == 404
    assert reverse("login") == LOGIN
