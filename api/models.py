"""The marketplace's API clients, the requests they made idempotent, and the webhooks sent
to them with every attempt (PRODUCT.md §10)."""

import base64
import hashlib
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import webhook_types
from .webhook_urls import validate_webhook_url

TOKEN_PREFIX = "dcapi_"
SECRET_PREFIX = "whsec_"


def hash_token(token: str) -> str:
    """Tokens are 256 random bits: one SHA-256 is enough to store them safely (a slow
    password hash protects guessable secrets, which these are not)."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_webhook_secret() -> str:
    """A Standard Webhooks secret: ``whsec_`` and the base64 of 32 random bytes, the key."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def webhook_key(secret: str) -> bytes:
    """The HMAC key of a ``whsec_`` secret, as every Standard Webhooks library reads it."""
    return base64.b64decode(secret.removeprefix(SECRET_PREFIX))


class ApiClientQuerySet(models.QuerySet):
    def receiving_webhooks(self) -> "ApiClientQuerySet":
        return self.filter(revoked_at__isnull=True).exclude(webhook_url="")


class ApiClient(models.Model):
    """One of the marketplace's systems: a token to call the API, a URL and a secret for
    the webhooks. Staff create, rotate and revoke them in the admin; the token and the
    secret are shown once, and only the token's hash is kept."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    webhook_url = models.URLField(
        _("webhook URL"),
        max_length=500,
        blank=True,
        help_text=_("Events are POSTed here, signed. Empty: this client gets no webhooks."),
        validators=[validate_webhook_url],
    )
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True, editable=False)
    token_hint = models.CharField(
        _("token begins with"), max_length=16, editable=False, help_text=_("To tell tokens apart.")
    )
    token_issued_at = models.DateTimeField(_("token issued at"), editable=False)
    # The token replaced by the last rotation keeps working until then (unless revoked), so
    # the marketplace can deploy the new one without a moment refused.
    previous_token_hash = models.CharField(max_length=64, blank=True, editable=False)
    previous_token_valid_until = models.DateTimeField(
        _("old token works until"), null=True, blank=True, editable=False
    )
    # Kept as is: signing needs it. Shown once, like the token.
    webhook_secret = models.CharField(_("webhook secret"), max_length=100, editable=False)
    # The secret replaced by the last rotation also signs until then.
    previous_webhook_secret = models.CharField(max_length=100, blank=True, editable=False)
    previous_webhook_secret_valid_until = models.DateTimeField(
        null=True, blank=True, editable=False
    )
    webhook_types = models.JSONField(
        _("webhook events"),
        default=webhook_types.default,
        blank=True,
        help_text=_("The events POSTed to the webhook URL."),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)

    objects = ApiClientQuerySet.as_manager()

    class Meta:
        verbose_name = _("API client")
        verbose_name_plural = _("API clients")
        ordering = ["name"]
        indexes = [models.Index(fields=["previous_token_hash"], name="client_previous_token_idx")]

    def __str__(self):
        return self.name

    @property
    def is_revoked(self):
        return self.revoked_at is not None

    # DRF and Django read these on whoever made the request.
    is_authenticated = True
    is_anonymous = False

    def issue_token(self, *, now: datetime | None = None, overlap: bool = True) -> str:
        """A new token, returned once; the one it replaces keeps working for
        ``API_TOKEN_OVERLAP_HOURS`` (with ``overlap``) or stops at once."""
        now = now or timezone.now()
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        self.previous_token_hash, self.previous_token_valid_until = "", None
        if self.token_hash and overlap:
            self.previous_token_hash = self.token_hash
            self.previous_token_valid_until = now + timedelta(
                hours=settings.API_TOKEN_OVERLAP_HOURS
            )
        self.token_hash = hash_token(token)
        self.token_hint = token[: len(TOKEN_PREFIX) + 4]
        self.token_issued_at = now
        return token

    def issue_webhook_secret(self, *, now: datetime | None = None) -> str:
        """A new secret, returned once; the one it replaces signs too for
        ``WEBHOOK_SECRET_OVERLAP_HOURS``."""
        now = now or timezone.now()
        if self.webhook_secret:
            self.previous_webhook_secret = self.webhook_secret
            self.previous_webhook_secret_valid_until = now + timedelta(
                hours=settings.WEBHOOK_SECRET_OVERLAP_HOURS
            )
        self.webhook_secret = new_webhook_secret()
        return self.webhook_secret

    def signing_secrets(self, now: datetime) -> list[str]:
        """The secrets a delivery sent at ``now`` is signed with: the current one, and the
        one it replaced while their overlap lasts."""
        valid_until = self.previous_webhook_secret_valid_until
        if self.previous_webhook_secret and valid_until and now < valid_until:
            return [self.webhook_secret, self.previous_webhook_secret]
        return [self.webhook_secret]

    def receives(self, webhook_type: str) -> bool:
        return webhook_type in self.webhook_types

    @classmethod
    def create(cls, name, webhook_url=""):
        """A new client and its token (for tests and scripts; the admin does the same)."""
        client = cls(name=name, webhook_url=webhook_url)
        token = client.issue_token()
        client.issue_webhook_secret()
        client.save()
        return client, token

    @classmethod
    def for_token(cls, token: str, *, now: datetime | None = None):
        """The client whose token this is, revoked or not — its current token, or the one
        it replaced while their overlap lasts; None for an unknown or expired token."""
        hashed = hash_token(token)
        current_or_overlapping = Q(token_hash=hashed) | Q(
            previous_token_hash=hashed, previous_token_valid_until__gt=now or timezone.now()
        )
        return cls.objects.filter(current_or_overlapping).first()


class IdempotentRequest(models.Model):
    """A write sent with an ``Idempotency-Key``: its answer, replayed to a retry."""

    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    # What was asked (method, path and body, hashed): the same key with another request
    # is refused rather than answered with the first one's result.
    fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True)
    response = models.JSONField(null=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "key"], name="idempotency_key_per_client")
        ]
        indexes = [models.Index(fields=["created_at"], name="idempotency_created_idx")]

    def __str__(self):
        return self.key


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Gave up")


class WebhookDelivery(models.Model):
    """One event for one client: the exact body, signed anew at each attempt."""

    client = models.ForeignKey(
        ApiClient, on_delete=models.PROTECT, related_name="deliveries", verbose_name=_("client")
    )
    event_id = models.CharField(_("event id"), max_length=100)
    kind = models.CharField(_("event type"), max_length=64)
    body = models.TextField(_("body"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    status = models.CharField(
        _("status"), max_length=16, choices=DeliveryStatus, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    # Retries go on for WEBHOOK_RETRY_FOR from here: the first attempt, or "send again".
    retrying_since = models.DateTimeField(_("retrying since"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(_("last answer"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["client", "event_id"], name="one_delivery_per_event"),
            models.CheckConstraint(
                condition=Q(status="delivered", delivered_at__isnull=False)
                | (~Q(status="delivered") & Q(delivered_at__isnull=True)),
                name="delivery_delivered_has_time",
            ),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="delivery_queue_idx")]

    def __str__(self):
        return f"{self.kind} {self.event_id} → {self.client}"


class WebhookAttempt(models.Model):
    """One POST of a delivery: when, how long, and the status the client's server answered
    (never its body: whatever answered at that address is not ours to show)."""

    delivery = models.ForeignKey(
        WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log"
    )
    number = models.PositiveIntegerField(_("attempt"))
    attempted_at = models.DateTimeField(_("at"))
    duration_ms = models.PositiveIntegerField(_("took (ms)"))
    status_code = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("attempt")
        verbose_name_plural = _("attempts")
        ordering = ["number"]

    def __str__(self):
        return f"#{self.number} {self.status_code or self.error}"

    @property
    def succeeded(self):
        return self.status_code is not None and 200 <= self.status_code < 300
