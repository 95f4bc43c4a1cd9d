"""Checking and re-encoding uploaded images before anything is stored.

An upload is accepted only when Pillow recognises it from its content as PNG, JPEG or WebP,
it is at most 2 MB and 4096 x 4096 pixels with no side more than 8 times the other, decodes completely and carries nothing after the
end of the image. It is then re-encoded from its pixels alone, which drops EXIF, ICC profiles
and any other metadata. SVG is refused: a sanitiser is one bug away from stored XSS on every
commune's host, and the portal needs no vector logo. The stored renditions are fixed here, once.
"""

from __future__ import annotations

import hashlib
import io
import struct
import warnings
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

MAX_BYTES = 2 * 1024 * 1024
MAX_SIDE = 4096
MAX_PIXELS = MAX_SIDE * MAX_SIDE
# Neither side may be more than 8 times the other (a 4096 x 1 "logo" is no logo), and a logo
# rendition is at most 4 times as wide as high: renditions stay small and fast to make.
MAX_ASPECT_RATIO = 8
MAX_LOGO_WIDTH_PER_HEIGHT = 4
ACCEPTED_FORMATS = ("PNG", "JPEG", "WEBP")
CONTENT_TYPES = {"png": "image/png", "webp": "image/webp"}


@dataclass(frozen=True)
class Rendition:
    """One derived file: its stored name (with content hash) and bytes."""

    name: str
    data: bytes

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.name.rsplit(".", 1)[1]]


def read_upload(upload: UploadedFile) -> bytes:
    """The upload's bytes, refusing anything above ``MAX_BYTES`` without reading it all."""
    if upload.size is not None and upload.size > MAX_BYTES:
        raise _too_large()
    upload.seek(0)
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise _too_large()
    return data


def _too_large() -> ValidationError:
    return ValidationError(
        _("The file is larger than %(limit)s."), code="too_large", params={"limit": filesizeformat(MAX_BYTES)}
    )


def open_checked(data: bytes) -> Image.Image:
    """Decode ``data`` as PNG, JPEG or WebP within the limits, or raise ``ValidationError``."""
    head = data[:1024].lstrip().lower()
    if head.startswith((b"<?xml", b"<svg", b"<!doctype")) or b"<svg" in head:
        raise ValidationError(_("SVG files are not accepted. Please upload the logo as PNG, JPEG or WebP."), code="svg")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
            if image.width > MAX_SIDE or image.height > MAX_SIDE:
                raise ValidationError(
                    _("The image is %(width)s x %(height)s pixels; at most %(max)s x %(max)s are accepted."),
                    code="too_many_pixels",
                    params={"width": image.width, "height": image.height, "max": MAX_SIDE},
                )
            if max(image.width, image.height) > MAX_ASPECT_RATIO * min(image.width, image.height):
                raise ValidationError(
                    _("The image is %(width)s x %(height)s pixels; one side may be at most %(ratio)s times the other."),
                    code="aspect_ratio",
                    params={"width": image.width, "height": image.height, "ratio": MAX_ASPECT_RATIO},
                )
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise ValidationError(
            _("The image has too many pixels (at most %(max)s x %(max)s are accepted)."),
            code="decompression_bomb",
            params={"max": MAX_SIDE},
        ) from error
    except UnidentifiedImageError as error:
        raise ValidationError(
            _("The file is not a PNG, JPEG or WebP image (whatever its name says)."), code="wrong_type"
        ) from error
    except (OSError, SyntaxError, ValueError, struct.error) as error:
        raise ValidationError(_("The image is damaged or incomplete."), code="damaged") from error
    if _trailing_bytes(data, image.format or ""):
        raise ValidationError(
            _("The file contains other data after the end of the image and is not accepted."), code="polyglot"
        )
    return image


def _trailing_bytes(data: bytes, image_format: str) -> bool:
    """Whether anything follows the image's own end (a polyglot file)."""
    end = {"PNG": _png_end, "JPEG": _jpeg_end, "MPO": _jpeg_end, "WEBP": _webp_end}.get(image_format)
    return end is None or end(data) != len(data)


