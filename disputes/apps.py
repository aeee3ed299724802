from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DisputesConfig(AppConfig):
    name = "disputes"
    verbose_name = _("Disputes")

    def ready(self):
        from orders.cards import prefetch_for_cards

        from . import notifications  # noqa: F401 (emails listen to dispute events)
        from .templatetags.dispute_badge import CARD_DISPUTES

        # The badge on each order's card ({% dispute_badge %}) reads the order's disputes.
        prefetch_for_cards(CARD_DISPUTES)
