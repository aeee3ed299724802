"""Time and memory of a 98 MB video upload stored in an S3 bucket, beside the file system.

The same request as ``upload_bench.py``'s ``accept_100mb_video`` case, through the same
handler (every middleware, the upload handler, inspection, the poster, the view), once
with the evidence storage on the file system and once in a bucket of moto's S3 server, a
subprocess on 127.0.0.1, configured from the environment as an operator does it
(``EVIDENCE_STORAGE_BACKEND=storages.backends.s3.S3Storage``, docs/deploy.md). Each runs
twice, timed and traced, in fresh processes. Results go to ``bench/results/upload_s3.json``.

moto keeps objects in its own memory and answers on loopback: the time is the app's side
of the upload (multipart parts of 8 MB, two at a time), not a network's.

Run: ``.venv/bin/python bench/upload_s3_bench.py`` (``make bench`` runs it too)
"""

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import upload_bench

ROOT = upload_bench.ROOT
RESULTS = ROOT / "bench" / "results" / "upload_s3.json"
CASE = "accept_100mb_video"
BUCKET = "upload-bench"
# moto accepts any keys.
S3_ENVIRONMENT = {
    "EVIDENCE_STORAGE_BACKEND": "storages.backends.s3.S3Storage",
    "AWS_STORAGE_BUCKET_NAME": BUCKET,
    "AWS_S3_REGION_NAME": "us-east-1",
    "AWS_ACCESS_KEY_ID": "bench",
    "AWS_SECRET_ACCESS_KEY": "bench",
}


def main():
    # The parent stays small, as upload_bench's does: no Django, no boto3 here.
    workdir = Path(tempfile.mkdtemp(prefix="upload-s3-bench-"))
    try:
        print(upload_bench._child(upload_bench.PREPARE, workdir, trace=False)["video"])
        rows = [{"storage": "file system"} | upload_bench._measure(CASE, workdir)]
        with moto_server(workdir / "moto.log") as endpoint:
            create_bucket(endpoint, BUCKET)
            with environment(S3_ENVIRONMENT | {"AWS_S3_ENDPOINT_URL": endpoint}):
                rows.append({"storage": "S3 (moto)"} | upload_bench._measure(CASE, workdir))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print_table(rows)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({"python": sys.version.split()[0], "cases": rows}, indent=2))
    print(f"\nwritten to {RESULTS.relative_to(ROOT)}")


def print_table(rows):
    header = (
        f"{'storage':<12} {'body MB':>8} {'outcome':<8} {'seconds':>8} {'MB/s':>6} "
        f"{'traced peak MB':>14} {'RSS before':>10} {'request peak RSS':>16}"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        print(
            f"{row['storage']:<12} {row['body_mb']:>8.1f} {row['outcome']:<8} "
            f"{row['seconds']:>8.2f} {row['mb_per_second']:>6.0f} "
            f"{row['tracemalloc_peak_mb']:>14.2f} {row['rss_before_mb']:>10.1f} "
            f"{row['request_peak_rss_mb']:>16.1f}"
        )


@contextlib.contextmanager
def moto_server(log_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [str(Path(sys.executable).parent / "moto_server"), "-H", "127.0.0.1", "-p", str(port)]
    with log_path.open("w") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    try:
        give_up = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                sys.exit(f"moto_server exited:\n{log_path.read_text()}")
            with contextlib.suppress(OSError):
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            if time.monotonic() > give_up:
                sys.exit("moto_server did not listen within 60 s")
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=30)


def create_bucket(endpoint, name):
    """PUT /<bucket>: moto does not check signatures, so no SDK is loaded here."""
    urllib.request.urlopen(urllib.request.Request(f"{endpoint}/{name}", method="PUT")).close()


@contextlib.contextmanager
def environment(variables):
    saved = os.environ.copy()
    os.environ.update(variables)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


if __name__ == "__main__":
    main()
