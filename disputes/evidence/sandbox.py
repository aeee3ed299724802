"""Run a decoder on one untrusted file in a separate, resource-limited process.

The web process never decodes a buyer's file: Pillow and FFmpeg parse hostile photos and
containers in C, so a crash, a runaway allocation (a 367 KB PNG that declares 89
megapixels) or an endless demux loop must cost a child process, not a worker. A plain
subprocess (rather than multiprocessing with spawn) is used because it needs no pickling
or re-import of Django, can be killed on a wall-clock timeout, and speaks JSON on stdout,
so the parent trusts nothing but a small dictionary it validates itself.

The child caps its own address space and CPU time before importing any decoder, then
runs one entry point: ``photo`` (``photo_probe.examine``) or ``video``
(``video_probe.examine``). Whatever an entry point writes (derivatives, a remuxed original)
goes to the work directory the parent gave it, and nowhere else.

Run as ``python -m disputes.evidence.sandbox ENTRY ARGUMENTS_JSON``.
"""

import importlib
import json
import resource
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

# A 50-megapixel RGBA photo decodes to 200 MB; FFmpeg's libraries, one decoding thread and
# a 4K frame fit with room to spare. Anything needing more is hostile or not a phone's.
ADDRESS_SPACE_BYTES = 1024**3
# A legitimate 3-minute 1080p phone video needs a small part of this (docs/uploads.md).
CPU_SECONDS = 20
# Well under gunicorn's timeout (gunicorn.conf.py), which must also cover the upload.
TIMEOUT_SECONDS = 30.0

ENTRY_POINTS = {
    "photo": "disputes.evidence.photo_probe",
    "video": "disputes.evidence.video_probe",
}

PROJECT_ROOT = Path(__file__).resolve().parents[2]

# What a child prints: a JSON object, trusted for nothing until its reader has checked it.
Answer = dict[str, Any]


class SandboxError(Exception):
    """The child gave no usable answer: it timed out or printed something malformed."""


class SandboxTimeout(SandboxError):
    """The child did not finish within the wall-clock timeout."""


class SandboxCrashed(SandboxError):
    """The child died: killed by its memory or CPU cap, or crashed inside a decoder."""


def run(entry: str, *, timeout: float = TIMEOUT_SECONDS, **arguments: object) -> Answer:
    """Run ``entry`` with ``arguments`` in a capped child process; return its JSON answer."""
    if entry not in ENTRY_POINTS:
        raise ValueError(f"unknown sandbox entry point {entry!r}")
    command = [sys.executable, "-E", "-m", __name__, entry, json.dumps(arguments)]
    try:
        completed = subprocess.run(
            command,
            cwd=PROJECT_ROOT,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        raise SandboxTimeout(f"{entry} exceeded {timeout} s") from error
    if completed.returncode != 0:
        raise SandboxCrashed(f"{entry} exited with {completed.returncode}")
    try:
        answer = json.loads(completed.stdout)
    except ValueError as error:
        raise SandboxError(f"{entry} printed malformed output") from error
    if not isinstance(answer, dict):
        raise SandboxError(f"{entry} printed {type(answer).__name__}, not an object")
    return answer


def typed[T](answer: Mapping[str, object], key: str, kind: type[T]) -> T | None:
    """``answer[key]``, None when absent; a value of another type than ``kind`` raises
    TypeError, for the caller to refuse the whole answer as malformed."""
    value = answer.get(key)
    if value is not None and (not isinstance(value, kind) or isinstance(value, bool)):
        raise TypeError(f"{key} is {type(value).__name__}, not {kind.__name__}")
    return value


def _limit_resources() -> None:
    """Cap the child's memory and CPU time before any decoder is loaded."""
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE_BYTES, ADDRESS_SPACE_BYTES))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS))


def main(argv: list[str]) -> None:
    """The child: run one entry point on the arguments and print its answer as JSON."""
    _limit_resources()
    entry, arguments = argv
    if entry not in ENTRY_POINTS:
        raise SystemExit(f"unknown sandbox entry point {entry!r}")
    module = importlib.import_module(ENTRY_POINTS[entry])
    print(json.dumps(module.examine(**json.loads(arguments))))


if __name__ == "__main__":
    main(sys.argv[1:])
