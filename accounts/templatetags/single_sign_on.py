"""``{% single_sign_on_button %}``: the login page's way in through the provider, when one
is configured (accounts/oidc.py)."""

from django import template
from django.conf import settings

from accounts import oidc

register = template.Library()


@register.inclusion_tag("accounts/_single_sign_on.html")
def single_sign_on_button(next_path: str = "") -> dict[str, object]:
    return {
        "enabled": oidc.enabled(),
        "provider_name": settings.OIDC_PROVIDER_NAME,
        "next": next_path,
    }
