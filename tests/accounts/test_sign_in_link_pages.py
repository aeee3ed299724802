"""Opening sign-in links in a browser (the test client): the hand-off signs in at once, an
email's link after its button; a link used, expired or altered says which; the login page
emails a link on request, saying the same whoever asks (PRODUCT.md §11)."""

from datetime import timedelta

import pytest
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.sign_in_links import LinkKind, SignInLink, create_link
from tests.accounts.links import email_links_in, link_of
from tests.conftest import run_tasks
from tests.factories import make_user

pytestmark = pytest.mark.django_db

ORDER_PAGE = "/orders/8030112233445566/"
DISPUTE_PAGE = "/disputes/7/"


@pytest.fixture(autouse=True)
def fresh_throttle():
    cache.clear()
    yield
    cache.clear()


def handoff_url(user, next_path=ORDER_PAGE, **kwargs):
    token, _link = create_link(user=user, kind=LinkKind.HANDOFF, next_path=next_path, **kwargs)
    return reverse("sign_in_handoff", args=[token])


def email_url(user, next_path=DISPUTE_PAGE, **kwargs):
    token, _link = create_link(user=user, kind=LinkKind.EMAIL, next_path=next_path, **kwargs)
    return reverse("continue_as", args=[token])


def signed_in(client):
    return client.session.get(SESSION_KEY)


# The hand-off


def test_a_hand_off_signs_the_account_in_and_opens_the_page(client, buyer):
    response = client.get(handoff_url(buyer))
    assert response.status_code == 302
    assert response["Location"] == ORDER_PAGE
    assert signed_in(client) == str(buyer.pk)


def test_a_hand_off_replaces_the_session_the_browser_had(client, buyer):
    bob = make_user("bob")
    client.force_login(bob)
    client.session["anything"] = "of bob's"
    bobs_session = client.session.session_key

    client.get(handoff_url(buyer))

    assert signed_in(client) == str(buyer.pk)
    assert client.session.session_key != bobs_session
    assert "anything" not in client.session


def test_a_hand_off_used_twice_or_from_another_browser_says_it_was_used(client, buyer):
    url = handoff_url(buyer)
    client.get(url)
    for browser in (client, Client()):
        again = browser.get(url)
        assert again.status_code == 410
        assert b"already used" in again.content
    assert not Client().get(url).wsgi_request.user.is_authenticated


def test_a_hand_off_after_its_time_says_it_expired(client, buyer, settings):
    settings.MARKETPLACE_URL = "https://marketplace.example"
    url = handoff_url(buyer, now=timezone.now() - timedelta(seconds=121))
    response = client.get(url)
    assert response.status_code == 410
    assert b"has expired" in response.content
    assert b'href="https://marketplace.example"' in response.content
    assert signed_in(client) is None


@pytest.mark.parametrize(
    "alter",
    [
        pytest.param(lambda path: path[:-6] + "/", id="cut-short"),
        pytest.param(
            lambda path: path[:-4] + ("A" if path[-4] != "A" else "B") + path[-3:],
            id="one-character-changed",
        ),
    ],
)
def test_an_altered_hand_off_says_so(client, buyer, alter):
    response = client.get(alter(handoff_url(buyer)))
    assert response.status_code == 404
    assert b"incomplete or was changed" in response.content
    assert signed_in(client) is None


def test_the_problem_page_speaks_the_persons_language(client, buyer):
    url = handoff_url(buyer)
    client.get(url)
    response = Client(headers={"accept-language": "fr"}).get(url)
    assert "déjà été utilisé".encode() in response.content


def test_a_hand_off_is_opened_with_a_get_only(client, buyer):
    assert client.post(handoff_url(buyer)).status_code == 405


# The link in an email


