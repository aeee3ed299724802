"""Demux, check and remux one video inside the sandbox (``disputes.evidence.sandbox``).

The web process never imports PyAV. In one pass over the whole file the child:

- measures the duration from the packets themselves (the last timestamp plus its
  duration), since the header's duration is only a claim an editor can change;
- hands every video packet to the decoder, which fully decodes the keyframes and parses
  the others, so a body that turns to noise after its first frame is found;
- copies the video and audio packets, untouched, into a new container with no metadata,
  so the stored original no longer carries, say, an iPhone's GPS position;
- writes the display and thumbnail JPEGs of the first decoded frame.

The parent (``probe_video``) gets the facts; the rules are applied by
``disputes.evidence.inspect``.
"""

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

from . import sandbox

if TYPE_CHECKING:
    # Only for annotations: the web process never imports PyAV (see above).
    from av.container import InputContainer
    from av.video.frame import VideoFrame
    from av.video.stream import VideoStream

VIDEO_CODECS = frozenset({"h264", "hevc", "vp8", "vp9", "av1"})

# The demuxer is forced from the libmagic type so FFmpeg never guesses from the content or
# the name; "mov" reads MP4, M4V and QuickTime, "matroska" reads WebM. The remuxed copy is
# written in the container it came in.
DEMUXERS = {
    "video/mp4": "mov",
    "video/x-m4v": "mov",
    "video/quicktime": "mov",
    "video/webm": "matroska",
}
MUXERS = {
    "video/mp4": "mp4",
    "video/x-m4v": "mp4",
    "video/quicktime": "mov",
    "video/webm": "webm",
}

REMUXED_FILE = "original"

# The sample entry an iPhone writes for HEVC, and the only one Apple's players (Safari,
# iOS, QuickTime) play; FFmpeg's MP4 and QuickTime muxers write "hev1" unless told.
APPLE_HEVC_TAG = "hvc1"


@dataclass(frozen=True)
class VideoFacts:
    """What the child found in a container; ``remuxed`` is the copy in the work directory."""

    readable: bool
    has_video: bool = False
    codec: str | None = None
    codec_label: str | None = None
    width: int | None = None
    height: int | None = None
    declared_seconds: float | None = None
    measured_seconds: float | None = None
    decoded: bool = False
    remuxed: Path | None = None


def probe_video(
    path: Path, mime: str, workdir: Path, *, timeout: float = sandbox.TIMEOUT_SECONDS
) -> VideoFacts:
    """Examine the video at ``path`` with the demuxer of ``mime`` in the sandbox.

    Raises ``sandbox.SandboxError`` when the child gives no usable answer.
    """
    answer = sandbox.run(
        "video", timeout=timeout, path=str(Path(path).resolve()), mime=mime, workdir=str(workdir)
    )
    return facts_from_answer(answer, Path(workdir))


def facts_from_answer(answer: sandbox.Answer, workdir: Path) -> VideoFacts:
    """Build VideoFacts from the child's answer, refusing anything malformed."""
    try:
        if answer.get("decoded") and answer.get("measured_seconds") is None:
            raise ValueError("a decoded video without its measured duration")
        return VideoFacts(
            readable=bool(answer["readable"]),
            has_video=bool(answer.get("has_video", False)),
            codec=sandbox.typed(answer, "codec", str),
            codec_label=sandbox.typed(answer, "codec_label", str),
            width=sandbox.typed(answer, "width", int),
            height=sandbox.typed(answer, "height", int),
            declared_seconds=_seconds(answer.get("declared_seconds")),
            measured_seconds=_seconds(answer.get("measured_seconds")),
            decoded=bool(answer.get("decoded", False)),
            remuxed=workdir / REMUXED_FILE if answer.get("remuxed") else None,
        )
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise sandbox.SandboxError("the video probe answered malformed facts") from error


def _seconds(value: float | str | None) -> float | None:
    return None if value is None else float(value)


