from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.roles import is_mediator
from orders.models import Order

from .evidence.storage import evidence_storage


class DisputeReason(models.TextChoices):
    NOT_AS_DESCRIBED = "not_as_described", _("Item not as described")
    DEFECTIVE = "defective", _("Item defective or damaged")
    WRONG_ITEM = "wrong_item", _("Wrong item")
    MISSING_PARTS = "missing_parts", _("Missing parts or quantity")
    COUNTERFEIT = "counterfeit", _("Counterfeit item")
    OTHER = "other", _("Other")


class RefundRequest(models.TextChoices):
    FULL = "full", _("Full refund")
    PARTIAL = "partial", _("Partial refund")


class Outcome(models.TextChoices):
    FULL_REFUND = "full_refund", _("Full refund")
    PARTIAL_REFUND = "partial_refund", _("Partial refund")
    REJECTED = "rejected", _("Rejected, in the seller's favour")


class DisputeStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CANCELLED = "cancelled", _("Cancelled")
    DECIDED = "decided", _("Decided")


class DisputeQuerySet(models.QuerySet):
    def of_buyer(self, buyer):
        return self.filter(order__buyer=buyer)


class Dispute(models.Model):
    """A buyer's claim about one order. Changed only through ``disputes.actions``."""

    order = models.ForeignKey(
        Order, on_delete=models.PROTECT, related_name="disputes", verbose_name=_("order")
    )
    status = models.CharField(
        _("status"), max_length=16, choices=DisputeStatus, default=DisputeStatus.OPEN
    )
    reason = models.CharField(_("what is wrong"), max_length=32, choices=DisputeReason)
    refund_request = models.CharField(_("request"), max_length=16, choices=RefundRequest)
    requested_amount = models.DecimalField(
        _("requested amount"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    description = models.TextField(_("description"))
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    # Emails about the dispute are written in the language the buyer used to open it.
    language = models.CharField(
        _("buyer's language"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    # NULL, not "", for "not decided yet": the constraints pair it with decided_at.
    outcome = models.CharField(  # noqa: DJ001
        _("decision"), max_length=16, choices=Outcome, null=True, blank=True
    )
    refund_amount = models.DecimalField(
        _("refund granted"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    decision_note = models.TextField(_("note to the buyer"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decided_disputes",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    objects = DisputeQuerySet.as_manager()

    class Meta:
        verbose_name = _("dispute")
        verbose_name_plural = _("disputes")
        ordering = ["-opened_at", "-pk"]
        indexes = [
            # The mediators' queue (admin): one status, oldest first (the admin adds -pk).
            models.Index(fields=["status", "opened_at", "-id"], name="dispute_queue_idx"),
        ]
        constraints = [
            # Two tabs submitting at once still make one open dispute.
            models.UniqueConstraint(
                fields=["order"],
                condition=Q(status="open"),
                name="one_open_dispute_per_order",
                violation_error_message=_("A dispute is already open for this order."),
            ),
            models.CheckConstraint(
                condition=Q(refund_request="full", requested_amount__isnull=True)
                | Q(refund_request="partial", requested_amount__gt=0),
                name="dispute_partial_request_has_amount",
            ),
            models.CheckConstraint(
                condition=Q(status__in=DisputeStatus.values)
                & Q(reason__in=DisputeReason.values)
                & Q(refund_request__in=RefundRequest.values)
                & (Q(outcome__isnull=True) | Q(outcome__in=Outcome.values)),
                name="dispute_known_choices",
            ),
            models.CheckConstraint(
                condition=(
                    Q(status="decided", outcome__isnull=False, decided_at__isnull=False)
                    & Q(decided_by__isnull=False)
                    & ~Q(decision_note="")
                )
                | (~Q(status="decided") & Q(outcome__isnull=True, decided_at__isnull=True)),
                name="dispute_decided_iff_outcome",
            ),
            models.CheckConstraint(
                condition=Q(outcome="partial_refund", refund_amount__gt=0)
                | (~Q(outcome="partial_refund") & Q(refund_amount__isnull=True)),
                name="dispute_partial_outcome_has_amount",
            ),
            models.CheckConstraint(
                condition=Q(status="cancelled", cancelled_at__isnull=False)
                | ~Q(status="cancelled"),
                name="dispute_cancelled_has_time",
            ),
        ]

    def __str__(self):
        return _("Dispute on order %(number)s") % {"number": self.order.number}

    def get_absolute_url(self):
        return reverse("disputes:detail", args=[self.pk])

    @property
    def is_open(self):
        return self.status == DisputeStatus.OPEN

    @property
    def is_against_buyer(self):
        """Decided with less than the buyer asked for: the appeal path applies."""
        if self.outcome == Outcome.REJECTED:
            return True
        if self.outcome == Outcome.PARTIAL_REFUND:
            asked = self.requested_amount or self.order.price
            return self.refund_amount < asked
        return False


class EventKind(models.TextChoices):
    OPENED = "opened", _("Dispute opened")
    CANCELLED = "cancelled", _("Dispute cancelled")
    REOPENED = "reopened", _("Dispute reopened")
    EVIDENCE_ADDED = "evidence_added", _("Evidence added")
    DECIDED = "decided", _("Decision made")
    APPEAL_SENT = "appeal_sent", _("Appeal sent to customer service")
    APPEAL_ANSWERED = "appeal_answered", _("Customer service answered the appeal")


class DisputeEvent(models.Model):
    """One line of a dispute's timeline: append-only, written by ``disputes.actions``."""

    dispute = models.ForeignKey(
        Dispute, on_delete=models.CASCADE, related_name="events", verbose_name=_("dispute")
    )
    kind = models.CharField(_("what happened"), max_length=32, choices=EventKind)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="dispute_events",
        verbose_name=_("who"),
    )
    created_at = models.DateTimeField(_("when"), default=timezone.now)
    details = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("dispute event")
        verbose_name_plural = _("dispute events")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.created_at:%Y-%m-%d %H:%M})"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Dispute events are append-only.")
        super().save(*args, **kwargs)


class Appeal(models.Model):
    """The buyer's last resort after a decision against them: one per decided dispute."""

    dispute = models.OneToOneField(
        Dispute, on_delete=models.PROTECT, related_name="appeal", verbose_name=_("dispute")
    )
    message = models.TextField(_("message"))
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="answered_appeals",
        verbose_name=_("answered by"),
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        ordering = ["-sent_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(answered_at__isnull=True, answered_by__isnull=True, answer="")
                | (Q(answered_at__isnull=False, answered_by__isnull=False) & ~Q(answer="")),
                name="appeal_answer_complete",
            ),
        ]

    def __str__(self):
        return _("Appeal on order %(number)s") % {"number": self.dispute.order.number}

    @property
    def is_answered(self):
        return self.answered_at is not None


class EvidenceKind(models.TextChoices):
    PHOTO = "photo", _("Photo")
    VIDEO = "video", _("Video")


class EvidenceQuerySet(models.QuerySet):
    # A draft is evidence not yet attached to anything it was uploaded for.
    def drafts(self, *, buyer=None, order=None, key=None):
        """Draft evidence, of one buyer, order or draft key when given."""
        drafts = self.filter(dispute__isnull=True, appeal__isnull=True)
        if key is not None:
            drafts = drafts.filter(draft_key=key) if key else drafts.none()
        if buyer is not None:
            drafts = drafts.filter(uploaded_by=buyer)
        if order is not None:
            drafts = drafts.filter(order=order)
        return drafts

    def visible_to(self, user):
        """The evidence ``user`` may fetch: their own uploads, or everything for mediators."""
        return self if is_mediator(user) else self.filter(uploaded_by=user)


class Evidence(models.Model):
    """A photo or video a buyer uploaded, kept privately with derivatives for display.

    Uploaded as it is chosen in the wizard, it first belongs to a draft (``draft_key``)
    and is attached to the dispute or appeal when the buyer submits.
    """

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="evidence",
        verbose_name=_("uploaded by"),
    )
    order = models.ForeignKey(
        Order, on_delete=models.PROTECT, related_name="evidence", verbose_name=_("order")
    )
    dispute = models.ForeignKey(
        Dispute,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="evidence",
        verbose_name=_("dispute"),
    )
    appeal = models.ForeignKey(
        Appeal,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="evidence",
        verbose_name=_("appeal"),
    )
    draft_key = models.CharField(_("draft"), max_length=64, blank=True, db_index=True)
    kind = models.CharField(_("kind"), max_length=8, choices=EvidenceKind)
    original_name = models.CharField(_("file name"), max_length=255)
    original = models.FileField(_("original"), storage=evidence_storage, max_length=255)
    display = models.FileField(
        _("display copy"), storage=evidence_storage, max_length=255, blank=True
    )
    thumbnail = models.FileField(
        _("thumbnail"), storage=evidence_storage, max_length=255, blank=True
    )
    mime = models.CharField(_("detected type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    width = models.PositiveIntegerField(_("width"), null=True, blank=True)
    height = models.PositiveIntegerField(_("height"), null=True, blank=True)
    duration_seconds = models.FloatField(_("duration (s)"), null=True, blank=True)
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["uploaded_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(draft_key="") | Q(dispute__isnull=False) | Q(appeal__isnull=False),
                name="evidence_belongs_somewhere",
            ),
            models.CheckConstraint(
                condition=Q(dispute__isnull=True) | Q(appeal__isnull=True),
                name="evidence_of_a_dispute_or_an_appeal",
            ),
        ]

    def __str__(self):
        return self.original_name

    @property
    def is_draft(self):
        """Not attached to a dispute or an appeal yet: its uploader may still remove it."""
        return self.dispute_id is None and self.appeal_id is None

    @property
    def file_names(self):
        """The storage names of its original and derivatives."""
        return [file.name for file in (self.original, self.display, self.thumbnail) if file]
