"""The ``purge_evidence`` command: abandoned drafts and orphan files go, evidence stays."""

import io
import os
import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from disputes.evidence.purge import purge_drafts
from disputes.management.commands import purge_evidence
from disputes.models import Evidence
from tests.conftest import corpus_upload, store_evidence
from tests.disputes.builders import open_dispute
from tests.factories import FIXED_NOW, make_order

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
    old = store(buyer, order, draft_key="abandoned")
    # Abandoned once nothing was added to it for EVIDENCE_DRAFT_MAX_AGE_HOURS (48).
    age(old, evidence_root, hours=49)
    fresh = store(buyer, order, draft_key="in-use")
    age(fresh, evidence_root, hours=47)

    output = purge()

    assert list(Evidence.objects.all()) == [fresh]
    assert files_in(evidence_root) == sorted(fresh.file_names)
    assert f"Removed draft evidence #{old.pk} 'png_photo_hopper.png'" in output


@pytest.mark.django_db
def test_a_draft_is_abandoned_48_hours_after_its_last_file_to_the_microsecond(buyer, settings):
    order = make_order(buyer)
    first, last = store(buyer, order), store(buyer, order)
    other_first, other_last = (store(buyer, order, draft_key="other") for _ in range(2))
    purged_before = FIXED_NOW - timedelta(hours=settings.EVIDENCE_DRAFT_MAX_AGE_HOURS)
    uploaded = {
        first: purged_before - timedelta(days=3),
        last: purged_before,  # exactly 48 hours old: kept, with the draft's older file
        other_first: purged_before - timedelta(days=3),
        other_last: purged_before - timedelta(microseconds=1),
    }
    for evidence, moment in uploaded.items():
        Evidence.objects.filter(pk=evidence.pk).update(uploaded_at=moment)

    removed = purge_drafts(before=purged_before)

    assert sorted(removed, key=lambda row: row.pk) == [other_first, other_last]
    assert list(Evidence.objects.all()) == [first, last]


def test_the_command_purges_drafts_after_the_age_of_its_setting(settings):
    settings.EVIDENCE_DRAFT_MAX_AGE_HOURS = 5
    command = purge_evidence.Command()
    options = command.create_parser("manage.py", "purge_evidence").parse_args([])

    assert options.older_than_hours == 5


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
