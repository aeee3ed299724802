"""Who is who: every account can buy, a shop's account also sells, and mediators are the
active staff among them."""

from django.contrib.auth.models import AnonymousUser

from .models import User


def is_mediator(user: User | AnonymousUser) -> bool:
    """Mediators review evidence and decide disputes in the admin."""
    return user.is_active and user.is_staff