def examine(path: str, mime: str, workdir: str) -> sandbox.Answer:
    """In the child: describe the first video stream of ``path``; if its codec is allowed,
    check every packet, remux the file and write the derivatives into ``workdir``."""
    import av

    try:
        container = av.open(path, format=DEMUXERS[mime], options={"protocol_whitelist": "file"})
    except Exception:
        return {"readable": False}
    with container:
        if not container.streams.video:
            return {"readable": True, "has_video": False}
        video = container.streams.video[0]
        facts = {
            "readable": True,
            "has_video": True,
            # The format's name ("av1"), not the decoder's ("libdav1d").
            "codec": video.codec_context.codec.canonical_name,
            "codec_label": video.codec_context.codec.long_name,
            "width": video.codec_context.width,
            "height": video.codec_context.height,
            "declared_seconds": _declared_seconds(container, video),
        }
        if facts["codec"] not in VIDEO_CODECS:
            return facts
        output = Path(workdir) / REMUXED_FILE
        try:
            first_frame, measured = _check_and_remux(container, video, output, MUXERS[mime])
        except Exception:
            # A packet the decoder refuses, or one the muxer cannot take: not kept.
            output.unlink(missing_ok=True)
            return facts
        if first_frame is None or measured is None:
            return facts
        from disputes.evidence.derivatives import write_derivatives

        write_derivatives(first_frame.to_image(), workdir)
        return facts | {
            "width": first_frame.width,
            "height": first_frame.height,
            "measured_seconds": measured,
            "decoded": True,
            "remuxed": True,
        }


def _declared_seconds(container: "InputContainer", stream: "VideoStream") -> float | None:
    """The duration the header claims: the container's, else the stream's, else None."""
    import av

    if container.duration is not None:
        return container.duration / av.time_base
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    return None


def _check_and_remux(
    container: "InputContainer", video: "VideoStream", output: Path, muxer: str
) -> tuple["VideoFrame | None", float | None]:
    """Demux every packet once: decode the video's, copy the video's and audio's to ``output``.

    Returns the first decoded frame (None if no frame decodes) and the duration spanned
    by the packets' timestamps, in seconds.
    """
    import av

    # One decoding thread: each extra thread reserves its own stack under RLIMIT_AS.
    video.codec_context.thread_count = 1
    kept = [video, *container.streams.audio]
    first_frame: VideoFrame | None = None
    start: Fraction | None = None
    end: Fraction | None = None
    # A new container carries only what is copied into it: packets, not metadata. Each
    # stream keeps its decoder's codec (opaque): no encoder is needed to copy packets, and
    # AV1, read by libdav1d, has none of that name.
    with av.open(str(output), "w", format=muxer) as remuxed:
        copies = {}
        for stream in kept:
            copies[stream.index] = copy = remuxed.add_stream_from_template(stream, opaque=True)
            if stream.codec_tag == APPLE_HEVC_TAG:
                copy.codec_tag = APPLE_HEVC_TAG
        for packet in container.demux(kept):
            if packet.stream.index == video.index:
                for frame in video.decode(packet):
                    if first_frame is None:
                        first_frame = frame
                        # From now on only keyframes are decoded whole, the bulk of the
                        # cost; every other packet is still parsed, which is where noise
                        # in the body shows. Until a frame came out, all are decoded: an
                        # edit list may hide the frames before its start.
                        video.codec_context.skip_frame = "NONKEY"
            if packet.dts is None:
                continue  # the empty packet that flushes a decoder at the end
            if packet.pts is not None:
                if packet.duration is None:
                    raise ValueError("a timed packet without a duration")
                # Packets before zero are cut by an edit list: they are never shown.
                packet_start = max(packet.pts * packet.time_base, Fraction(0))
                packet_end = (packet.pts + packet.duration) * packet.time_base
                start = packet_start if start is None else min(start, packet_start)
                end = packet_end if end is None else max(end, packet_end)
            packet.stream = copies[packet.stream.index]
            remuxed.mux(packet)
    if start is None or end is None:
        return first_frame, None
    return first_frame, float(end - start)
