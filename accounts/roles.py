"""Who is who: every account can buy, a shop's account also sells, and mediators are the
active staff holding the mediator permission (through the "Mediators" group)."""

from django.contrib.auth.models import AnonymousUser, Group

from .models import User

MEDIATORS_GROUP = "Mediators"
MEDIATE_PERMISSION = "accounts.mediate"


def is_mediator(user: User | AnonymousUser) -> bool:
    """Mediators review evidence and decide disputes in the admin."""
    return user.is_active and user.is_staff and user.has_perm(MEDIATE_PERMISSION)


def mediators_group() -> Group:
    """The group that makes staff mediators, created by the accounts' migrations."""
    return Group.objects.get(name=MEDIATORS_GROUP)
