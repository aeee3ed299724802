from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .cards import card_prefetches


class Seller(models.Model):
    """A shop on the marketplace; with an account, it answers the disputes on its orders."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    # None for a seller known only by name: its disputes go straight to the mediators.
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="seller",
        verbose_name=_("account"),
    )
    # Where buyers send an item back when a refund waits for its return: the marketplace
    # sends it with the seller, and the seller may set it in their account.
    return_address = models.TextField(_("return address"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("seller")
        verbose_name_plural = _("sellers")

    def __str__(self):
        return self.name


class OrderStatus(models.TextChoices):
    """Derived from the order's dates, never stored."""

    AWAITING_SHIPMENT = "awaiting_shipment", _("Awaiting shipment")
    IN_TRANSIT = "in_transit", _("In transit")
    RECEIVED = "received", _("Received")


# What an order's card shows (orders/_order_card.html), its status included, and no more.
CARD_FIELDS = (
    "number",
    "item",
    "price",
    "currency",
    "placed_at",
    "shipped_at",
    "received_at",
    "seller__name",
)


class OrderQuerySet(models.QuerySet["Order"]):
    def with_status(self, status):
        match status:
            case OrderStatus.AWAITING_SHIPMENT:
                return self.filter(shipped_at__isnull=True)
            case OrderStatus.IN_TRANSIT:
                return self.filter(shipped_at__isnull=False, received_at__isnull=True)
            case OrderStatus.RECEIVED:
                return self.filter(received_at__isnull=False)
        return self

    def newest_first(self):
        return self.order_by("-placed_at", "-pk")

    def for_cards(self):
        """With all that the orders lists' cards show, in one query per relation."""
        return self.select_related("seller").only(*CARD_FIELDS).prefetch_related(*card_prefetches())


class Order(models.Model):
    """An order as the marketplace's order system knows it: imported, and edited here only
    when its buyer confirms receipt (``orders.receipts``)."""

    number = models.CharField(_("order number"), max_length=32, unique=True)
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="orders",
        verbose_name=_("buyer"),
    )
    seller = models.ForeignKey(
        Seller, on_delete=models.PROTECT, related_name="orders", verbose_name=_("seller")
    )
    item = models.CharField(_("item"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    # Three decimals: as many as a currency has (BHD); each currency's own are checked on
    # import (``orders.importing``).
    price = models.DecimalField(_("price"), max_digits=13, decimal_places=3)
    currency = models.CharField(_("currency"), max_length=3, help_text=_("ISO 4217 code"))
    placed_at = models.DateTimeField(_("placed at"))
    shipped_at = models.DateTimeField(_("shipment confirmed at"), null=True, blank=True)
    # The delivery date the marketplace promised (PRODUCT.md §2a); when it sent none, the
    # disputes app counts some days from the shipment (``DISPUTE_DELIVERY_DEFAULT_DAYS``).
    delivery_by = models.DateTimeField(
        _("delivery promised by"),
        null=True,
        blank=True,
        help_text=_("Empty: some days after shipment (DISPUTE_DELIVERY_DEFAULT_DAYS)."),
    )
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    # Set together when the buyer confirms receipt; from then on ``received_at`` is this
    # time, whatever the marketplace sends later (PRODUCT.md §9).
    receipt_confirmed_at = models.DateTimeField(_("receipt confirmed at"), null=True, blank=True)
    receipt_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="confirmed_receipts",
        verbose_name=_("receipt confirmed by"),
    )

    # When the order's first dispute was opened: from then on its seller, price and
    # currency stay, and its shipment and receipt are not cleared (PRODUCT.md §8). Set by
    # the disputes app, which orders know nothing of.
    terms_fixed_at = models.DateTimeField(_("terms fixed at"), null=True, blank=True)

    objects = OrderQuerySet.as_manager()

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-placed_at", "-pk"]
        indexes = [
            # The buyer's orders list, newest first, with or without a status filter.
            models.Index(fields=["buyer", "-placed_at", "-id"], name="order_buyer_newest_idx"),
            # The mediators' statistics: each seller's orders of the last 90 days.
            models.Index(fields=["seller", "placed_at"], name="order_seller_placed_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(price__gt=0), name="order_price_positive"),
            models.CheckConstraint(
                condition=Q(currency__regex=r"^[A-Z]{3}$"), name="order_currency_iso_code"
            ),
            models.CheckConstraint(
                condition=Q(shipped_at__isnull=True) | Q(shipped_at__gte=models.F("placed_at")),
                name="order_shipped_after_placed",
            ),
            models.CheckConstraint(
                condition=Q(delivery_by__isnull=True) | Q(delivery_by__gte=models.F("placed_at")),
                name="order_delivery_promised_after_placed",
            ),
            models.CheckConstraint(
                condition=Q(received_at__isnull=True)
                | Q(shipped_at__isnull=False, received_at__gte=models.F("shipped_at")),
                name="order_received_after_shipped",
            ),
            models.CheckConstraint(
                condition=Q(receipt_confirmed_at__isnull=True, receipt_confirmed_by__isnull=True)
                | Q(receipt_confirmed_at__isnull=False, receipt_confirmed_by__isnull=False),
                name="order_receipt_confirmed_with_who_and_when",
            ),
            models.CheckConstraint(
                condition=Q(receipt_confirmed_by__isnull=True)
                | Q(receipt_confirmed_by=models.F("buyer")),
                name="order_receipt_confirmed_by_its_buyer",
            ),
            models.CheckConstraint(
                condition=Q(receipt_confirmed_at__isnull=True)
                | Q(received_at__isnull=False, received_at=models.F("receipt_confirmed_at")),
                name="order_confirmed_receipt_is_its_receipt",
            ),
        ]

    def __str__(self):
        return self.number

    @property
    def status(self):
        if self.shipped_at is None:
            return OrderStatus.AWAITING_SHIPMENT
        if self.received_at is None:
            return OrderStatus.IN_TRANSIT
        return OrderStatus.RECEIVED


class AppendOnlyEvent(models.Model):
    """Something that happened, with when and its details: written once, never changed.

    The order's and the dispute's events (``disputes.models.DisputeEvent``) are these;
    each adds what it happened to, its ``kind`` with its choices, and its ``actor``
    (``event_actor``).
    """

    created_at = models.DateTimeField(_("when"), default=timezone.now)
    details = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        abstract = True
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.created_at:%Y-%m-%d %H:%M})"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError(f"{type(self).__name__} rows are append-only.")
        super().save(*args, **kwargs)


def event_actor(related_name):
    """Who did what an event records; None when nobody did (a deadline passed)."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name=related_name,
        verbose_name=_("who"),
    )


class OrderEventKind(models.TextChoices):
    RECEIPT_CONFIRMED = "receipt_confirmed", _("Receipt confirmed by the buyer")
    RECEIPT_REPORTED = "receipt_reported", _("Receipt reported by the marketplace")


class OrderEvent(AppendOnlyEvent):
    """Something that happened to an order in this app, written by ``orders.events``; the
    marketplace is told of these (PRODUCT.md §10)."""

    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, related_name="events", verbose_name=_("order")
    )
    kind = models.CharField(_("what happened"), max_length=32, choices=OrderEventKind)
    actor = event_actor("order_events")

    class Meta(AppendOnlyEvent.Meta):
        verbose_name = _("order event")
        verbose_name_plural = _("order events")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=OrderEventKind.values), name="order_event_known_kind"
            ),
        ]
