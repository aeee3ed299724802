from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    default = True
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from . import signals  # noqa: F401 (connects the receivers)


class AdminConfig(admin_apps.AdminConfig):
    """Django's admin, on the site that asks staff for a second factor."""

    default = False

    default_site = "accounts.admin_site.StaffAdminSite"
