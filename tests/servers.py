"""Real servers for the tests that need them, each a subprocess on a free port of 127.0.0.1.

moto's standalone server speaks S3's HTTP protocol; the tests store evidence in it through
django-storages as production does with a real bucket (docs/deploy.md says where a real
bucket differs). Every process started here is stopped when its block ends.
"""

import os
import runpy
import signal
import socket
import subprocess
import sys
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path
from urllib.parse import quote

import boto3

HOST = "127.0.0.1"
STARTUP_PATIENCE = 60  # seconds a server may take to answer on a busy machine
# moto accepts any keys; these say so.
S3_ACCESS_KEY = "moto-access-key"
S3_SECRET_KEY = "moto-secret-key"
S3_REGION = "us-east-1"


def database_url() -> str:
    """The test database, as ``DATABASE_URL`` tells another process where it is."""
    from django.db import connection

    db = connection.settings_dict
    user = quote(db["USER"] or "", safe="")
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    host = db["HOST"] or "localhost"
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{user}{password}@{host}{port}/{quote(db['NAME'], safe='')}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def wait_for_port(port, process, what, log: Path):
    """Wait until something listens on ``port``; fail with the log if ``process`` ends."""
    give_up = time.monotonic() + STARTUP_PATIENCE
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode}:\n{log.read_text()}")
        try:
            socket.create_connection((HOST, port), timeout=1).close()
            return
        except OSError:
            if time.monotonic() > give_up:
                raise RuntimeError(f"{what} did not listen within {STARTUP_PATIENCE} s") from None
            time.sleep(0.1)


def stop(process, *, timeout=20):
    """SIGTERM, then SIGKILL if it lingers; always reaped."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
    process.wait()


def launch(stack: ExitStack, command, *, log: Path, **popen) -> subprocess.Popen:
    """Start ``command`` with its output in ``log``; ``stack`` stops it on closing."""
    with log.open("w") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, **popen)
    stack.callback(stop, process)
    return process


def redis_server(stack: ExitStack, log: Path) -> str:
    """A Redis server of the test's own, keeping nothing on disk; its URL. ``stack`` stops
    it on closing."""
    port = free_port()
    process = launch(
        stack, ["redis-server", "--bind", HOST, "--port", str(port), "--save", ""], log=log
    )
    wait_for_port(port, process, "redis-server", log)
    return f"redis://{HOST}:{port}/0"


@contextmanager
def moto_s3_server(log: Path):
    """moto's S3 server; yields its endpoint URL once it listens."""
    port = free_port()
    moto_server = Path(sys.executable).parent / "moto_server"
    with ExitStack() as stack:
        process = launch(stack, [str(moto_server), "-H", HOST, "-p", str(port)], log=log)
        wait_for_port(port, process, "moto_server", log)
        yield f"http://{HOST}:{port}"


def create_bucket(endpoint_url: str, name: str) -> None:
    s3_client(endpoint_url).create_bucket(Bucket=name)


def s3_client(endpoint_url: str):
    return boto3.client(
        "s3",
        endpoint_url=endpoint_url,
        region_name=S3_REGION,
        aws_access_key_id=S3_ACCESS_KEY,
        aws_secret_access_key=S3_SECRET_KEY,
    )


def s3_environment(endpoint_url: str, bucket: str) -> dict[str, str]:
    """What an operator sets to keep evidence in ``bucket`` (README, docs/deploy.md)."""
    return {
        "EVIDENCE_STORAGE_BACKEND": "storages.backends.s3.S3Storage",
        "AWS_STORAGE_BUCKET_NAME": bucket,
        "AWS_S3_ENDPOINT_URL": endpoint_url,
        "AWS_S3_REGION_NAME": S3_REGION,
        "AWS_ACCESS_KEY_ID": S3_ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": S3_SECRET_KEY,
    }


def settings_read_from(environment: dict[str, str]) -> dict:
    """The settings config/settings.py builds when the process's environment adds these."""
    saved = os.environ.copy()
    os.environ.update(environment)
    try:
        return runpy.run_path(str(Path(__file__).resolve().parent.parent / "config/settings.py"))
    finally:
        os.environ.clear()
        os.environ.update(saved)
