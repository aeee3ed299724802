"""Evidence limits and sizes as the evidence panel states them, read from the settings."""

import math

from django import template
from django.conf import settings
from django.utils.formats import number_format
from django.utils.translation import ngettext

register = template.Library()


@register.simple_tag
def evidence_limits():
    """The limits of PRODUCT.md §6 in the buyer's words: megabytes, duration, file count."""
    seconds = settings.EVIDENCE_VIDEO_MAX_SECONDS
    if seconds % 60 == 0:
        minutes = seconds // 60
        duration = ngettext("%(count)s minute", "%(count)s minutes", minutes) % {"count": minutes}
    else:
        duration = ngettext("%(count)s second", "%(count)s seconds", seconds) % {"count": seconds}
    return {
        "photo_mb": megabytes(settings.EVIDENCE_PHOTO_MAX_BYTES),
        "video_mb": megabytes(settings.EVIDENCE_VIDEO_MAX_BYTES),
        "video_duration": duration,
        "max_files": settings.EVIDENCE_MAX_FILES,
    }


@register.filter
def megabytes(size):
    """Bytes as decimal megabytes, the unit the limits use: "23.4", "100"; "0.1" at least."""
    value = math.ceil(int(size) / 100_000) / 10
    return number_format(value, 0 if value == int(value) else 1, use_l10n=True)
