"""Probe a video with PyAV in a separate, resource-limited process.

The web process never imports PyAV: FFmpeg parses hostile containers in C, so a crash,
a runaway allocation or an endless demux loop must cost a child process, not a worker.
A plain subprocess (rather than multiprocessing with spawn) is used because it needs no
pickling or re-import of Django, can be killed on a wall-clock timeout, and speaks JSON
on stdout, so the parent trusts nothing but a small, validated dictionary.

Run as ``python -m disputes.evidence.probe PATH FORMAT [--poster]``.
"""

import base64
import json
import resource
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

VIDEO_CODECS = frozenset({"h264", "hevc", "vp8", "vp9", "av1"})

# The demuxer is forced from the libmagic type so FFmpeg never guesses from the content or
# the name; "mov" reads MP4, M4V and QuickTime, "matroska" reads WebM.
DEMUXERS = {
    "video/mp4": "mov",
    "video/x-m4v": "mov",
    "video/quicktime": "mov",
    "video/webm": "matroska",
}

ADDRESS_SPACE_BYTES = 1024**3
CPU_SECONDS = 20
DEFAULT_TIMEOUT_SECONDS = 30.0

PROJECT_ROOT = Path(__file__).resolve().parents[2]


class ProbeError(Exception):
    """The probe could not give an answer: the worker failed, timed out or lied."""


class ProbeTimeout(ProbeError):
    """The worker did not finish within the wall-clock timeout."""


@dataclass(frozen=True)
class VideoFacts:
    """What the worker found in a container; the rules are applied by the caller."""

    readable: bool
    has_video: bool = False
    codec: str | None = None
    codec_label: str | None = None
    width: int | None = None
    height: int | None = None
    duration_seconds: float | None = None
    decoded_frame: bool = False
    poster_jpeg: bytes | None = None


def probe_video(path, mime, *, timeout=DEFAULT_TIMEOUT_SECONDS, poster=False):
    """Run the worker on ``path`` with the demuxer of ``mime`` and return its VideoFacts."""
    demuxer = DEMUXERS[mime]
    command = [
        sys.executable,
        "-E",
        "-m",
        "disputes.evidence.probe",
        str(Path(path).resolve()),
        demuxer,
    ]
    if poster:
        command.append("--poster")
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
        raise ProbeTimeout(f"probe exceeded {timeout} s") from error
    if completed.returncode != 0:
        # Killed by RLIMIT_CPU/RLIMIT_AS or crashed inside FFmpeg: the file is unreadable.
        return VideoFacts(readable=False)
    return _facts_from_json(completed.stdout)


def _facts_from_json(stdout):
    """Build VideoFacts from the worker's JSON, refusing anything malformed."""
    try:
        data = json.loads(stdout)
        poster = data.get("poster_jpeg")
        return VideoFacts(
            readable=bool(data["readable"]),
            has_video=bool(data.get("has_video", False)),
            codec=data.get("codec"),
            codec_label=data.get("codec_label"),
            width=data.get("width"),
            height=data.get("height"),
            duration_seconds=data.get("duration_seconds"),
            decoded_frame=bool(data.get("decoded_frame", False)),
            poster_jpeg=base64.b64decode(poster) if poster else None,
        )
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise ProbeError("probe returned malformed output") from error


def _limit_resources():
    """Cap the worker's memory and CPU time before any decoder is loaded."""
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE_BYTES, ADDRESS_SPACE_BYTES))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS))


def _duration_seconds(container, stream):
    """Return the duration from the container, else from the stream, else None."""
    import av

    if container.duration is not None:
        return container.duration / av.time_base
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    return None


def _first_frame(container, stream):
    """Decode and return the first frame of ``stream``, or None if none decodes."""
    # One decoding thread: each extra thread reserves its own stack under RLIMIT_AS.
    stream.codec_context.thread_count = 1
    for frame in container.decode(stream):
        return frame
    return None


def examine(path, demuxer, *, poster=False):
    """Open ``path`` with the forced ``demuxer`` and describe its first video stream."""
    import av

    from disputes.evidence.derivatives import encode_jpeg

    try:
        container = av.open(str(path), format=demuxer, options={"protocol_whitelist": "file"})
    except Exception:
        return {"readable": False}
    with container:
        if not container.streams.video:
            return {"readable": True, "has_video": False}
        stream = container.streams.video[0]
        facts = {
            "readable": True,
            "has_video": True,
            "codec": stream.codec_context.name,
            "codec_label": stream.codec_context.codec.long_name,
            "width": stream.codec_context.width,
            "height": stream.codec_context.height,
            "duration_seconds": _duration_seconds(container, stream),
        }
        if facts["codec"] not in VIDEO_CODECS:
            return facts
        try:
            frame = _first_frame(container, stream)
        except Exception:
            frame = None
        facts["decoded_frame"] = frame is not None
        if frame is not None:
            facts["width"], facts["height"] = frame.width, frame.height
            if poster:
                jpeg = encode_jpeg(frame.to_image())
                facts["poster_jpeg"] = base64.b64encode(jpeg).decode("ascii")
        return facts


def main(argv):
    """Entry point of the worker: print the facts about one file as JSON."""
    _limit_resources()
    path, demuxer, *flags = argv
    if demuxer not in DEMUXERS.values():
        raise SystemExit(f"unknown demuxer {demuxer!r}")
    print(json.dumps(examine(path, demuxer, poster="--poster" in flags)))


if __name__ == "__main__":
    main(sys.argv[1:])
