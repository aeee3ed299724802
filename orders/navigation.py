"""Whether the signed-in person sells: their navigation then leads to the disputes on their
orders too. Kept in the session, so the layout asks the database nothing on every page:
set at sign-in, and again where the seller's section of My account looks it up."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from .models import Seller

SELLS = "sells"


def remember_selling(session, sells: bool) -> None:
    if session.get(SELLS) != sells:
        session[SELLS] = sells


@receiver(user_logged_in)
def remember_selling_at_sign_in(sender, request, user, **kwargs):
    remember_selling(request.session, Seller.objects.filter(user=user).exists())
