"""Who is who: buyers are every account; mediators are the active staff among them."""


def is_mediator(user):
    """Mediators review evidence and decide disputes in the admin."""
    return user.is_active and user.is_staff
