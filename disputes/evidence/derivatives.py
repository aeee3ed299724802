"""Re-encoded copies of evidence that pages may show; never the original bytes.

A derivative is a fresh JPEG built from decoded pixels only: EXIF orientation applied,
colours converted to sRGB, transparency flattened on white, and no metadata, so GPS
positions and payloads hidden in a valid image (a JPEG that is also a ZIP) are gone.

Derivatives are made inside the sandbox (``disputes.evidence.sandbox``), by the same
child that decoded the file, and written to its work directory under the names below.
"""

import io
from pathlib import Path

from PIL import Image, ImageCms, ImageOps

DISPLAY_MAX_SIDE = 1600
THUMBNAIL_MAX_SIDE = 320
JPEG_QUALITY = 85

DISPLAY_FILE = "display.jpg"
THUMBNAIL_FILE = "thumbnail.jpg"

ALPHA_MODES = frozenset({"LA", "RGBA"})

SRGB_PROFILE = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


def decode_for_display(image: Image.Image) -> Image.Image:
    """Decode ``image`` (a Pillow image fresh from ``open``); return it at display size.

    A JPEG is decoded at 1/2 to 1/8 of its size (``draft``, in the DCT domain) yet still
    reads every byte, so damage is found. Other formats are decoded whole and reduced at
    once, so that at most one full-size copy ever exists.
    """
    target = _fitted(image.size, DISPLAY_MAX_SIDE)
    image.draft(None, target)
    image.load()
    factor = min(image.width // target[0], image.height // target[1])
    if factor > 1 and image.mode in ALPHA_MODES:
        image = _reduced_per_band(image, factor)
    image.thumbnail((DISPLAY_MAX_SIDE, DISPLAY_MAX_SIDE), Image.Resampling.LANCZOS)
    return image


def _reduced_per_band(image: Image.Image, factor: int) -> Image.Image:
    """``image`` reduced by ``factor``, one band at a time.

    Pillow reduces a transparent image by first converting all of it to premultiplied
    alpha: a second full-size copy (200 MB more for 50 megapixels). Box-averaging each
    band on its own costs a quarter of that; the faint fringe it can leave along
    transparent edges is flattened on white with the rest. The result is at least the
    display size, and the final resampling is done on it.
    """
    bands = [image.getchannel(band).reduce(factor) for band in image.getbands()]
    reduced = Image.merge(image.mode, bands)
    reduced.info = dict(image.info)
    return reduced


def write_derivatives(image: Image.Image, workdir: str | Path) -> None:
    """Write the display and thumbnail JPEGs of a decoded picture into ``workdir``."""
    rgb = to_srgb(ImageOps.exif_transpose(image))
    (Path(workdir) / DISPLAY_FILE).write_bytes(encode_jpeg(rgb, DISPLAY_MAX_SIDE))
    (Path(workdir) / THUMBNAIL_FILE).write_bytes(encode_jpeg(rgb, THUMBNAIL_MAX_SIDE))


def to_srgb(image: Image.Image) -> Image.Image:
    """Return ``image`` as an RGB image in sRGB, with any transparency on white."""
    icc_profile = image.info.get("icc_profile")
    if _has_alpha(image):
        image = _flatten_on_white(image)
    if icc_profile:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
            converted = ImageCms.profileToProfile(image, source, SRGB_PROFILE, outputMode="RGB")
            # Pillow answers None only for a conversion in place, which this is not.
            if converted is not None:
                return converted
        except Exception:
            # A broken or mismatched profile is dropped; the pixels are taken as sRGB.
            pass
    return image.convert("RGB")


def encode_jpeg(image: Image.Image, max_side: int = DISPLAY_MAX_SIDE) -> bytes:
    """Encode ``image`` as a metadata-free JPEG whose longest side is at most ``max_side``."""
    resized = image.convert("RGB")
    resized.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    # Pillow's JPEG writer copies a comment from ``info``: a polyglot's payload lives there.
    resized.info = {}
    buffer = io.BytesIO()
    resized.save(buffer, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    return buffer.getvalue()


def _fitted(size: tuple[int, int], max_side: int) -> tuple[int, int]:
    """``size`` scaled down, keeping its proportions, to fit in a ``max_side`` square."""
    width, height = size
    scale = min(1, max_side / max(width, height, 1))
    return max(1, round(width * scale)), max(1, round(height * scale))


def _has_alpha(image: Image.Image) -> bool:
    """Tell whether ``image`` carries transparency, as a channel or a palette entry."""
    return image.mode in ("RGBA", "LA", "PA", "La", "RGBa") or "transparency" in image.info


def _flatten_on_white(image: Image.Image) -> Image.Image:
    """Composite a transparent image onto an opaque white background."""
    rgba = image.convert("RGBA")
    background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    return Image.alpha_composite(background, rgba).convert("RGB")
