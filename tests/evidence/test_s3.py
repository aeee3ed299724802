"""Evidence in an S3 bucket: moto's S3 server in a subprocess, django-storages' backend,
configured from the environment as an operator does it, and the real views.

Upload, inspection and derivatives (a video's poster too), private serving with byte
ranges, removal and the orphan purge behave as they do on a disk; nothing is left on it.
"""

import hashlib
import io
import os
import tracemalloc
from datetime import timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files import File
from django.utils import timezone
from PIL import Image

from disputes.evidence.inspect import inspect_evidence
from disputes.evidence.purge import purge_orphan_files
from disputes.evidence.storage import evidence_storage, save_files
from disputes.models import Evidence
from tests import servers
from tests.conftest import corpus_path, corpus_upload, store_evidence
from tests.disputes.builders import disputable_order
from tests.evidence.test_evidence_views import HTMX, REMOVE_URL, body, file_url, post_upload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("s3_evidence")]

PHOTO = "good/png_photo_hopper.png"
VIDEO = "good/mp4_h264_aac_imovie.mp4"


def bucket_keys(s3_server, bucket):
    listing = servers.s3_client(s3_server).list_objects_v2(Bucket=bucket)
    return sorted(entry["Key"] for entry in listing.get("Contents", []))


def bucket_object(s3_server, bucket, key):
    """The bytes of one object, read with boto3 rather than through the storage."""
    return servers.s3_client(s3_server).get_object(Bucket=bucket, Key=key)["Body"].read()


def upload(client, buyer, *relatives):
    response = post_upload(
        client, disputable_order(buyer), *(corpus_upload(path) for path in relatives), htmx=True
    )
    assert response.status_code == 200
    return list(Evidence.objects.order_by("pk"))


def test_upload_stores_the_original_and_its_derivatives_in_the_bucket_and_nothing_on_disk(
    buyer_client, buyer, s3_server, s3_evidence, evidence_root
):
    photo, video = upload(buyer_client, buyer, PHOTO, VIDEO)

    assert (photo.mime, video.mime) == ("image/png", "video/mp4")
    names = sorted(photo.file_names + video.file_names)
    assert bucket_keys(s3_server, s3_evidence) == names
    assert [name.split("/")[0] for name in video.file_names] == [
        "originals",
        "display",
        "thumbnails",
    ]
    stored_video = bucket_object(s3_server, s3_evidence, video.original.name)
    assert (video.size, video.sha256) == (
        len(stored_video),
        hashlib.sha256(stored_video).hexdigest(),
    )
    assert not any(evidence_root.iterdir())


def test_a_videos_poster_and_a_photos_thumbnail_are_served_from_the_bucket(buyer_client, buyer):
    photo, video = upload(buyer_client, buyer, PHOTO, VIDEO)

    for evidence in (photo, video):
        response = buyer_client.get(file_url(evidence, "thumbnail"))
        assert response.status_code == 200
        assert response["Content-Type"] == "image/jpeg"
        assert response["Cache-Control"] == "private"
        with Image.open(io.BytesIO(body(response))) as thumbnail:
            assert thumbnail.format == "JPEG"


def test_video_is_served_whole_or_by_byte_range_from_the_bucket(
    buyer_client, buyer, s3_server, s3_evidence
):
    [video] = upload(buyer_client, buyer, VIDEO)
    original = bucket_object(s3_server, s3_evidence, video.original.name)
    url = file_url(video, "video")

    whole = buyer_client.get(url)
    middle = buyer_client.get(url, HTTP_RANGE="bytes=1000-1999")
    tail = buyer_client.get(url, HTTP_RANGE="bytes=-500")
    past_the_end = buyer_client.get(url, HTTP_RANGE=f"bytes={len(original)}-")

    assert whole.status_code == 200
    assert whole["Content-Length"] == str(len(original))
    assert body(whole) == original
    assert middle.status_code == 206
    assert middle["Content-Range"] == f"bytes 1000-1999/{len(original)}"
    assert body(middle) == original[1000:2000]
    assert body(tail) == original[-500:]
    assert past_the_end.status_code == 416


