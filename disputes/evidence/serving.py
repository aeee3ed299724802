"""Sending stored evidence files over HTTP: byte ranges for video, headers that keep it inert.

A video element seeks with ``Range`` requests; a file opened directly must run nothing.
The views decide who may fetch what; this module only answers with the bytes.
"""

import re
from collections.abc import Iterator

from django.core.files.storage import Storage
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers

from .storage import evidence_storage

STREAM_CHUNK_BYTES = 64 * 1024
RANGE_PATTERN = re.compile(r"^bytes=(\d*)-(\d*)$")
UNSATISFIABLE = "unsatisfiable"
# Larger than any file: a position of more digits is read as this (Python refuses to
# convert strings of more than 4,300 digits, and no file needs more than 18).
BEYOND_ANY_FILE = 10**18


def file_response(name: str, content_type: str) -> FileResponse:
    """The whole stored file ``name``, streamed."""
    return FileResponse(evidence_storage().open(name), content_type=content_type)


def ranged_response(request: HttpRequest, name: str, content_type: str) -> HttpResponse:
    """The whole stored file (200), or the single byte range asked for (206), or 416."""
    storage = evidence_storage()
    size = storage.size(name)
    byte_range = requested_range(request.headers.get("Range", ""), size)
    if byte_range is None:
        response = file_response(name, content_type)
    elif byte_range == UNSATISFIABLE:
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        return response
    else:
        start, end = byte_range
        response = StreamingHttpResponse(
            _read_range(storage, name, start, end - start + 1),
            status=206,
            content_type=content_type,
        )
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
        response["Content-Length"] = str(end - start + 1)
    response["Accept-Ranges"] = "bytes"
    return response


def requested_range(header: str, size: int) -> tuple[int, int] | str | None:
    """Parse one ``bytes=`` range into inclusive ``(start, end)``; None serves the whole file.

    Several ranges, or a malformed header, are ignored as RFC 9110 allows; a range past
    the end is ``UNSATISFIABLE``.
    """
    match = RANGE_PATTERN.match(header.strip())
    if not match:
        return None
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:
        suffix = _position(last)
        if suffix == 0:
            return UNSATISFIABLE
        return max(size - suffix, 0), size - 1
    start = _position(first)
    end = min(_position(last), size - 1) if last else size - 1
    if start >= size:
        return UNSATISFIABLE
    if end < start:
        return None
    return start, end


def _position(digits: str) -> int:
    """A byte position of the header, however many digits (and leading zeros) it has."""
    significant = digits.lstrip("0")
    return int(significant or "0") if len(significant) <= 18 else BEYOND_ANY_FILE


def _read_range(storage: Storage, name: str, start: int, length: int) -> Iterator[bytes]:
    """Yield ``length`` bytes of the stored file from ``start``, a chunk at a time."""
    with storage.open(name) as stream:
        stream.seek(start)
        while length > 0:
            chunk = stream.read(min(STREAM_CHUNK_BYTES, length))
            if not chunk:
                return
            length -= len(chunk)
            yield chunk


def private(response: HttpResponse) -> HttpResponse:
    """Headers for every evidence file: never sniffed, never shared, never a document."""
    response["X-Content-Type-Options"] = "nosniff"
    # Opened directly, a file runs nothing: no scripts, no plugins, no same-origin access.
    response["Content-Security-Policy"] = "default-src 'none'; media-src 'self'; sandbox"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    patch_cache_control(response, private=True)
    patch_vary_headers(response, ["Cookie"])
    return response
