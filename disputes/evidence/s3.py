"""Evidence in a private S3 bucket: django-storages' backend, reading only the bytes needed.

django-storages opens an object by downloading all of it on the first read or seek. A
video's player asks for a few bytes at a time (``Range``), and each of those requests
would fetch the whole video. Here a stored file opened for reading is a stream that asks
the bucket for the object from the position it was seeked to (a ranged GET), so serving a
range costs that range. Writing, listing and deleting are django-storages' own.
"""

import io

from botocore.exceptions import ClientError
from django.core.files import File
from storages.backends.s3 import S3Storage
from storages.utils import clean_name

READ_BUFFER_BYTES = 64 * 1024


class EvidenceS3Storage(S3Storage):
    """``storages.backends.s3.S3Storage`` whose files opened for reading stream by range."""

    def _open(self, name, mode="rb"):
        if mode != "rb":
            return super()._open(name, mode)
        key = self._normalize_name(clean_name(name))
        try:
            stream = RangedObjectReader(self.bucket.Object(key))
        except ClientError as error:
            if error.response["ResponseMetadata"]["HTTPStatusCode"] == 404:
                raise FileNotFoundError(f"File does not exist: {name}") from error
            raise
        return File(io.BufferedReader(stream, READ_BUFFER_BYTES), name)


class RangedObjectReader(io.RawIOBase):
    """A seekable, read-only view of one S3 object, fetched from the current position on.

    The response body of the last GET is read as it comes; a seek elsewhere drops it and
    the next read asks again from there.
    """

    def __init__(self, s3_object):
        self._object = s3_object
        self._size = s3_object.content_length  # HEAD: a missing object fails here
        self._position = 0
        self._body = None

    def readable(self):
        return True

    def seekable(self):
        return True

    def tell(self):
        return self._position

    def seek(self, offset, whence=io.SEEK_SET):
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: self._size}[whence]
        position = base + offset
        if position < 0:
            raise ValueError(f"negative seek position {position}")
        if position != self._position:
            self._drop_body()
            self._position = position
        return position

    def readinto(self, buffer):
        if self._position >= self._size:
            return 0
        if self._body is None:
            self._body = self._object.get(Range=f"bytes={self._position}-")["Body"]
        data = self._body.read(len(buffer))
        buffer[: len(data)] = data
        self._position += len(data)
        return len(data)

    def close(self):
        self._drop_body()
        super().close()

    def _drop_body(self):
        if self._body is not None:
            self._body.close()
            self._body = None
