"""Errors to Sentry: nothing personal, no request body and no evidence leave with them."""

import json

import pytest
import sentry_sdk
from django.core.files.uploadedfile import SimpleUploadedFile
from sentry_sdk.transport import Transport

from disputes import tasks
from observability import request_id, sentry
from tests.conftest import run_tasks
from tests.factories import make_user
from tests.processes import shell

DESCRIPTION = "The cable melted; my address is 3 rue des Lilas"
EVIDENCE = b"\x89PNG the buyer's photo bytes"


class Recorded(Transport):
    """Keeps what would have been sent."""

    def __init__(self, options=None):
        super().__init__(options)
        self.envelopes = []

    def capture_envelope(self, envelope):
        self.envelopes.append(envelope)


@pytest.fixture
def sent():
    sentry.init(
        dsn="https://public-key@sentry.invalid/1",
        environment="test",
        release=None,
        traces_sample_rate=0,
    )
    client = sentry_sdk.get_client()
    client.transport = Recorded(client.options)
    yield client.transport.envelopes
    client.close()
    sentry_sdk.get_global_scope().set_client(None)


def test_scrub_keeps_the_method_and_drops_everything_else_of_the_request():
    event = {
        "request": {
            "method": "POST",
            "url": "https://disputes.example.com/accounts/continue/secret-token/",
            "query_string": "next=/orders/1/",
            "data": {"description": DESCRIPTION},
            "cookies": {"sessionid": "abc"},
            "headers": {"Authorization": "Bearer dcapi_x"},
            "env": {"REMOTE_ADDR": "203.0.113.9"},
        },
        "user": {"id": 7, "email": "bob@example.com"},
        "logentry": {
            "message": "Email to %s failed (attempt %s of %s)",
            "formatted": "Email to bob@example.com failed (attempt 1 of 8)",
            "params": ["bob@example.com", 1, 8],
        },
        "breadcrumbs": {"values": [{"message": "GET orders/ 200 12 ms", "data": {"user_id": 7}}]},
        "extra": {"user_id": 7},
        "message": "the page failed",
    }
    request_id.bind("req-sentry")
    try:
        scrubbed = sentry.scrub(event, {})
    finally:
        request_id.bind(None)

    assert scrubbed["request"] == {"method": "POST"}
    assert scrubbed["logentry"] == {"message": "Email to %s failed (attempt %s of %s)"}
    assert not {"user", "breadcrumbs", "extra"} & set(scrubbed)
    assert scrubbed["tags"] == {"request_id": "req-sentry"}
    assert scrubbed["message"] == "the page failed"


def test_sentry_is_set_up_to_send_nothing_personal(sent):
    options = sentry_sdk.get_client().options

    assert not options["send_default_pii"]
    assert options["data_collection"] | sentry.NOTHING_PERSONAL == options["data_collection"]
    assert options["max_request_body_size"] == "never"
    assert options["before_send"] is sentry.scrub


@pytest.mark.django_db
@pytest.mark.urls("tests.observability.failing_urls")
def test_a_failing_page_reaches_sentry_without_the_buyers_words_or_evidence(client, sent):
    client.raise_request_exception = False
    photo = SimpleUploadedFile("cable.png", EVIDENCE, content_type="image/png")

    response = client.post(
        "/fails/",
        {"description": DESCRIPTION, "evidence": photo},
        headers={"X-Request-ID": "req-fails"},
    )
    sentry_sdk.flush()

    assert response.status_code == 500
    [envelope] = sent
    event = envelope.get_event()
    assert event["exception"]["values"][0]["value"] == "the page failed"
    assert set(event.get("request", {})) <= {"method"}
    assert event["tags"]["request_id"] == "req-fails"
    serialized = envelope.serialize()
    assert DESCRIPTION.encode() not in serialized
    assert b"photo bytes" not in serialized
    assert b"cable.png" not in serialized


@pytest.mark.django_db
def test_an_error_logged_with_an_address_reaches_sentry_without_it(sent, monkeypatch):
    def mail_server_down(*args, **kwargs):
        raise ConnectionRefusedError

    monkeypatch.setattr(tasks, "send_mail", mail_server_down)
    # Not written out here: the event carries the lines of code around each frame.
    address = make_user("bob").email
    tasks.deliver_email.enqueue(to=address, subject="Your dispute", body=DESCRIPTION)

    run_tasks()
    sentry_sdk.flush()

    assert sent
    for envelope in sent:
        assert address.encode() not in envelope.serialize()
        assert DESCRIPTION.encode() not in envelope.serialize()


def test_sentry_is_on_only_where_a_dsn_is_set():
    probe = (
        "import json, sentry_sdk; client = sentry_sdk.get_client(); "
        "print(json.dumps([client.is_active(), client.options['environment']]))"
    )

    assert json.loads(shell(probe, SENTRY_DSN="https://public-key@sentry.invalid/1")) == [
        True,
        "development",
    ]
    assert json.loads(shell(probe))[0] is False
