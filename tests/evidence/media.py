"""Small media files written on the fly for the evidence tests."""

import io
import zipfile

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


def write_video(path, *, codec="libx264", container="mp4", seconds=1.0, fps=10, size=(64, 48)):
    """Encode a short video of coloured frames with PyAV."""
    pixel_format = "yuvj420p" if codec == "mjpeg" else "yuv420p"
    with av.open(str(path), "w", format=container) as output:
        stream = output.add_stream(codec, rate=fps)
        stream.width, stream.height = size
        stream.pix_fmt = pixel_format
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
