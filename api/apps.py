from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = _("Marketplace API")

    def ready(self):
        from . import (
            schema,  # noqa: F401 (registers the token scheme with drf-spectacular)
            signals,  # noqa: F401 (queues the webhooks of order and dispute events)
        )
