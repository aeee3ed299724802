"""Background work of sign-in: emailing a link someone asked for, from the worker (never
inside the request that asked)."""

from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.tasks import task
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .middleware import time_zone_of
from .sign_in_links import LinkKind, create_link, refusal, url_of


@task
def email_sign_in_link(user_id: int, next_path: str, language: str) -> bool:
    """Make a link for the account and email it, in ``language``; whether one was sent (an
    account that became staff or inactive meanwhile gets none)."""
    user = get_user_model().objects.get(pk=user_id)
    if refusal(user) is not None or not user.email:
        return False
    token, link = create_link(user=user, kind=LinkKind.EMAIL, next_path=next_path)
    context = {"recipient": user, "url": url_of(token, LinkKind.EMAIL), "link": link}
    with translation.override(language), timezone.override(time_zone_of(user)):
        subject = render_to_string("accounts/email/sign_in_link_subject.txt", context)
        body = render_to_string("accounts/email/sign_in_link.txt", context)
    send_mail(" ".join(subject.split()), body, None, [user.email])
    return True
