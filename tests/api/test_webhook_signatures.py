"""Webhooks are signed the Standard Webhooks way, verified here with the ``standardwebhooks``
library as integrators do; the old header still verifies for its deprecation period, a
rotated secret signs beside the new one for its overlap, and the secrets issued before the
standard were migrated so that nothing an integrator verified stops verifying."""

import base64
import binascii
import hashlib
import hmac
import json
import re
import secrets
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone
from standardwebhooks import Webhook, WebhookVerificationError

from api import signatures, webhook_types
from api.models import ApiClient, WebhookDelivery, webhook_key
from tests.api.test_webhooks import Receiver
from tests.conftest import run_tasks
from tests.disputes.builders import decided_dispute

BEFORE = ("api", "0002_webhook_url_rules_and_no_response_body")
AFTER = ("api", "0003_standard_webhooks_and_token_overlap")
BODY = b'{"id":"dispute-event-1","type":"dispute.decided"}'


def legacy_verifier(secret: str, signature_header: str, body: bytes, tolerance: int = 300):
    """The verifier docs/api.md gave integrators before Standard Webhooks, as they copied
    it: what they run today must keep passing."""
    try:
        parts = dict(item.split("=", 1) for item in signature_header.split(","))
        timestamp = int(parts["t"])
        received = parts["v1"]
    except (KeyError, ValueError):
        return False
    if abs(time.time() - timestamp) > tolerance:
        return False
    signed = f"{timestamp}.".encode() + body
    expected = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), received.encode())


def legacy_verifier_of_key(secret, header, body):
    """The old header's verifier for a secret issued since Standard Webhooks: keyed with
    the secret's key bytes, taking the last ``v1=`` (the old secret's, in an overlap)."""
    parts = dict(item.split("=", 1) for item in header.split(","))
    signed = f"{parts['t']}.".encode() + body
    expected = hmac.new(webhook_key(secret), signed, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, parts["v1"])


def standard_headers(secrets_in_force, message_id="dispute-event-1", timestamp=None):
    timestamp = timestamp or int(time.time())
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signatures.standard(secrets_in_force, message_id, timestamp, BODY),
    }


@pytest.mark.django_db
def test_a_delivery_verifies_with_the_standard_webhooks_library(marketplace, buyer):
    with Receiver([200]) as receiver:
        marketplace.webhook_url = receiver.url
        marketplace.save()
        dispute = decided_dispute(buyer)  # rejected: one webhook, no refund to instruct
        run_tasks()
    [(headers, body)] = receiver.requests
    event = Webhook(marketplace.webhook_secret).verify(body, headers)
    assert event["data"]["dispute"]["id"] == dispute.pk
    assert headers["webhook-id"] == event["id"] == WebhookDelivery.objects.get().event_id
    assert re.fullmatch(r"v1,[A-Za-z0-9+/]{43}=", headers["webhook-signature"])
    with pytest.raises(WebhookVerificationError):
        Webhook(marketplace.webhook_secret).verify(body.replace(b"12.99", b"99.99"), headers)


@pytest.mark.django_db
def test_the_legacy_header_is_sent_while_the_setting_is_on(marketplace, buyer, settings):
    with Receiver([200, 200]) as receiver:
        marketplace.webhook_url = receiver.url
        marketplace.save()
        decided_dispute(buyer)
        run_tasks()
        settings.WEBHOOK_LEGACY_SIGNATURE = False
        decided_dispute(buyer)
        run_tasks()
    (with_legacy, _body), (without, body) = receiver.requests
    assert "X-Dispute-Signature" in with_legacy
    assert "X-Dispute-Signature" not in without
    assert Webhook(marketplace.webhook_secret).verify(body, without)


def test_new_secrets_are_whsec_and_base64_of_32_random_bytes():
    client = ApiClient(name="New")
    secret = client.issue_webhook_secret()
    assert secret.startswith("whsec_")
    assert len(base64.b64decode(secret.removeprefix("whsec_"), validate=True)) == 32


