"""Every sentence a buyer reads about one evidence file, each written once.

Templates name the file (``%(name)s``) and, where it helps, what was detected
(``%(what)s``) and the rule broken. ``disputes.evidence.inspect`` fills those about a
file's content; ``disputes.evidence.recording`` those about the dispute's file limit, the
daily allowance and storage.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrPromise

ACCEPTED_PHOTO = _("%(name)s is accepted: %(what)s of %(width)s by %(height)s pixels.")
ACCEPTED_VIDEO = _(
    "%(name)s is accepted: %(what)s of %(duration)s seconds, %(width)s by %(height)s pixels."
)
MISSING = _("%(name)s does not exist.")
UNREADABLE = _("%(name)s could not be read.")
EMPTY = _("%(name)s is empty (0 bytes).")
NOT_ALLOWED = _(
    "%(name)s is %(what)s; only photos (JPEG, PNG, WebP, HEIC, AVIF) "
    "and videos (MP4, MOV, WebM) are accepted."
)
PHOTO_TOO_LARGE = _("%(name)s is %(size)s MB; photos can be at most %(limit)s MB.")
VIDEO_TOO_LARGE = _("%(name)s is %(size)s MB; videos can be at most %(limit)s MB.")
VIDEO_TOO_LONG = _(
    "%(name)s lasts %(duration)s seconds; videos can last at most %(limit)s seconds."
)
ANIMATED = _("%(name)s is %(what)s with %(frames)s frames; only still photos are accepted.")
SEQUENCE = _("%(name)s is %(what)s; only still photos are accepted.")
CORRUPT = _("%(name)s looks like %(what)s but could not be read; it may be damaged or incomplete.")
PHOTO_TOO_MANY_PIXELS = _(
    "%(name)s is %(what)s of %(width)s by %(height)s pixels (%(megapixels)s million); "
    "photos can have at most %(limit)s million pixels."
)
NO_VIDEO_STREAM = _(
    "%(name)s is %(what)s with no video track (sound only or empty); "
    "only videos with a picture are accepted."
)
CODEC_NOT_ALLOWED = _(
    "%(name)s is %(what)s encoded as %(codec)s; only H.264, HEVC, VP8, VP9 "
    "and AV1 videos are accepted."
)
PROBE_TIMEOUT = _("%(name)s took too long to check; try a shorter or smaller video.")
PHOTO_TIMEOUT = _("%(name)s took too long to check; try a smaller photo.")
DURATION_MISMATCH = _(
    "%(name)s says it lasts %(declared)s seconds, but its pictures last %(duration)s "
    "seconds; it may have been edited or damaged."
)
FILE_TOO_LARGE = _("%(name)s is %(size)s MB; no file can be larger than %(limit)s MB.")
TOO_MANY_FILES = _("You can attach at most %(max)s files; %(name)s was not added.")
NOT_STORED = _(
    "%(name)s could not be stored: the fault is ours, not your file's. Please try again in a while."
)
DAILY_FILES = _(
    "%(name)s was not added: you can upload at most %(max)s files a day. "
    "You can upload more from %(resets)s."
)
DAILY_BYTES = _(
    "%(name)s was not added: you can upload at most %(limit)s MB a day, and %(left)s MB "
    "are left today. You can upload more from %(resets)s."
)
FORM_CLOSED = _(
    "%(name)s was not added: this form no longer takes files, as the order or the "
    "dispute has moved on. Reload the page to see where it stands."
)
# Not a refusal: the file was kept, under a shorter name.
NAME_SHORTENED = _("The name of %(name)s was too long: it was shortened, its extension kept.")


@dataclass(frozen=True)
class Refusal:
    """A file that was not kept, with the buyer's message naming it and a code for tests."""

    file_name: str
    message: str
    code: str


def refusal(code: str, template: StrPromise, *, name: str, **values: object) -> Refusal:
    """A Refusal of the file ``name``, its message translated now from ``template``."""
    return Refusal(file_name=name, message=str(template) % {"name": name, **values}, code=code)
