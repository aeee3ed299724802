"""Files as the disk and the browser leave them: private modes, a full disk, odd names.

Uploads go through the test client with multipart bodies written byte by byte, as a
browser sends them (the client's own encoder cannot send a name that is not UTF-8).
"""

import errno
import stat

import pytest
from django.core.files.base import File
from django.urls import reverse

from disputes.evidence import drafts
from disputes.evidence.private_storage import PrivateFileSystemStorage
from disputes.models import Evidence
from tests.conftest import corpus_path, use_evidence_storage
from tests.disputes.builders import disputable_order
from tests.evidence.test_evidence_views import HTMX, issue

pytestmark = pytest.mark.django_db

BOUNDARY = b"----WebKitFormBoundary7MA4YWxkTrZu0gW"
DRAFT = "draft-of-these-tests"
PHOTO = corpus_path("good/png_photo_hopper.png").read_bytes()


def multipart(fields: dict[str, str], files: list[tuple[bytes, bytes]]) -> bytes:
    """A multipart/form-data body: ``fields``, then ``files`` as (raw file name, bytes)
    in the field "evidence"."""
    parts = [
        b'Content-Disposition: form-data; name="%s"\r\n\r\n%s' % (name.encode(), value.encode())
        for name, value in fields.items()
    ]
    parts += [
        b'Content-Disposition: form-data; name="evidence"; filename="%s"\r\n'
        b"Content-Type: image/png\r\n\r\n%s" % (file_name, content)
        for file_name, content in files
    ]
    body = b"".join(b"--" + BOUNDARY + b"\r\n" + part + b"\r\n" for part in parts)
    return body + b"--" + BOUNDARY + b"--\r\n"


def upload(client, order, files, **fields):
    issue(client, DRAFT, drafts.DraftForm.of(drafts.WIZARD, order))
    body = multipart({"order": order.number, "draft": DRAFT, **fields}, files)
    return client.post(
        reverse("disputes:evidence_upload"),
        body,
        content_type=f"multipart/form-data; boundary={BOUNDARY.decode()}",
        **HTMX,
    )


def test_a_name_of_a_thousand_bytes_is_shortened_keeping_its_extension_and_said(
    buyer_client, buyer
):
    order = disputable_order(buyer)
    long_name = "é" * 495 + ".png"  # 994 bytes in UTF-8

    response = upload(buyer_client, order, [(long_name.encode(), PHOTO)])

    assert response.status_code == 200
    [evidence] = Evidence.objects.all()
    assert evidence.original_name == "é" * 250 + "….png"
    assert f"The name of {evidence.original_name} was too long" in response.content.decode()


def test_names_after_a_long_field_and_past_a_read_of_the_body_are_kept(buyer_client, buyer):
    """The stand-ins are made as the body streams: a header can straddle two reads."""
    order = disputable_order(buyer)

    response = upload(
        buyer_client,
        order,
        [(b"short.png", PHOTO), (("ü" * 400 + ".png").encode(), PHOTO)],
        next="/" + "x" * 70_000,
    )

    assert response.status_code == 200
    names = [evidence.original_name for evidence in Evidence.objects.all()]
    assert names == ["short.png", "ü" * 250 + "….png"]


def test_a_name_that_is_not_utf8_is_kept_as_a_file(buyer_client, buyer):
    order = disputable_order(buyer)

    response = upload(buyer_client, order, [(b"caf\xe9 cass\xe9.png", PHOTO)])

    assert response.status_code == 200
    [evidence] = Evidence.objects.all()
    assert evidence.original_name == "a file"
    assert evidence.size == len(PHOTO)


def test_files_and_folders_are_private_to_the_servers_user(buyer_client, buyer, evidence_root):
    order = disputable_order(buyer)

    upload(buyer_client, order, [(b"cable.png", PHOTO)])

    [evidence] = Evidence.objects.all()
    for name in evidence.file_names:
        path = evidence_root / name
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, name
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700, name


class DiskFullStorage(PrivateFileSystemStorage):
    """The evidence storage on a disk that fills up after ``free_bytes``: the write fails
    with ENOSPC part-way, as the kernel's would (simulated in the content's chunks, the
    one place a FileSystemStorage lets a test fail a write after N bytes)."""

    free_bytes = 0

    def _save(self, name, content):
        return super()._save(name, FillsTheDisk(content, self.free_bytes))


class FillsTheDisk(File):
    def __init__(self, content, free_bytes):
        super().__init__(content.file, content.name)
        self.free_bytes = free_bytes

    def chunks(self, chunk_size=None):
        for chunk in super().chunks(1024):
            if len(chunk) > self.free_bytes:
                yield chunk[: self.free_bytes]
                raise OSError(errno.ENOSPC, "No space left on device")
            self.free_bytes -= len(chunk)
            yield chunk


@pytest.mark.parametrize("free_bytes", [0, 5000])
def test_a_full_disk_keeps_no_part_of_the_file_and_says_the_fault_is_ours(
    buyer_client, buyer, settings, monkeypatch, tmp_path, free_bytes
):
    DiskFullStorage.free_bytes = free_bytes
    root = tmp_path / "full-disk"
    backend = f"{DiskFullStorage.__module__}.{DiskFullStorage.__qualname__}"
    use_evidence_storage(settings, monkeypatch, {"BACKEND": backend, "OPTIONS": {"location": root}})
    order = disputable_order(buyer)

    response = upload(buyer_client, order, [(b"cable.png", PHOTO)])

    assert response.status_code == 200
    assert not Evidence.objects.exists()
    assert [path for path in root.rglob("*") if path.is_file()] == []
    html = response.content.decode()
    assert "cable.png could not be stored: the fault is ours, not your file" in html