def test_a_rotated_secret_signs_beside_the_new_one_until_the_overlap_ends(settings):
    settings.WEBHOOK_SECRET_OVERLAP_HOURS = 24
    client = ApiClient(name="Marketplace")
    old = client.issue_webhook_secret()
    rotated_at = timezone.now()
    new = client.issue_webhook_secret(now=rotated_at)
    end = rotated_at + timedelta(hours=24)

    during = client.signing_secrets(end - timedelta(microseconds=1))
    assert during == [new, old]
    for secret in (old, new):  # the integrator may have switched already, or not yet
        Webhook(secret).verify(BODY, standard_headers(during))
    assert signatures.legacy(during, 1, BODY).count("v1=") == 2

    after = client.signing_secrets(end)
    assert after == [new]
    Webhook(new).verify(BODY, standard_headers(after))
    with pytest.raises(WebhookVerificationError):
        Webhook(old).verify(BODY, standard_headers(after))


def documented_python_verifier():
    """docs/api.md's Python snippet, run as written."""
    docs = (Path(settings.BASE_DIR) / "docs" / "api.md").read_text()
    snippet = re.search(r"```python\n(# verify_webhook.py.*?)```", docs, re.DOTALL).group(1)
    namespace = {}
    exec(snippet, namespace)  # the project's own documentation
    return namespace["verify_webhook"]


def test_the_python_snippet_in_the_docs_verifies_our_signatures():
    verify_webhook = documented_python_verifier()
    secret = ApiClient(name="Docs").issue_webhook_secret()
    headers = standard_headers([secret])
    assert verify_webhook(secret, headers, BODY) == json.loads(BODY)
    assert verify_webhook(secret, headers, BODY + b" ") is None
    stale = standard_headers([secret], timestamp=int(time.time()) - 3600)
    assert verify_webhook(secret, stale, BODY) is None


def migrate(target):
    executor = MigrationExecutor(connection)
    executor.migrate([target])
    return executor.loader.project_state([target]).apps


@pytest.mark.django_db(transaction=True)
def test_a_secret_issued_before_the_standard_still_verifies_after_the_migration():
    """The old secret's characters were the HMAC key; read as base64 they are other bytes.
    After the migration the old header verifies with the secret the integrator holds, and
    the standard ones with ``whsec_`` + base64 of it (docs/api.md)."""
    old_apps = migrate(BEFORE)
    legacy_secret = "whsec_" + secrets.token_urlsafe(32)
    old_apps.get_model("api", "ApiClient").objects.create(
        name="Marketplace",
        token_hash="0" * 64,
        token_hint="dcapi_0000",
        token_issued_at=timezone.now(),
        webhook_secret=legacy_secret,
    )
    migrate(AFTER)

    client = ApiClient.objects.get()
    in_force = client.signing_secrets(timezone.now())
    assert legacy_verifier(legacy_secret, signatures.legacy(in_force, int(time.time()), BODY), BODY)
    standard_secret = "whsec_" + base64.b64encode(legacy_secret.encode()).decode()
    assert client.webhook_secret == standard_secret
    Webhook(standard_secret).verify(BODY, standard_headers(in_force))
    # The old secret as is means other bytes to the library (or none it can decode).
    with pytest.raises((WebhookVerificationError, binascii.Error)):
        Webhook(legacy_secret).verify(BODY, standard_headers(in_force))
    assert client.webhook_types == webhook_types.default()

    # Rotated: the old header's last v1 (what the old verifier reads) is still the old key's
    # for the overlap, while the integrator moves to the library with the new secret.
    new_secret = client.issue_webhook_secret()
    client.save()
    in_force = client.signing_secrets(timezone.now())
    assert legacy_verifier(legacy_secret, signatures.legacy(in_force, int(time.time()), BODY), BODY)
    Webhook(new_secret).verify(BODY, standard_headers(in_force))

    migrate(BEFORE)
    old_client = old_apps.get_model("api", "ApiClient").objects.get()
    assert old_client.webhook_secret == new_secret  # its key is random bytes: kept as held
    migrate(AFTER)


@pytest.mark.django_db
def test_a_delivery_during_a_rotation_verifies_with_the_old_and_the_new_secret(marketplace, buyer):
    old = marketplace.webhook_secret
    new = marketplace.issue_webhook_secret()
    marketplace.save()
    with Receiver([200]) as receiver:
        marketplace.webhook_url = receiver.url
        marketplace.save()
        decided_dispute(buyer)
        run_tasks()
    [(headers, body)] = receiver.requests
    for secret in (old, new):
        Webhook(secret).verify(body, headers)
    assert legacy_verifier_of_key(old, headers["X-Dispute-Signature"], body)
