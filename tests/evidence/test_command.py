"""``manage.py inspect_evidence`` gives the upload's verdict and a useful exit status."""

import json
import subprocess
import sys
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command

from tests.conftest import corpus_path

GOOD = ["good/jpeg_exif_orientation_6.jpg", "good/webp_lossy.webp", "good/mp4_h264_aac_imovie.mp4"]
BAD = ["bad/exe_renamed.jpg", "bad/mp4_audio_only.mp4", "bad/empty_zero_bytes.jpg"]


def run(*args):
    """Run the command in-process; return its stdout and exit status."""
    stdout = StringIO()
    try:
        call_command("inspect_evidence", *args, stdout=stdout)
    except SystemExit as exit:
        return stdout.getvalue(), exit.code
    return stdout.getvalue(), 0


def test_json_lists_every_file_in_order_and_exits_1_when_one_is_refused():
    paths = [str(corpus_path(relative)) for relative in GOOD + BAD]

    output, status = run("--json", *paths)

    assert status == 1
    results = json.loads(output)
    assert [result["file"] for result in results] == paths
    for result in results:
        assert set(result) == {"file", "accepted", "kind", "mime", "size", "message"}
        assert result["file"].rsplit("/", 1)[-1] in result["message"]
    assert [result["accepted"] for result in results] == [True] * 3 + [False] * 3
    assert [result["kind"] for result in results[:3]] == ["photo", "photo", "video"]
    assert results[3]["mime"] == "application/vnd.microsoft.portable-executable"
    assert results[5]["size"] == 0


def test_all_good_files_exit_0():
    output, status = run("--json", *(str(corpus_path(relative)) for relative in GOOD))

    assert status == 0
    assert all(result["accepted"] for result in json.loads(output))


def test_human_output_is_one_line_per_file():
    output, status = run(str(corpus_path(GOOD[1])), str(corpus_path(BAD[0])))

    assert status == 1
    assert output.splitlines() == [
        "✓ webp_lossy.webp is accepted: a WebP image of 200 by 133 pixels.",
        "✗ exe_renamed.jpg is an executable program; only photos (JPEG, PNG, WebP, HEIC, AVIF) "
        "and videos (MP4, MOV, WebM) are accepted.",
    ]


def test_missing_path_is_a_refusal_not_a_traceback(tmp_path):
    output, status = run("--json", str(tmp_path / "nowhere.jpg"))

    assert status == 1
    [result] = json.loads(output)
    assert result["accepted"] is False
    assert result["message"] == "nowhere.jpg does not exist."


@pytest.mark.parametrize(("relatives", "status"), [(GOOD[:1], 0), (GOOD[:1] + BAD[:1], 1)])
def test_process_exit_status(relatives, status):
    completed = subprocess.run(
        [sys.executable, "manage.py", "inspect_evidence", "--json"]
        + [str(corpus_path(relative)) for relative in relatives],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=False,
    )

    assert completed.returncode == status, completed.stderr
    assert len(json.loads(completed.stdout)) == len(relatives)
