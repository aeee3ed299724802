"""Error pages in the layout and the reader's language, with a way back (issue 26, item 14)."""

import pytest
from django.core.exceptions import BadRequest, PermissionDenied
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation
from django.views import defaults

pytestmark = pytest.mark.django_db

WAYS_BACK = (reverse("orders:account"), reverse("orders:list"))


def assert_a_page_of_the_site(content, language="en"):
    assert f'<html lang="{language}">' in content
    assert 'class="site-header"' in content
    assert all(f'href="{url}"' in content for url in WAYS_BACK)


def test_a_page_not_found_is_in_the_layout_with_a_way_back(buyer_client):
    response = buyer_client.get("/no/such/page/")
    assert response.status_code == 404
    content = response.content.decode()
    assert_a_page_of_the_site(content)
    assert "This page does not exist, or is not yours to see" in content
    assert "Not Found" not in content


def test_a_page_not_found_speaks_the_readers_language(client):
    response = client.get("/no/such/page/", HTTP_ACCEPT_LANGUAGE="fr")
    content = response.content.decode()
    assert_a_page_of_the_site(content, "fr")
    assert "Cette page n\u2019existe pas" in content


@pytest.mark.parametrize(
    ("view", "exception", "status", "words"),
    [
        (defaults.permission_denied, PermissionDenied(), 403, "You cannot do this here"),
        (defaults.bad_request, BadRequest(), 400, "This request could not be understood"),
    ],
)
def test_refusals_are_in_the_layout_with_a_way_back(rf, buyer, view, exception, status, words):
    request = rf.get("/somewhere/")
    request.user = buyer
    response = view(request, exception)
    assert response.status_code == status
    content = response.content.decode()
    assert_a_page_of_the_site(content)
    assert words in content


def test_a_server_error_is_in_the_layout_and_the_readers_language():
    """Django renders 500.html without a request: the page needs none."""
    with translation.override("fr"):
        response = defaults.server_error(RequestFactory().get("/"))
    content = response.content.decode()
    assert response.status_code == 500
    assert_a_page_of_the_site(content, "fr")
    assert "Un problème est survenu de notre côté" in content
