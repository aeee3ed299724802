import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .sign_in_links import SignInLink  # noqa: F401 (the app's models are found here)


def validate_time_zone(value):
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("%(value)s is not a known time zone."), params={"value": value})


class User(AbstractUser):
    """A marketplace account: buyers, sellers (through their shop) and mediators (staff)."""

    # The language this person last used the site in: their emails are written in it.
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, blank=True)
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        blank=True,
        validators=[validate_time_zone],
        help_text=_("Dates are shown in this zone. Empty: the browser's zone."),
    )
    # The zone this person's browser last reported when they signed in: their emails' dates
    # are written in it when they chose none above.
    browser_time_zone = models.CharField(
        _("browser's time zone"), max_length=64, blank=True, validators=[validate_time_zone]
    )
    # The marketplace's stable id for this person, when it sends one: a renamed username
    # stays the same account (accounts.provisioning matches on it).
    marketplace_id = models.CharField(
        _("marketplace id"),
        max_length=64,
        blank=True,
        default="",
        help_text=_("The marketplace's id for this account. Empty: matched by username."),
    )

    class Meta(AbstractUser.Meta):
        # Held through the "Mediators" group (accounts/migrations): staff without it may
        # manage other things in the admin but never read evidence or decide a dispute.
        permissions = [("mediate", "Can review evidence and decide disputes")]
        constraints = [
            models.UniqueConstraint(
                fields=["marketplace_id"],
                condition=~Q(marketplace_id=""),
                name="unique_marketplace_id",
            )
        ]
        # The mediators' queue finds a buyer by email: with a million accounts, a scan of
        # them all took 70 ms (docs/benchmark.md, the scale run).
        indexes = [models.Index(fields=["email"], name="user_email_idx")]
