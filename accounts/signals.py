"""Remember the language a person signs in with: emails to them are written in it."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils.translation import get_language


@receiver(user_logged_in)
def remember_language(sender, request, user, **kwargs):
    language = getattr(request, "LANGUAGE_CODE", None) or get_language()
    if language and user.language != language:
        type(user).objects.filter(pk=user.pk).update(language=language)
        user.language = language
