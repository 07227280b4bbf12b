"""Photos of what was seen: any upload in, a clean bounded JPEG out, or a refusal.

Pure image handling (Pillow, HEIC through pillow-heif), no Flask and no SQL. Every photo
is decoded, turned upright by its EXIF orientation, copied pixel by pixel into a new
image (so nothing of the original file survives: no EXIF, GPS, camera serials, XMP,
ICC profile or comments), scaled to at most `max_px` on the long side and re-encoded
as JPEG. What does not decode as a JPEG, PNG or HEIC image is refused, and so is an image
whose pixel count could exhaust the server's memory (a decompression bomb).
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

import pillow_heif
from PIL import Image
from PIL import ImageOps

pillow_heif.register_heif_opener()

FORMATS = ("JPEG", "PNG", "HEIF")  # the decoders tried; no other Pillow plugin sees the bytes
MAX_PIXELS = 50_000_000  # a 48-megapixel phone photo passes; more is refused before decoding
JPEG_QUALITY = 85

NOT_AN_IMAGE = "not_an_image"
TOO_MANY_PIXELS = "too_many_pixels"


class PhotoRefused(Exception):
    """The upload is not a photo this app keeps; `reason` is NOT_AN_IMAGE or TOO_MANY_PIXELS."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class CleanPhoto:
    jpeg: bytes
    width: int
    height: int


def clean_photo(data: bytes, max_px: int = 1600) -> CleanPhoto:
    """The upload as a metadata-free JPEG of at most max_px on the long side; PhotoRefused otherwise."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=FORMATS) as image:
                width, height = image.size
                if width < 1 or height < 1:
                    raise PhotoRefused(NOT_AN_IMAGE)
                if width * height > MAX_PIXELS:
                    raise PhotoRefused(TOO_MANY_PIXELS)
                image.draft("RGB", (max_px, max_px))  # JPEG: decode at a reduced scale, far less memory
                image.load()
                upright = ImageOps.exif_transpose(image)
                rgb = _rgb(upright)
        rgb.thumbnail((max_px, max_px), Image.Resampling.LANCZOS)
        # A new image from the pixels alone: no `info` (EXIF, XMP, ICC, comments) comes along.
        fresh = Image.frombytes("RGB", rgb.size, rgb.tobytes())
        out = io.BytesIO()
        fresh.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
        return CleanPhoto(jpeg=out.getvalue(), width=fresh.width, height=fresh.height)
    except PhotoRefused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise PhotoRefused(TOO_MANY_PIXELS) from None
    except Exception:  # any decoder's failure on bad bytes (OSError, ValueError, SyntaxError, ...)
        raise PhotoRefused(NOT_AN_IMAGE) from None


def _rgb(image: Image.Image) -> Image.Image:
    """RGB; transparent parts become white (a PNG screenshot with an alpha channel); a 16-bit
    greyscale image is scaled to 8 bits first (Pillow's own conversion clips every value above
    255, which turns such a photo almost white)."""
    if image.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I"):
        _low, high = image.getextrema()
        scale = 255 / 65535 if high > 255 else 1
        image = image.convert("I").point(lambda value: value * scale).convert("L")
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, "white")
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return image if image.mode == "RGB" else image.convert("RGB")
