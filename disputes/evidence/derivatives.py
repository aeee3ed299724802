"""Re-encoded copies of evidence that pages may show; never the original bytes.

A derivative is a fresh JPEG built from decoded pixels only: EXIF orientation applied,
colours converted to sRGB, transparency flattened on white, and no metadata, so GPS
positions and payloads hidden in a valid image (a JPEG that is also a ZIP) are gone.
"""

import io

from PIL import Image, ImageCms, ImageOps
from pillow_heif import register_heif_opener

from disputes.evidence.probe import ProbeError, probe_video

DISPLAY_MAX_SIDE = 1600
THUMBNAIL_MAX_SIDE = 320
JPEG_QUALITY = 85

# Pillow has no "MPO" opener: its JPEG opener returns an MPO image when it finds one.
PHOTO_FORMATS = ("JPEG", "PNG", "WEBP", "AVIF", "HEIF")

SRGB_PROFILE = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))

register_heif_opener()


def make_photo_derivatives(path):
    """Return ``(display_jpeg, thumbnail_jpeg)`` for an accepted photo at ``path``."""
    with Image.open(path, formats=PHOTO_FORMATS) as image:
        upright = ImageOps.exif_transpose(image)
        rgb = to_srgb(upright)
    return encode_jpeg(rgb, DISPLAY_MAX_SIDE), encode_jpeg(rgb, THUMBNAIL_MAX_SIDE)


def make_video_poster(path, mime):
    """Return a JPEG of the first decodable frame of the accepted video at ``path``.

    The frame is decoded by the probe worker, so PyAV never runs in the web process.
    """
    facts = probe_video(path, mime, poster=True)
    if facts.poster_jpeg is None:
        raise ProbeError("no decodable frame for a poster")
    return facts.poster_jpeg


def to_srgb(image):
    """Return ``image`` as an RGB image in sRGB, with any transparency on white."""
    icc_profile = image.info.get("icc_profile")
    if _has_alpha(image):
        image = _flatten_on_white(image)
    if icc_profile:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
            return ImageCms.profileToProfile(image, source, SRGB_PROFILE, outputMode="RGB")
        except Exception:
            # A broken or mismatched profile is dropped; the pixels are taken as sRGB.
            pass
    return image.convert("RGB")


def encode_jpeg(image, max_side=DISPLAY_MAX_SIDE):
    """Encode ``image`` as a metadata-free JPEG whose longest side is at most ``max_side``."""
    resized = image.convert("RGB")
    resized.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    # Pillow's JPEG writer copies a comment from ``info``: a polyglot's payload lives there.
    resized.info = {}
    buffer = io.BytesIO()
    resized.save(buffer, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    return buffer.getvalue()


def _has_alpha(image):
    """Tell whether ``image`` carries transparency, as a channel or a palette entry."""
    return image.mode in ("RGBA", "LA", "PA", "La", "RGBa") or "transparency" in image.info


def _flatten_on_white(image):
    """Composite a transparent image onto an opaque white background."""
    rgba = image.convert("RGBA")
    background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    return Image.alpha_composite(background, rgba).convert("RGB")
