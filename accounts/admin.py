from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import User
from .roles import is_mediator


class MediatorReadOnlyMixin:
    """Mediators see what buyers and the marketplace submitted; nobody edits it in a form."""

    def has_module_permission(self, request):
        return is_mediator(request.user)

    def has_view_permission(self, request, obj=None):
        return is_mediator(request.user)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (*BaseUserAdmin.fieldsets, (None, {"fields": ("marketplace_id", "time_zone")}))
    list_display = (*BaseUserAdmin.list_display, "marketplace_id")
    search_fields = (*BaseUserAdmin.search_fields, "=marketplace_id")
