"""Who is who: every account can buy, a shop's account also sells, and mediators are the
active staff holding the mediator permission (through the "Mediators" group)."""

from django.contrib.auth.models import AnonymousUser, Group, Permission
from django.db.models import Q, QuerySet

from .models import User

MEDIATORS_GROUP = "Mediators"
MEDIATE_PERMISSION = "accounts.mediate"


def is_mediator(user: User | AnonymousUser) -> bool:
    """Mediators review evidence and decide disputes in the admin."""
    return user.is_active and user.is_staff and user.has_perm(MEDIATE_PERMISSION)


def mediators() -> QuerySet[User]:
    """The accounts ``is_mediator`` accepts, by name: whom a dispute can be assigned to."""
    app_label, codename = MEDIATE_PERMISSION.split(".")
    through_group = Q(
        groups__permissions__codename=codename,
        groups__permissions__content_type__app_label=app_label,
    )
    of_their_own = Q(
        user_permissions__codename=codename,
        user_permissions__content_type__app_label=app_label,
    )
    return (
        User.objects.filter(through_group | of_their_own | Q(is_superuser=True))
        .filter(is_active=True, is_staff=True)
        .distinct()
        .order_by("username")
    )


def mediators_group() -> Group:
    """The group that makes staff mediators: made by the accounts' migrations with the view
    permissions a mediator needs, and made again with the mediator permission if deleted."""
    group, created = Group.objects.get_or_create(name=MEDIATORS_GROUP)
    if created:
        app_label, codename = MEDIATE_PERMISSION.split(".")
        group.permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return group
