"""Read, decode and re-encode one photo inside the sandbox (``disputes.evidence.sandbox``).

The parent (``probe_photo``) learns the photo's format, size and frame count, whether
every byte of its first frame decodes, and finds its display and thumbnail JPEGs in the
work directory; the rules are applied by ``disputes.evidence.inspect``.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from PIL import Image
from pillow_heif import register_heif_opener

from . import sandbox
from .derivatives import decode_for_display, write_derivatives

register_heif_opener()


@dataclass(frozen=True)
class PhotoFacts:
    """What the child found in a photo."""

    readable: bool
    image_format: str | None = None
    width: int | None = None
    height: int | None = None
    frames: int = 1
    decoded: bool = False

    @property
    def pixels(self) -> int:
        return (self.width or 0) * (self.height or 0)


def probe_photo(
    path: Path,
    formats: Sequence[str],
    workdir: Path,
    *,
    max_pixels: int,
    timeout: float = sandbox.TIMEOUT_SECONDS,
) -> PhotoFacts:
    """Examine the photo at ``path`` with the Pillow plugins ``formats`` in the sandbox.

    Raises ``sandbox.SandboxError`` when the child gives no usable answer.
    """
    answer = sandbox.run(
        "photo",
        timeout=timeout,
        path=str(Path(path).resolve()),
        formats=list(formats),
        workdir=str(workdir),
        max_pixels=max_pixels,
    )
    try:
        return PhotoFacts(
            readable=bool(answer["readable"]),
            image_format=sandbox.typed(answer, "image_format", str),
            width=sandbox.typed(answer, "width", int),
            height=sandbox.typed(answer, "height", int),
            frames=int(answer.get("frames", 1)),
            decoded=bool(answer.get("decoded", False)),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise sandbox.SandboxError("the photo probe answered malformed facts") from error


def examine(path: str, formats: list[str], workdir: str, max_pixels: int) -> sandbox.Answer:
    """In the child: describe the photo and, within ``max_pixels``, decode it and write
    its derivatives to ``workdir``."""
    # The limit is applied below, with the photo's size in hand, before any pixel is decoded.
    Image.MAX_IMAGE_PIXELS = None
    try:
        with Image.open(path, formats=formats) as image:
            width, height = image.size
            facts = {
                "readable": True,
                "image_format": image.format,
                "width": width,
                "height": height,
                "frames": getattr(image, "n_frames", 1),
            }
    except Exception:
        return {"readable": False}
    if width * height > max_pixels:
        return facts
    try:
        _decode(path, formats, workdir)
    except Exception:
        # Pillow reports damage as OSError, SyntaxError, IndexError, ValueError and more.
        return facts
    return facts | {"decoded": True}


def _decode(path: str, formats: list[str], workdir: str) -> None:
    """Check the photo's structure, decode every byte of its first frame, write derivatives.

    Both checks are needed: a truncated JPEG passes verify() but fails to decode, and a
    truncated PNG fails verify() but decodes.
    """
    with Image.open(path, formats=formats) as image:
        image.verify()
    with Image.open(path, formats=formats) as image:
        write_derivatives(decode_for_display(image), workdir)
