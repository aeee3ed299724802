"""The upload handler for evidence: always to a temporary file, never more than allowed.

A file that passes the largest allowed size stops being stored but is still counted to
its end, so the buyer gets a message naming the file and its size instead of a reset
connection. Memory stays flat whatever the size: 64 KB chunks go to disk or are dropped.

Every file sent is received, whatever its name: Django's multipart parser drops a part
whose headers are not UTF-8 (the file vanishes without a word) and refuses the whole
request when a part's headers pass 1,024 bytes (one long file name, and a 400 for all).
``EvidenceMultiPartParser`` hands it such a part under a short stand-in name, and the
handler gives the file back the name it was sent with (or none, when it is unreadable).
"""

import re
from functools import wraps

from django.conf import settings
from django.core.files.uploadedfile import TemporaryUploadedFile
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.http.multipartparser import MultiPartParser
from django.utils.http import parse_header_parameters
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
    # The file name as the browser sent it: ``name`` is cut to 255 characters by Django,
    # and "" stands for a name that could not be read.
    sent_name = ""


class EvidenceUploadHandler(TemporaryFileUploadHandler):
    """Stream each file to a temporary file, and stop storing it once it is too large."""

    def __init__(self, request=None, *, max_bytes=None):
        super().__init__(request)
        self.max_bytes = largest_evidence_bytes() if max_bytes is None else max_bytes
        # Filled by EvidenceMultiPartParser: the names it replaced with stand-ins.
        self.sent_names = {}

    def new_file(self, field_name, file_name, *args, **kwargs):
        # Skip TemporaryFileUploadHandler.new_file: it names the temporary file after
        # the buyer's extension, and decoders must never be steered by a file name.
        super(TemporaryFileUploadHandler, self).new_file(field_name, file_name, *args, **kwargs)
        self.file = EvidenceUpload("evidence", self.content_type, 0, self.charset)
        sent_name = self.sent_names.get(self.file_name, self.file_name)
        self.file.sent_name = sent_name
        self.file.name = sent_name or "file"
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


# The part headers Django reads whole: above this, or not UTF-8, a file name is replaced.
READABLE_HEADER_BYTES = 512
# How far past a boundary the end of a part's headers is looked for.
HEADER_SCAN_BYTES = 16 * 1024
STAND_IN_PREFIX = "evidence-file-name-"
FILE_NAME_PARAMETER = re.compile(
    rb'(;[ \t]*filename[ \t]*=[ \t]*)("(?:[^"\\\r\n]|\\.)*"|[^;\r\n]*)', re.IGNORECASE
)
QUOTED_PAIR = re.compile(rb"\\(.)")


class EvidenceMultiPartParser(MultiPartParser):
    """Django's parser, reading a body whose file names it cannot handle are stood in for.

    The names replaced are given to the request's ``EvidenceUploadHandler``, which puts
    them back on the files.
    """

    def __init__(self, META, input_data, upload_handlers, encoding=None):
        _, parameters = parse_header_parameters(META.get("CONTENT_TYPE", ""))
        boundary = parameters.get("boundary", "")
        if boundary:
            sent_names = {}
            input_data = FileNameStandIns(
                input_data, boundary.encode("ascii", "replace"), sent_names
            )
            for handler in upload_handlers:
                if isinstance(handler, EvidenceUploadHandler):
                    handler.sent_names = sent_names
        super().__init__(META, input_data, upload_handlers, encoding)


class FileNameStandIns:
    """A multipart body, read as it streams, whose part headers are rewritten when they
    are too long or not UTF-8: their ``filename`` becomes a short stand-in, recorded in
    ``sent_names`` with the name decoded (or "" when it is not UTF-8)."""

    def __init__(self, stream, boundary: bytes, sent_names: dict):
        self.sent_names = sent_names
        self._chunks = self._rewritten(stream, b"--" + boundary)
        self._buffer = b""

    def read(self, size=-1):
        while size < 0 or len(self._buffer) < size:
            chunk = next(self._chunks, None)
            if chunk is None:
                break
            self._buffer += chunk
        size = len(self._buffer) if size < 0 else size
        data, self._buffer = self._buffer[:size], self._buffer[size:]
        return data

    def _rewritten(self, stream, delimiter):
        pending = b""
        at_end = False
        while not at_end:
            data = stream.read(64 * 1024)
            at_end = not data
            pending += data
            while True:
                start = pending.find(delimiter)
                if start == -1:
                    # Keep what could be the beginning of the next delimiter.
                    cut = len(pending) if at_end else max(len(pending) - len(delimiter), 0)
                    yield pending[:cut]
                    pending = pending[cut:]
                    break
                headers = start + len(delimiter)
                end = pending.find(b"\r\n\r\n", headers, headers + HEADER_SCAN_BYTES)
                if end == -1 and not at_end and len(pending) < headers + HEADER_SCAN_BYTES:
                    yield pending[:start]  # the headers are not all here yet
                    pending = pending[start:]
                    break
                if end == -1:  # no headers (the closing delimiter), or too many
                    end = headers
                yield pending[:headers] + self._readable(pending[headers:end])
                pending = pending[end:]

    def _readable(self, headers: bytes) -> bytes:
        if len(headers) <= READABLE_HEADER_BYTES and _is_utf8(headers):
            return headers
        return FILE_NAME_PARAMETER.sub(self._stand_in, headers)

    def _stand_in(self, match) -> bytes:
        value = match.group(2).strip()
        if value.startswith(b'"'):
            value = QUOTED_PAIR.sub(rb"\1", value[1:-1])
        stand_in = f"{STAND_IN_PREFIX}{len(self.sent_names)}"
        self.sent_names[stand_in] = value.decode() if _is_utf8(value) else ""
        return match.group(1) + f'"{stand_in}"'.encode()


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode()
    except UnicodeDecodeError:
        return False
    return True


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
        request.multipart_parser_class = EvidenceMultiPartParser
        return protected(request, *args, **kwargs)

    return wrapper
