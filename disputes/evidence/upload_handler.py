"""The upload handler for evidence: always to a temporary file, never more than allowed.

A file that passes the largest allowed size stops being stored but is still counted to
its end, so the buyer gets a message naming the file and its size instead of a reset
connection. Memory stays flat whatever the size: 64 KB chunks go to disk or are dropped.
"""

from functools import wraps

from django.conf import settings
from django.core.files.uploadedfile import TemporaryUploadedFile
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.views.decorators.csrf import csrf_exempt, csrf_protect

# The first bytes of an oversized file are kept so its message can say "video" or
# "photo"; libmagic needs no more than this to tell them apart.
OVERSIZED_HEAD_BYTES = 64 * 1024


def largest_evidence_bytes():
    """The size above which no evidence file can be accepted, photo or video."""
    return max(settings.EVIDENCE_PHOTO_MAX_BYTES, settings.EVIDENCE_VIDEO_MAX_BYTES)


class EvidenceUpload(TemporaryUploadedFile):
    """A file received by ``EvidenceUploadHandler``.

    When ``oversized`` is true, ``size`` is the real size the buyer sent but the
    temporary file holds only its first ``OVERSIZED_HEAD_BYTES``, enough to say what
    kind of file it was.
    """

    oversized = False


class EvidenceUploadHandler(TemporaryFileUploadHandler):
    """Stream each file to a temporary file, and stop storing it once it is too large."""

    def __init__(self, request=None, *, max_bytes=None):
        super().__init__(request)
        self.max_bytes = largest_evidence_bytes() if max_bytes is None else max_bytes

    def new_file(self, field_name, file_name, *args, **kwargs):
        # Skip TemporaryFileUploadHandler.new_file: it names the temporary file after
        # the buyer's extension, and decoders must never be steered by a file name.
        super(TemporaryFileUploadHandler, self).new_file(field_name, file_name, *args, **kwargs)
        self.file = EvidenceUpload("evidence", self.content_type, 0, self.charset)
        self.file.name = self.file_name
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.file.oversized:
            return None
        if self.received > self.max_bytes:
            self._keep_head_only()
            return None
        self.file.write(raw_data)
        return None

    def file_complete(self, file_size):
        self.file.seek(0)
        self.file.size = file_size
        return self.file

    def _keep_head_only(self):
        """Drop everything written so far but the head, and write nothing more."""
        self.file.oversized = True
        self.file.flush()
        self.file.file.truncate(OVERSIZED_HEAD_BYTES)
        self.file.seek(0, 2)


def evidence_upload_handlers(request):
    """The upload handlers for any request that may carry evidence files."""
    return [EvidenceUploadHandler(request)]


def streams_evidence(view):
    """Decorate a view so its uploads go through ``EvidenceUploadHandler``, CSRF still checked.

    Handlers must be in place before anything reads ``request.POST``, and the CSRF
    middleware reads it; so the view is exempted from the middleware and protected by
    ``csrf_protect`` once the handlers are set (Django: "Modifying upload handlers on
    the fly"). Wrap the wizard view with it too, for its no-JavaScript uploads.
    """
    protected = csrf_protect(view)

    @csrf_exempt
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        request.upload_handlers = evidence_upload_handlers(request)
        return protected(request, *args, **kwargs)

    return wrapper
