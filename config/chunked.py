"""Request bodies sent chunked, without ``Content-Length``, read like any other.

Django reads ``CONTENT_LENGTH`` bytes of a request's body and nothing without it, so a
chunked body (which gunicorn decodes and marks with ``wsgi.input_terminated``) reached the
views as empty: the API answered "orders must be an array" even for 22 MB. This WSGI
middleware reads such a body first, within the largest body the site takes, into a
temporary file (in memory while small), and hands it on with its length: the API's limit
then answers 413 as for a declared length. Behind the buffering proxy of docs/deploy.md the
proxy already does this; gunicorn serving directly needs it.
"""

import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.conf import settings

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def largest_body() -> int:
    """The largest body any request may have: an API call, or a video with its form."""
    return max(settings.API_MAX_BODY_BYTES, settings.EVIDENCE_VIDEO_MAX_BYTES) + 1_000_000


class ChunkedBodies:
    def __init__(self, app: WSGIApp) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]):
        if not _is_unsized_chunked(environ):
            return self.app(environ, start_response)
        limit = largest_body()
        # Kept open for the application, closed once its response is sent (_closing).
        body = tempfile.SpooledTemporaryFile(max_size=settings.FILE_UPLOAD_MAX_MEMORY_SIZE)  # noqa: SIM115
        _copy(environ["wsgi.input"], body, limit + 1)
        size = body.tell()
        if size > limit:
            body.close()
            start_response("413 Content Too Large", [("Content-Type", "text/plain")])
            return [f"The body is larger than {limit:,} bytes.".encode()]
        body.seek(0)
        environ["wsgi.input"], environ["CONTENT_LENGTH"] = body, str(size)
        return _closing(self.app(environ, start_response), body)


def _is_unsized_chunked(environ: dict[str, Any]) -> bool:
    # Only a server that ends the input at the body's end (``wsgi.input_terminated``) may
    # be read to its end; any other would wait for bytes that never come.
    return (
        not environ.get("CONTENT_LENGTH")
        and "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        and bool(environ.get("wsgi.input_terminated"))
    )


def _closing(response: Iterable[bytes], body: Any) -> Iterator[bytes]:
    try:
        yield from response
    finally:
        if hasattr(response, "close"):
            response.close()
        body.close()


def _copy(source: Any, target: Any, at_most: int) -> None:
    while at_most > 0:
        chunk = source.read(min(at_most, shutil.COPY_BUFSIZE))
        if not chunk:
            return
        target.write(chunk)
        at_most -= len(chunk)