def test_an_email_link_asks_first_and_signs_in_with_its_button(buyer):
    browser = Client(enforce_csrf_checks=True)
    url = email_url(buyer)

    page = browser.get(url)  # what a mail scanner does, too
    assert page.status_code == 200
    assert b"Continue as alice" in page.content
    assert signed_in(browser) is None
    assert link_of(url.split("/")[-2]).used_at is None

    token = page.context["csrf_token"]
    response = browser.post(url, {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert response["Location"] == DISPUTE_PAGE
    assert signed_in(browser) == str(buyer.pk)


def test_an_email_links_button_needs_its_csrf_token(buyer):
    browser = Client(enforce_csrf_checks=True)
    url = email_url(buyer)
    assert browser.post(url).status_code == 403
    assert link_of(url.split("/")[-2]).used_at is None


def test_an_email_link_opened_again_by_its_signed_in_reader_opens_the_page(client, buyer):
    url = email_url(buyer)
    client.post(url)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == DISPUTE_PAGE


def test_a_spent_email_link_says_so_and_emails_a_fresh_one_to_the_same_page(client, buyer):
    url = email_url(buyer, now=timezone.now() - timedelta(hours=73))
    page = Client().get(url)
    assert page.status_code == 410
    assert b"has expired" in page.content
    assert b"Email me a new link" in page.content

    token = url.split("/")[-2]
    response = client.post(reverse("email_sign_in_link"), {"token": token})
    assert response.status_code == 200
    run_tasks()

    (email,) = mail.outbox
    assert email.to == [buyer.email]
    (fresh,) = email_links_in(email.body)
    assert link_of(fresh).next_path == DISPUTE_PAGE
    assert link_of(fresh).user == buyer


def test_an_email_link_is_not_a_hand_off(client, buyer):
    url = email_url(buyer).replace("/continue/", "/sign-in/")
    assert client.get(url).status_code == 404
    assert signed_in(client) is None


# Asking for a link on the login page


def test_the_login_page_offers_a_link_by_email(client):
    page = client.get(reverse("login"), {"next": ORDER_PAGE})
    assert b"Email me a sign-in link" in page.content
    assert f'name="next" value="{ORDER_PAGE}"'.encode() in page.content
    french = client.get(reverse("login"), headers={"accept-language": "fr"})
    assert b"M'envoyer un lien de connexion" in french.content


def test_the_answer_is_the_same_whether_or_not_the_address_is_known(client, buyer):
    known = client.post(reverse("email_sign_in_link"), {"email": "ALICE@example.com"})
    unknown = client.post(reverse("email_sign_in_link"), {"email": "nobody@example.com"})
    assert known.status_code == unknown.status_code == 200
    assert known.content.replace(known.context["csrf_token"].encode(), b"") == (
        unknown.content.replace(unknown.context["csrf_token"].encode(), b"")
    )
    assert mail.outbox == []  # sent by the worker, never in the request

    run_tasks()

    (email,) = mail.outbox
    assert email.to == [buyer.email]
    (token,) = email_links_in(email.body)
    assert link_of(token).next_path == reverse("orders:account")


def test_a_link_asked_for_on_the_login_page_opens_its_next_page(client, buyer):
    client.post(reverse("email_sign_in_link"), {"email": buyer.email, "next": ORDER_PAGE})
    client.post(reverse("email_sign_in_link"), {"email": "x@example.com", "next": "//evil"})
    run_tasks()
    (email,) = mail.outbox
    assert link_of(email_links_in(email.body)[0]).next_path == ORDER_PAGE


def test_staff_are_never_emailed_a_link(client):
    make_user("mediator", is_staff=True)
    client.post(reverse("email_sign_in_link"), {"email": "mediator@example.com"})
    run_tasks()
    assert mail.outbox == []
    assert not SignInLink.objects.exists()


def test_links_are_throttled_per_address(client, buyer, settings):
    settings.EMAIL_SIGN_IN_LINKS_PER_ADDRESS = 2
    answers = [
        Client(REMOTE_ADDR=f"10.0.0.{n}")
        .post(reverse("email_sign_in_link"), {"email": buyer.email})
        .status_code
        for n in range(3)
    ]
    assert answers == [200, 200, 429]
    run_tasks()
    assert len(mail.outbox) == 2


def test_links_are_throttled_per_client_address(client, settings):
    settings.EMAIL_SIGN_IN_LINKS_PER_CLIENT = 2
    answers = [
        client.post(reverse("email_sign_in_link"), {"email": f"n{n}@example.com"}).status_code
        for n in range(3)
    ]
    assert answers == [200, 200, 429]
    french = client.post(
        reverse("email_sign_in_link"),
        {"email": "n9@example.com"},
        headers={"accept-language": "fr"},
    )
    assert french.status_code == 429
    assert b"Trop de liens" in french.content


def test_an_address_is_needed(client):
    response = client.post(reverse("email_sign_in_link"), {"email": "not an address"})
    assert response.status_code == 400
    assert b"errors" in response.content
