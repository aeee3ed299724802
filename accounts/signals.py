"""Remember the language and the browser's time zone a person signs in with: emails to
them are written in that language, with dates in that zone."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils.translation import get_language

from .middleware import browser_time_zone


@receiver(user_logged_in)
def remember_language(sender, request, user, **kwargs):
    language = getattr(request, "LANGUAGE_CODE", None) or get_language()
    if language and user.language != language:
        type(user).objects.filter(pk=user.pk).update(language=language)
        user.language = language


@receiver(user_logged_in)
def remember_time_zone(sender, request, user, **kwargs):
    zone = browser_time_zone(request)
    if zone and user.browser_time_zone != zone:
        type(user).objects.filter(pk=user.pk).update(browser_time_zone=zone)
        user.browser_time_zone = zone
