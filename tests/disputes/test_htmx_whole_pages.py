"""An htmx request that does not get the fragment it targets leads to a whole page.

A redirect (the dispute opened in another tab, an expired session) becomes HX-Redirect, so
the whole window goes there instead of htmx nesting the page it lands on in the fragment;
an error keeps its status and is shown as the whole page (htmx's responseHandling in
base.html). Without JavaScript, redirects stay redirects.
"""

import json
import re
from html import unescape

import pytest
from django.urls import reverse

from disputes.models import Dispute
from tests.disputes.builders import DESCRIPTION, disputable_order, open_dispute

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
UPLOAD_URL = reverse("disputes:evidence_upload")
REMOVE_URL = reverse("disputes:evidence_remove")


@pytest.fixture
def order(buyer):
    return disputable_order(buyer)


@pytest.fixture
def wizard_url(order):
    return reverse("disputes:open", args=[order.number])


def from_page(path):
    """The headers of an htmx request made from the page at ``path``."""
    return HTMX | {"HX-Current-URL": f"http://testserver{path}"}


def walk_to_review(client, url, order):
    """Steps 1 to 3, as a buyer's tab would post them; the session is now on "review"."""
    prefix = f"dispute_wizard_{order.pk}"
    client.get(url)
    for step, answers in (
        ("reason", {"reason": "defective"}),
        ("refund", {"refund_request": "full"}),
        ("details", {"description": DESCRIPTION}),
    ):
        data = {f"{prefix}-current_step": step}
        data |= {f"{step}-{name}": value for name, value in answers.items()}
        client.post(url, data, headers=from_page(url))
    return {f"{prefix}-current_step": "review"}


def assert_whole_page_redirect(response, to):
    assert response.status_code == 200
    assert response["HX-Redirect"] == to
    assert not response.has_header("Location")
    assert b"<html" not in response.content


def test_submitting_in_a_second_tab_after_the_first_sends_the_whole_window_to_the_order(
    buyer_client, wizard_url, order
):
    review = walk_to_review(buyer_client, wizard_url, order)
    first_tab = buyer_client.post(wizard_url, review, headers=from_page(wizard_url))
    dispute = Dispute.objects.get(order=order)
    assert_whole_page_redirect(first_tab, dispute.get_absolute_url())

    second_tab = buyer_client.post(wizard_url, review, headers=from_page(wizard_url))

    assert_whole_page_redirect(second_tab, reverse("orders:detail", args=[order.number]))
    assert Dispute.objects.filter(order=order).count() == 1


def test_a_dispute_opened_meanwhile_sends_the_whole_window_to_the_order(
    buyer_client, buyer, wizard_url, order
):
    review = walk_to_review(buyer_client, wizard_url, order)
    open_dispute(buyer, order)

    response = buyer_client.post(wizard_url, review, headers=from_page(wizard_url))

    assert_whole_page_redirect(response, reverse("orders:detail", args=[order.number]))
    page = buyer_client.get(response["HX-Redirect"]).content.decode()
    assert 'class="open-dispute"' in page  # the dispute opened meanwhile, not a second one


def test_a_wizard_step_after_the_session_expired_logs_in_again_and_comes_back(
    buyer_client, wizard_url, order
):
    review = walk_to_review(buyer_client, wizard_url, order)
    buyer_client.logout()

    response = buyer_client.post(wizard_url, review, headers=from_page(wizard_url))

    assert_whole_page_redirect(response, f"{reverse('login')}?next={wizard_url}")


def test_an_upload_after_the_session_expired_comes_back_to_the_page_not_the_upload(
    client, wizard_url, order
):
    data = {"order": order.number, "draft": "draft-0123456789abcdef"}

    response = client.post(UPLOAD_URL, data, headers=from_page(wizard_url))

    assert_whole_page_redirect(response, f"{reverse('login')}?next={wizard_url}")


def test_a_login_redirect_for_a_page_of_another_site_keeps_its_own_next(client, order):
    headers = HTMX | {"HX-Current-URL": "https://elsewhere.example/orders/"}

    response = client.post(UPLOAD_URL, {"order": order.number}, headers=headers)

    assert_whole_page_redirect(response, f"{reverse('login')}?next={UPLOAD_URL}")


def test_without_javascript_redirects_stay_redirects(buyer_client, buyer, wizard_url, order):
    review = walk_to_review(buyer_client, wizard_url, order)
    open_dispute(buyer, order)

    response = buyer_client.post(wizard_url, review)

    assert response.status_code == 302
    assert response["Location"] == reverse("orders:detail", args=[order.number])
    assert not response.has_header("HX-Redirect")


def test_an_error_answering_htmx_keeps_its_status_and_is_a_whole_page(buyer_client):
    response = buyer_client.post(REMOVE_URL, {"evidence_pk": "999999"}, headers=HTMX)

    assert response.status_code == 404
    assert not response.has_header("HX-Redirect")
    assert response.content.lstrip().lower().startswith(b"<!doctype html")


def test_pages_have_htmx_show_error_answers_as_the_whole_page(buyer_client, order):
    page = buyer_client.get(reverse("orders:detail", args=[order.number])).content.decode()
    [config] = re.findall(r'<meta name="htmx-config" content=\'([^\']*)\'>', page)

    handling = json.loads(unescape(config))["responseHandling"]

    def rule(status):
        return next(rule for rule in handling if re.fullmatch(rule["code"], str(status)))

    for status in (400, 403, 404, 500, 502):
        assert rule(status) | {"code": ""} == {
            "code": "",
            "swap": True,
            "error": True,
            "target": "body",
            "swapOverride": "innerHTML",
        }, status
    # The evidence panel says itself that an upload was too large for the proxy.
    assert rule(413)["swap"] is False
    assert rule(200)["swap"] is True
    assert rule(204)["swap"] is False