def test_reading_a_stored_file_fetches_only_from_where_it_was_seeked(buyer, s3_server, s3_evidence):
    """A seek costs nothing; a read asks the bucket for the rest of the object from there,
    and a read far from the start never downloads what comes before."""
    [video] = store_evidence([corpus_upload(VIDEO)], buyer, disputable_order(buyer)).stored
    original = bucket_object(s3_server, s3_evidence, video.original.name)

    with evidence_storage().open(video.original.name) as stream:
        stream.seek(-100, 2)
        assert stream.read() == original[-100:]
        stream.seek(10)
        assert stream.read(5) == original[10:15]
        assert stream.tell() == 15


@pytest.fixture
def large_file(tmp_path):
    """64 MB that do not compress, written a megabyte at a time."""
    path = tmp_path / "large.bin"
    with path.open("wb") as stream:
        for _ in range(64):
            stream.write(os.urandom(1024 * 1024))
    return path


def peak_allocated_mb(action):
    tracemalloc.start()
    try:
        action()
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


def test_a_large_file_is_stored_a_part_at_a_time_never_whole_in_memory(s3_evidence, large_file):
    storage = evidence_storage()

    def store():
        with large_file.open("rb") as stream:
            storage.save("originals/large.bin", File(stream))

    assert peak_allocated_mb(store) < 40  # parts of 8 MB; boto3's threads read 80 MB ahead
    assert storage.size("originals/large.bin") == 64 * 1024 * 1024


def test_a_large_file_is_read_a_chunk_at_a_time_never_whole_in_memory(s3_evidence, large_file):
    storage = evidence_storage()
    with large_file.open("rb") as stream:
        storage.save("originals/large.bin", File(stream))

    def read():
        with storage.open("originals/large.bin") as stored:
            while stored.read(64 * 1024):
                pass

    assert peak_allocated_mb(read) < 8


def test_a_missing_object_is_a_missing_file(s3_evidence):
    with pytest.raises(FileNotFoundError):
        evidence_storage().open("originals/nothing-here.mp4")


def test_removing_draft_evidence_deletes_its_objects(
    buyer_client, buyer, s3_server, s3_evidence, django_capture_on_commit_callbacks
):
    [photo] = upload(buyer_client, buyer, PHOTO)

    with django_capture_on_commit_callbacks(execute=True):
        response = buyer_client.post(REMOVE_URL, {"evidence_pk": photo.pk}, **HTMX)

    assert response.status_code == 200
    assert bucket_keys(s3_server, s3_evidence) == []


def test_the_orphan_purge_lists_the_bucket_and_deletes_only_unreferenced_objects(
    buyer_client, buyer, s3_server, s3_evidence, tmp_path
):
    kept, video = upload(buyer_client, buyer, PHOTO, VIDEO)
    # An upload whose row never committed leaves its files behind.
    orphan = save_files(corpus_path(PHOTO), _accepted(PHOTO, tmp_path))

    removed = purge_orphan_files(before=timezone.now() + timedelta(minutes=1))

    assert sorted(removed) == sorted(orphan.names)
    assert bucket_keys(s3_server, s3_evidence) == sorted(kept.file_names + video.file_names)


def _accepted(relative, workdir):
    verdict = inspect_evidence(corpus_path(relative), relative, workdir=workdir)
    assert verdict.accepted
    return verdict


def test_s3_storage_without_a_bucket_name_refuses_to_start():
    with pytest.raises(ImproperlyConfigured, match="AWS_STORAGE_BUCKET_NAME"):
        servers.settings_read_from(
            {
                "EVIDENCE_STORAGE_BACKEND": "storages.backends.s3.S3Storage",
                "AWS_STORAGE_BUCKET_NAME": "",
            }
        )


def test_a_bucket_that_fails_the_write_says_the_fault_is_ours(
    buyer_client, buyer, s3_server, s3_evidence
):
    """A bucket that refuses the write (gone, here; no permission, an outage) is the
    service's fault, as a full disk is: the buyer is not told their file is at fault."""
    servers.s3_client(s3_server).delete_bucket(Bucket=s3_evidence)

    response = post_upload(buyer_client, disputable_order(buyer), corpus_upload(PHOTO), htmx=True)

    assert response.status_code == 200
    assert not Evidence.objects.exists()
    assert "png_photo_hopper.png could not be stored: the fault is ours" in response.text