def _png_end(data: bytes) -> int:
    """Offset after the ``IEND`` chunk, found by walking the chunks."""
    pos = 8
    while pos + 12 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        pos += 12 + length
        if kind == b"IEND":
            return pos
    return -1


def _jpeg_end(data: bytes) -> int:
    """Offset after the last frame's ``EOI`` marker, found by walking segments and scans."""
    pos = 2
    while pos + 2 <= len(data):
        if data[pos] != 0xFF:
            return -1
        marker = data[pos + 1]
        if marker == 0xD9:
            pos += 2
            if not data.startswith(b"\xff\xd8", pos):
                return pos
            pos += 2  # MPO: another JPEG frame follows
            continue
        if marker == 0xFF or 0xD0 <= marker <= 0xD7 or marker == 0x01:
            pos += 1 if marker == 0xFF else 2
            continue
        if pos + 4 > len(data):
            return -1
        pos += 2 + struct.unpack(">H", data[pos + 2 : pos + 4])[0]
        while marker == 0xDA:  # entropy-coded data up to the next marker that is no stuffing or restart
            pos = data.find(b"\xff", pos)
            if pos < 0 or pos + 1 >= len(data):
                return -1
            if data[pos + 1] != 0x00 and not 0xD0 <= data[pos + 1] <= 0xD7:
                break
            pos += 2
    return -1


def _webp_end(data: bytes) -> int:
    """Offset after the RIFF container, from its size field."""
    return 8 + struct.unpack("<I", data[4:8])[0] if len(data) >= 8 else -1


def _clean(image: Image.Image) -> Image.Image:
    """The pixels alone in RGBA, without EXIF, ICC profile, text chunks or comments."""
    clean = image.convert("RGBA")
    clean.info = {}
    return clean


def _encode(image: Image.Image, stem: str, image_format: str) -> Rendition:
    buffer = io.BytesIO()
    if image_format == "webp":
        image.save(buffer, format="WEBP", quality=85, method=4)
    else:
        image.save(buffer, format="PNG", optimize=True)
    data = buffer.getvalue()
    digest = hashlib.sha256(data).hexdigest()[:16]
    return Rendition(f"{stem}-{digest}.{image_format}", data)


def _fit_height(image: Image.Image, height: int) -> Image.Image:
    """``height`` pixels high, or less for a logo wider than ``MAX_LOGO_WIDTH_PER_HEIGHT``:1."""
    width = max(1, round(image.width * height / image.height))
    if width > MAX_LOGO_WIDTH_PER_HEIGHT * height:
        width = MAX_LOGO_WIDTH_PER_HEIGHT * height
        height = max(1, round(image.height * width / image.width))
    return image.resize((width, height), Image.Resampling.LANCZOS)


def _square(image: Image.Image, side: int) -> Image.Image:
    fitted = image.copy()
    fitted.thumbnail((side, side), Image.Resampling.LANCZOS)
    canvas = Image.new("RGBA", (side, side), (0, 0, 0, 0))
    canvas.paste(fitted, ((side - fitted.width) // 2, (side - fitted.height) // 2), fitted)
    return canvas


def logo_renditions(data: bytes) -> dict[str, Rendition]:
    """Logo at 96 px and 192 px height (1x/2x header) and favicons of 32 px and 180 px."""
    image = _clean(open_checked(data))
    image.thumbnail((768, 768), Image.Resampling.LANCZOS)  # 4x the largest rendition is plenty
    return {
        "logo_96": _encode(_fit_height(image, 96), "logo-96", "png"),
        "logo_192": _encode(_fit_height(image, 192), "logo-192", "png"),
        "favicon_32": _encode(_square(image, 32), "favicon-32", "png"),
        "favicon_180": _encode(_square(image, 180), "favicon-180", "png"),
    }


def header_renditions(data: bytes) -> dict[str, Rendition]:
    """The header image as WebP, at most 1920 px wide."""
    image = _clean(open_checked(data))
    image.thumbnail((1920, 1920), Image.Resampling.LANCZOS)
    return {"header": _encode(image, "header", "webp")}
