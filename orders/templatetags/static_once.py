"""``{% static_once 'css/app.css' %}``: ``{% static %}``, resolved once per path and process.

``{% static %}`` asks the static files storage on every request; with the manifest storage
of production that is a lookup in the manifest and a URL built from the hashed name, for
the same answer each time: the manifest does not change while the process runs. The URL
is kept for each path until a setting that decides it changes (tests override them).
For the templates' own paths, a few dozen: not for paths that come from data.
"""

import functools

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.templatetags.static import static

register = template.Library()

# The settings a static file's URL depends on: Django resets its static files storage
# when the first three change (django.test.signals), its manifest answers differently
# with DEBUG, and {% static %} asks the storage only while staticfiles is installed.
URL_SETTINGS = {"STORAGES", "STATIC_ROOT", "STATIC_URL", "DEBUG", "INSTALLED_APPS"}


@functools.cache
def static_url(path):
    return static(path)


@register.simple_tag
def static_once(path):
    return static_url(path)


@receiver(setting_changed)
def forget_static_urls(*, setting, **kwargs):
    if setting in URL_SETTINGS:
        static_url.cache_clear()
