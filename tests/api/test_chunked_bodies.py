"""A body sent chunked, without Content-Length, as gunicorn hands it to the application:
decoded, ending where the body ends (``wsgi.input_terminated``), with no length."""

import io
import json
from wsgiref.util import setup_testing_defaults

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from config.chunked import ChunkedBodies
from config.wsgi import application
from orders.importing import EXAMPLE_ORDER
from orders.models import Order
from tests.api.conftest import API

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def same_connection():
    """As Django's test client does: the request keeps the test's database connection, from
    its start to its end (PostgreSQL's would be closed under the test otherwise)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def chunked(app, token, body: bytes):
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": f"{API}/orders/",
        "CONTENT_TYPE": "application/json",
        "HTTP_TRANSFER_ENCODING": "chunked",
        "HTTP_AUTHORIZATION": f"Bearer {token}",
        "wsgi.input": io.BytesIO(body),
        "wsgi.input_terminated": True,
    }
    setup_testing_defaults(environ)
    environ.pop("CONTENT_LENGTH", None)
    answer = {}

    def start_response(status, headers, exc_info=None):
        answer["status"] = int(status.split()[0])

    content = b"".join(app(environ, start_response))
    return answer["status"], json.loads(content) if content.startswith(b"{") else content


def test_a_chunked_body_without_length_is_read(marketplace):
    body = json.dumps({"orders": [EXAMPLE_ORDER]}).encode()
    status, answer = chunked(application, marketplace.token, body)
    assert (status, answer["created"]) == (200, [EXAMPLE_ORDER["number"]])
    assert Order.objects.get().number == EXAMPLE_ORDER["number"]


def test_a_chunked_body_over_the_apis_limit_is_a_413(marketplace, settings):
    settings.API_MAX_BODY_BYTES = 1000
    body = json.dumps({"orders": [EXAMPLE_ORDER | {"description": "x" * 2000}]}).encode()
    status, answer = chunked(application, marketplace.token, body)
    assert (status, answer["code"]) == (413, "too_large")
    assert not Order.objects.exists()


def test_a_chunked_body_over_the_largest_the_site_takes_is_not_read_to_its_end(settings):
    settings.API_MAX_BODY_BYTES = settings.EVIDENCE_VIDEO_MAX_BYTES = 1000
    body = io.BytesIO(b"x" * 5_000_000)
    environ = {"HTTP_TRANSFER_ENCODING": "chunked", "wsgi.input_terminated": True}
    environ["wsgi.input"] = body

    def never_called(environ, start_response):
        raise AssertionError("the application got the body")

    statuses = []
    ChunkedBodies(never_called)(environ, lambda status, headers: statuses.append(status))
    assert statuses == ["413 Content Too Large"]
    assert body.tell() == 1000 + 1_000_000 + 1


def test_a_body_from_a_server_that_does_not_end_it_is_left_as_django_reads_it():
    """Without ``wsgi.input_terminated`` reading to the end could wait forever."""
    seen = {}

    def app(environ, start_response):
        seen.update(environ)
        return []

    environ = {"HTTP_TRANSFER_ENCODING": "chunked", "wsgi.input": io.BytesIO(b"{}")}
    ChunkedBodies(app)(environ, None)
    assert "CONTENT_LENGTH" not in seen
    assert seen["wsgi.input"].tell() == 0
