"""Small media files written on the fly for the evidence tests."""

import io
import os
import struct
import zipfile
import zlib

import av
from PIL import Image


def photo_bytes(format="JPEG", size=(64, 48), mode="RGB", color=(200, 30, 30), **save_options):
    """Return an encoded still image of one colour."""
    buffer = io.BytesIO()
    Image.new(mode, size, color).save(buffer, format=format, **save_options)
    return buffer.getvalue()


def write_photo(path, **options):
    """Write a still image to ``path`` and return the path."""
    path.write_bytes(photo_bytes(**options))
    return path


def write_animated_png(path, frames=3, size=(16, 16)):
    """Write an APNG of ``frames`` differently coloured frames."""
    images = [Image.new("RGB", size, (index * 60, 0, 0)) for index in range(frames)]
    images[0].save(path, format="PNG", save_all=True, append_images=images[1:])
    return path


def write_zip_polyglot(path):
    """Write a valid JPEG with a ZIP archive appended: both readers accept it."""
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("payload.php", "<?php echo 'hi'; ?>")
    path.write_bytes(photo_bytes() + archive.getvalue())
    return path


def write_video(
    path,
    *,
    codec="libx264",
    container="mp4",
    seconds=1.0,
    fps=10,
    size=(64, 48),
    metadata=None,
    codec_tag=None,
):
    """Encode a short video of coloured frames with PyAV, with container ``metadata``
    (and the sample entry ``codec_tag``, e.g. an iPhone's "hvc1", when given)."""
    pixel_format = "yuvj420p" if codec == "mjpeg" else "yuv420p"
    with av.open(str(path), "w", format=container) as output:
        output.metadata.update(metadata or {})
        stream = output.add_stream(codec, rate=fps)
        stream.width, stream.height = size
        stream.pix_fmt = pixel_format
        if codec_tag:
            stream.codec_tag = codec_tag
        for index in range(round(seconds * fps)):
            image = Image.new("RGB", size, (index * 20 % 256, 100, 150))
            frame = av.VideoFrame.from_image(image).reformat(format=pixel_format)
            output.mux(stream.encode(frame))
        output.mux(stream.encode())
    return path


def write_audio_only_mp4(path, seconds=0.5, rate=8000):
    """Encode an MP4 holding only a silent AAC track."""
    with av.open(str(path), "w", format="mp4") as output:
        stream = output.add_stream("aac", rate=rate, layout="mono")
        samples = 1024
        for index in range(round(seconds * rate / samples)):
            frame = av.AudioFrame(format="fltp", layout="mono", samples=samples)
            frame.planes[0].update(bytes(frame.planes[0].buffer_size))
            frame.sample_rate = rate
            frame.pts = index * samples
            output.mux(stream.encode(frame))
        output.mux(stream.encode())
    return path


MP4_CONTAINER_BOXES = frozenset({b"moov", b"trak", b"mdia"})


def set_mp4_declared_duration(path, seconds):
    """Rewrite the durations an MP4's header declares (mvhd, tkhd, mdhd) in place, leaving
    its sample tables, hence its real length, as they are."""
    data = bytearray(path.read_bytes())
    movie_timescale = None
    for kind, start in _mp4_boxes(data, 0, len(data)):
        version = data[start + 8]
        body = start + 12  # after size, type, version and flags
        if kind == b"mvhd":
            movie_timescale = _read_uint(data, body + (16 if version else 8), 4)
            _patch_duration(data, body + (20 if version else 12), version, seconds, movie_timescale)
        elif kind == b"tkhd":
            _patch_duration(data, body + (24 if version else 16), version, seconds, movie_timescale)
        elif kind == b"mdhd":
            timescale = _read_uint(data, body + (16 if version else 8), 4)
            _patch_duration(data, body + (20 if version else 12), version, seconds, timescale)
    path.write_bytes(bytes(data))
    return path


def _mp4_boxes(data, start, end):
    """Yield ``(type, offset)`` of every box under ``start``..``end``, depth first."""
    while start + 8 <= end:
        size, kind = _read_uint(data, start, 4), bytes(data[start + 4 : start + 8])
        if size < 8:
            return
        yield kind, start
        if kind in MP4_CONTAINER_BOXES:
            yield from _mp4_boxes(data, start + 8, start + size)
        start += size


def _read_uint(data, offset, length):
    return int.from_bytes(data[offset : offset + length], "big")


def _patch_duration(data, offset, version, seconds, timescale):
    length = 8 if version else 4
    data[offset : offset + length] = round(seconds * timescale).to_bytes(length, "big")


WEBM_DURATION_ID = b"\x44\x89"
UNKNOWN_ELEMENT_ID = b"\x44\x88"


def hide_webm_duration(path):
    """Rename a WebM's Duration element to an id no demuxer knows, so none is declared."""
    data = path.read_bytes()
    assert data.count(WEBM_DURATION_ID) == 1
    path.write_bytes(data.replace(WEBM_DURATION_ID, UNKNOWN_ELEMENT_ID))
    return path


def scramble_mp4_media_data(path, keep_bytes):
    """Overwrite an MP4's media data with random bytes after its first ``keep_bytes``;
    the header and its sample tables stay intact."""
    data = bytearray(path.read_bytes())
    for kind, start in _mp4_boxes(data, 0, len(data)):
        if kind == b"mdat":
            end = start + _read_uint(data, start, 4)
            assert end - start > keep_bytes * 2, "the video is too small to scramble"
            data[start + keep_bytes : end] = os.urandom(end - start - keep_bytes)
    path.write_bytes(bytes(data))
    return path


# A track header's display matrix for a portrait phone video: turned 90 degrees.
ROTATE_90 = (0, 0x10000, 0, -0x10000, 0, 0, 0, 0, 0x40000000)
TKHD_MATRIX_OFFSET = 52  # version 0: after the box header, times, track id, duration, layer


def track_matrices(path):
    """The display matrices of an MP4's track headers (version 0)."""
    data = path.read_bytes()
    return [
        struct.unpack(">9i", data[start + TKHD_MATRIX_OFFSET : start + TKHD_MATRIX_OFFSET + 36])
        for kind, start in _mp4_boxes(data, 0, len(data))
        if kind == b"tkhd"
    ]


def rotate_mp4(path, matrix=ROTATE_90):
    """Set every track header's display matrix, as a phone filming upright does."""
    data = bytearray(path.read_bytes())
    for kind, start in _mp4_boxes(data, 0, len(data)):
        if kind == b"tkhd":
            offset = start + TKHD_MATRIX_OFFSET
            data[offset : offset + 36] = struct.pack(">9i", *matrix)
    path.write_bytes(bytes(data))
    return path


def write_blank_rgba_png(path, size):
    """Write a fully transparent RGBA PNG of any size, without holding its pixels in memory.

    Pillow would need the whole picture in memory to save it; a blank one compresses to
    almost nothing, so even billions of pixels take a few MB on disk.
    """
    width, height = size
    compressor = zlib.compressobj(1)
    row = bytes(1 + width * 4)  # filter byte "none", then zeros
    idat = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8 bits, RGBA
    with open(path, "wb") as png:
        png.write(b"\x89PNG\r\n\x1a\n")
        for kind, data in ((b"IHDR", header), (b"IDAT", idat), (b"IEND", b"")):
            png.write(struct.pack(">I", len(data)) + kind + data)
            png.write(struct.pack(">I", zlib.crc32(kind + data)))
    return path
