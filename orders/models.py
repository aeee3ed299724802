from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


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


class OrderQuerySet(models.QuerySet):
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


class Order(models.Model):
    """An order as the marketplace's order system knows it (imported, never edited here)."""

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
    price = models.DecimalField(_("price"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, help_text=_("ISO 4217 code"))
    placed_at = models.DateTimeField(_("placed at"))
    shipped_at = models.DateTimeField(_("shipment confirmed at"), null=True, blank=True)
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)

    objects = OrderQuerySet.as_manager()

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-placed_at", "-pk"]
        indexes = [
            # The buyer's orders list, newest first, with or without a status filter.
            models.Index(fields=["buyer", "-placed_at", "-id"], name="order_buyer_newest_idx"),
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
                condition=Q(received_at__isnull=True)
                | Q(shipped_at__isnull=False, received_at__gte=models.F("shipped_at")),
                name="order_received_after_shipped",
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
