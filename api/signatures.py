"""How a webhook is signed (docs/api.md): Standard Webhooks, which integrators verify with
the ``standardwebhooks`` library of their language, and, for one deprecation period, the
dispute centre's own header that came before it.

- ``webhook-signature: v1,<base64 HMAC-SHA256 of "<webhook-id>.<webhook-timestamp>.<body>">``,
  one space-separated ``v1,`` entry per secret in force (two while a rotation overlaps);
- ``X-Dispute-Signature: t=<timestamp>,v1=<hex HMAC-SHA256 of "<t>.<body>">``, one ``v1=``
  per secret in force.

Both are keyed with the secret's key bytes (``models.webhook_key``): a secret issued
before Standard Webhooks was migrated to the ``whsec_`` secret whose key is that old
secret's bytes, so both headers still verify with what each integrator holds.
"""

import base64
import hashlib
import hmac

from .models import webhook_key


def _hmac(secret: str, message: bytes) -> hmac.HMAC:
    return hmac.new(webhook_key(secret), message, hashlib.sha256)


def standard(secrets: list[str], message_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` header."""
    signed = f"{message_id}.{timestamp}.".encode() + body
    return " ".join(
        "v1," + base64.b64encode(_hmac(secret, signed).digest()).decode() for secret in secrets
    )


def legacy(secrets: list[str], timestamp: int, body: bytes) -> str:
    """The ``X-Dispute-Signature`` header (deprecated: ``WEBHOOK_LEGACY_SIGNATURE``)."""
    signed = f"{timestamp}.".encode() + body
    return ",".join(
        [f"t={timestamp}", *(f"v1={_hmac(secret, signed).hexdigest()}" for secret in secrets)]
    )
