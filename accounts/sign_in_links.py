"""One-time sign-in links (PRODUCT.md §11): the marketplace's hand-off, and the link in
every email.

A link is a random secret; the database keeps only its SHA-256, with the account, the page
it opens, its kind, when it expires and when it was used. Weighed against django-sesame
(signed tokens, nothing stored): sesame makes a token one-time by tying it to
``last_login``, so any sign-in (a hand-off) would spend every email link of the account,
two redemptions at once can both pass, and a refused token says only "invalid". A row per
link gives each kind its own lifetime, one use decided by one conditional UPDATE in the
database every app server shares, and tells a used link from an expired or altered one.
"""

import hashlib
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.cache import cache
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

if TYPE_CHECKING:
    from .models import User

MAX_NEXT_LENGTH = 2000


class LinkKind(models.TextChoices):
    HANDOFF = "handoff"
    EMAIL = "email"


class LinkProblem(models.TextChoices):
    """Why a link signs nobody in; its page says which."""

    USED = "used"
    EXPIRED = "expired"
    INVALID = "invalid"  # altered, cut short, or never made
    REFUSED = "refused"  # the account became staff or inactive since


class AccountRefusal(models.TextChoices):
    """Why an account gets no link."""

    STAFF = "staff_account"
    INACTIVE = "inactive_account"


class SignInLink(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sign_in_links"
    )
    kind = models.CharField(max_length=8, choices=LinkKind.choices)
    # SHA-256 of the secret in the link: a copy of the database opens nobody's account.
    digest = models.CharField(max_length=64, unique=True)
    next_path = models.CharField(max_length=MAX_NEXT_LENGTH)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["expires_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("created_at")),
                name="sign_in_link_expires_after_creation",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} link for {self.user_id}"


@dataclass(frozen=True)
class Redemption:
    """What opening a link gave: the account and page, or the problem (and the link found,
    if any: a used or expired one still names its account)."""

    link: SignInLink | None
    problem: LinkProblem | None = None

    @property
    def user(self) -> "User | None":
        return self.link.user if self.link is not None and self.problem is None else None


def refusal(user: "User") -> AccountRefusal | None:
    """Why ``user`` may not have a link, or None. Staff sign in with a password only."""
    if user.is_staff:
        return AccountRefusal.STAFF
    if not user.is_active:
        return AccountRefusal.INACTIVE
    return None


def is_safe_next(path: object) -> bool:
    """Whether ``path`` is a page of this site: one leading "/", no scheme or host, no
    control characters (which browsers drop, turning "/\\t/host" into "//host")."""
    if not isinstance(path, str) or not 1 <= len(path) <= MAX_NEXT_LENGTH:
        return False
    if not path.startswith("/") or path.startswith(("//", "/\\")):
        return False
    if any(unicodedata.category(char)[0] == "C" or char.isspace() for char in path):
        return False
    return url_has_allowed_host_and_scheme(path, allowed_hosts=None)


def lifetime(kind: LinkKind) -> timedelta:
    if kind == LinkKind.HANDOFF:
        return timedelta(seconds=settings.SIGN_IN_LINK_MAX_AGE_SECONDS)
    return timedelta(hours=settings.EMAIL_SIGN_IN_LINK_HOURS)


def digest_of(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def create_link(
    *, user: "User", kind: LinkKind, next_path: str, now: datetime | None = None
) -> tuple[str, SignInLink]:
    """A new link's secret (shown once, never stored) and its row. The caller has checked
    ``refusal`` and ``is_safe_next``; both are asserted again here."""
    if refusal(user) is not None or not is_safe_next(next_path):
        raise ValueError("no sign-in link for this account or page")
    now = now or timezone.now()
    token = secrets.token_urlsafe(32)
    link = SignInLink.objects.create(
        user=user,
        kind=kind,
        digest=digest_of(token),
        next_path=next_path,
        created_at=now,
        expires_at=now + lifetime(kind),
    )
    return token, link


def url_of(token: str, kind: LinkKind) -> str:
    """The absolute address of a link, as the marketplace or an email gives it."""
    name = "sign_in_handoff" if kind == LinkKind.HANDOFF else "continue_as"
    return settings.SITE_URL + reverse(name, args=[token])


def email_link_url(user: "User", path: str) -> str:
    """The address an email gives for ``path``: a link signing its recipient in, or the
    bare page for an account that gets no links (staff, inactive)."""
    if refusal(user) is not None:
        return settings.SITE_URL + path
    token, _link = create_link(user=user, kind=LinkKind.EMAIL, next_path=path)
    return url_of(token, LinkKind.EMAIL)


def inspect(token: str, *, kind: LinkKind, now: datetime | None = None) -> Redemption:
    """What ``token`` would give, without using it (the page before the button)."""
    link = (
        SignInLink.objects.select_related("user").filter(digest=digest_of(token), kind=kind).first()
    )
    return Redemption(link, _problem(link, now or timezone.now()))


def redeem(token: str, *, kind: LinkKind, now: datetime | None = None) -> Redemption:
    """Use the link: the first of any number of concurrent redemptions wins, the others
    find it used."""
    now = now or timezone.now()
    found = inspect(token, kind=kind, now=now)
    if found.problem is not None:
        return found
    assert found.link is not None
    won = SignInLink.objects.filter(
        pk=found.link.pk, used_at__isnull=True, expires_at__gt=now
    ).update(used_at=now)
    if not won:
        found.link.refresh_from_db(fields=["used_at"])
        return Redemption(found.link, _problem(found.link, now))
    found.link.used_at = now
    return found


def _problem(link: SignInLink | None, now: datetime) -> LinkProblem | None:
    if link is None:
        return LinkProblem.INVALID
    if link.used_at is not None:
        return LinkProblem.USED
    if now >= link.expires_at:
        return LinkProblem.EXPIRED
    if refusal(link.user) is not None:
        return LinkProblem.REFUSED
    return None


def may_email_link(*, address: str, client: str | None) -> bool:
    """Count a request for an emailed link against its address and its client; whether
    both are still under their hourly limit. The counts live in the shared cache."""
    allowed = True
    for key, limit in (
        (
            f"sign-in-link:address:{digest_of(address.strip().lower())}",
            settings.EMAIL_SIGN_IN_LINKS_PER_ADDRESS,
        ),
        (f"sign-in-link:client:{client or 'unknown'}", settings.EMAIL_SIGN_IN_LINKS_PER_CLIENT),
    ):
        cache.add(key, 0, timeout=3600)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr: a new hour
            cache.add(key, 1, timeout=3600)
            count = 1
        allowed = allowed and count <= limit
    return allowed


# A spent link is kept this long, so that its page can still say "used" or "expired"
# rather than "not a link of this site" to someone who opens an old email.
KEEP_SPENT_LINKS = timedelta(days=30)


def delete_spent_links(*, now: datetime | None = None) -> int:
    """Delete the links that expired more than ``KEEP_SPENT_LINKS`` ago; how many went."""
    now = now or timezone.now()
    deleted, _ = SignInLink.objects.filter(expires_at__lt=now - KEEP_SPENT_LINKS).delete()
    return deleted
