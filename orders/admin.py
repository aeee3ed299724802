from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from accounts.admin import MediatorReadOnlyMixin

from .models import Order, OrderStatus, Seller


class StatusFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return OrderStatus.choices

    def queryset(self, request, queryset):
        return queryset.with_status(self.value()) if self.value() else queryset


@admin.register(Seller)
class SellerAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(Order)
class OrderAdmin(MediatorReadOnlyMixin, admin.ModelAdmin):
    """Orders come from the marketplace (``import_orders``): staff look, they do not edit."""

    list_display = ["number", "buyer", "seller", "item", "price", "currency", "placed_at", "status"]
    list_filter = [StatusFilter, "currency", "placed_at"]
    search_fields = ["number", "buyer__username", "buyer__email", "seller__name", "item"]
    list_select_related = ["buyer", "seller"]
    date_hierarchy = "placed_at"
    show_full_result_count = False

    @admin.display(description=_("status"))
    def status(self, order):
        return order.status.label
