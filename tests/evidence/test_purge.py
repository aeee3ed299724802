"""The ``purge_evidence`` command: abandoned drafts and orphan files go, evidence stays."""

import io
import os
import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from disputes.models import Evidence
from tests.conftest import corpus_upload, store_evidence
from tests.disputes.builders import open_dispute
from tests.factories import make_order

pytestmark = pytest.mark.usefixtures("evidence_root")

TWO_HOURS = 2 * 3600


def store(buyer, order, **target):
    [evidence] = store_evidence(
        [corpus_upload("good/png_photo_hopper.png")], buyer, order, **target
    ).stored
    return evidence


def age(evidence, root, *, hours):
    """Make a row and its files look ``hours`` old."""
    Evidence.objects.filter(pk=evidence.pk).update(
        uploaded_at=timezone.now() - timedelta(hours=hours)
    )
    for name in evidence.file_names:
        age_file(root / name, seconds=hours * 3600)


def age_file(path, *, seconds):
    then = time.time() - seconds
    os.utime(path, (then, then))


def files_in(root):
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


def purge(*args):
    out = io.StringIO()
    call_command("purge_evidence", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_old_drafts_go_with_their_files_and_recent_ones_stay(buyer, evidence_root):
    order = make_order(buyer)
    old = store(buyer, order)
    # Abandoned once the buyer's session (and with it the wizard) can no longer exist.
    age(old, evidence_root, hours=14 * 24 + 1)
    fresh = store(buyer, order)
    age(fresh, evidence_root, hours=13 * 24)

    output = purge()

    assert list(Evidence.objects.all()) == [fresh]
    assert files_in(evidence_root) == sorted(fresh.file_names)
    assert f"Removed draft evidence #{old.pk} 'png_photo_hopper.png'" in output


@pytest.mark.django_db(transaction=True)
def test_attached_evidence_stays_however_old(buyer, evidence_root):
    dispute = open_dispute(buyer)
    evidence = store(buyer, dispute.order, dispute=dispute)
    age(evidence, evidence_root, hours=24 * 90)

    purge()

    assert list(Evidence.objects.all()) == [evidence]
    assert len(files_in(evidence_root)) == 3


@pytest.mark.django_db(transaction=True)
def test_orphan_files_past_the_grace_period_go_and_fresh_ones_stay(buyer, evidence_root):
    (evidence_root / "originals").mkdir(exist_ok=True)
    old_orphan = evidence_root / "originals" / "old.jpg"
    old_orphan.write_bytes(b"left by a crash")
    age_file(old_orphan, seconds=TWO_HOURS)
    in_flight = evidence_root / "originals" / "in-flight.jpg"
    in_flight.write_bytes(b"an upload whose row is not committed yet")

    output = purge()

    assert files_in(evidence_root) == ["originals/in-flight.jpg"]
    assert "Removed orphan file originals/old.jpg" in output


@pytest.mark.django_db(transaction=True)
def test_rolled_back_upload_leaves_no_file_after_purge(buyer, evidence_root):
    order = make_order(buyer)

    with pytest.raises(RuntimeError), transaction.atomic():
        evidence = store(buyer, order)
        raise RuntimeError("the enclosing action failed")

    assert not Evidence.objects.exists()
    left_behind = files_in(evidence_root)
    assert len(left_behind) == 3
    for name in left_behind:
        age_file(evidence_root / name, seconds=TWO_HOURS)

    purge()

    assert files_in(evidence_root) == []
    assert evidence.pk is not None


@pytest.mark.django_db(transaction=True)
def test_dry_run_removes_nothing(buyer, evidence_root):
    order = make_order(buyer)
    old = store(buyer, order)
    age(old, evidence_root, hours=15 * 24)

    output = purge("--dry-run")

    assert Evidence.objects.filter(pk=old.pk).exists()
    assert len(files_in(evidence_root)) == 3
    assert "Would remove draft evidence" in output
    assert "Would remove 1 draft evidence, 0 orphan files." in output


@pytest.mark.django_db(transaction=True)
def test_age_of_drafts_can_be_chosen(buyer, evidence_root):
    order = make_order(buyer)
    evidence = store(buyer, order)
    age(evidence, evidence_root, hours=3)

    purge("--older-than-hours", "2")

    assert not Evidence.objects.exists()
    assert files_in(evidence_root) == []
