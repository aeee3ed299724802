"""Reading the sign-in links that emails and the API give, without using them."""

import re

from django.conf import settings

from accounts.sign_in_links import LinkKind, SignInLink, digest_of

EMAIL_LINK = re.compile(re.escape(settings.SITE_URL) + r"/accounts/continue/([\w-]+)/")


def email_links_in(body: str) -> list[str]:
    """The tokens of the sign-in links in an email's body."""
    return EMAIL_LINK.findall(body)


def link_of(token: str, kind: LinkKind = LinkKind.EMAIL) -> SignInLink:
    return SignInLink.objects.select_related("user").get(digest=digest_of(token), kind=kind)
