"""``Idempotency-Key``: a client that retries a write (after a timeout, say) gets the first
answer again and nothing is written twice.

The key is claimed by inserting it in the transaction of the write itself: a retry that
arrives while the first request still runs waits for it (the unique constraint), then
replays its answer. Only a successful answer is kept: a refused request wrote nothing, so
trying it again is harmless and gets the same refusal.
"""

import functools
import hashlib
import json
import re
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework.response import Response

from .errors import IdempotencyKeyReused, InvalidRequest
from .models import IdempotentRequest

HEADER = "Idempotency-Key"
KEPT_FOR = timedelta(hours=24)
VALID_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")  # printable ASCII, no spaces


def _fingerprint(request, data):
    body = json.dumps(data, sort_keys=True, default=str, ensure_ascii=True)
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


def idempotent(view_method):
    """Wrap a write view's method: with the header, one answer per key; without, as is."""

    @functools.wraps(view_method)
    def wrapper(view, request, *args, **kwargs):
        key = request.headers.get(HEADER)
        if key is None:
            return view_method(view, request, *args, **kwargs)
        if not VALID_KEY.match(key):
            raise InvalidRequest(
                f"{HEADER} must be 1 to 255 printable ASCII characters without spaces.",
                problems=[{"field": HEADER, "message": "is not a valid key"}],
            )
        fingerprint = _fingerprint(request, request.data)  # parses: bad JSON is a 400 here
        client = request.user
        with transaction.atomic():
            IdempotentRequest.objects.filter(
                client=client, created_at__lt=timezone.now() - KEPT_FOR
            ).delete()
            try:
                with transaction.atomic():
                    claim = IdempotentRequest.objects.create(
                        client=client, key=key, fingerprint=fingerprint
                    )
            except IntegrityError:
                return _replay(client, key, fingerprint)
            response = view_method(view, request, *args, **kwargs)
            if not 200 <= response.status_code < 300:
                transaction.set_rollback(True)
                return response
            claim.status_code, claim.response = response.status_code, response.data
            claim.save(update_fields=["status_code", "response"])
            return response

    return wrapper


def _replay(client, key, fingerprint):
    earlier = IdempotentRequest.objects.get(client=client, key=key)
    if earlier.fingerprint != fingerprint:
        raise IdempotencyKeyReused()
    return Response(
        earlier.response, status=earlier.status_code, headers={"Idempotent-Replayed": "true"}
    )
