"""How long checking and re-encoding an uploaded coat of arms takes, and the colour suggestion.

Prints figures; asserts nothing. Run with ``make bench`` or ``.venv/bin/python bench/branding_uploads.py``.
"""

from __future__ import annotations

import io
import os
import time

import django
from django.conf import settings

settings.configure(USE_I18N=False)
django.setup()

from PIL import Image, ImageDraw  # noqa: E402

from branding import colors, images  # noqa: E402


def _shield(size: int, image_format: str) -> bytes:
    image = Image.new("RGB", (size, size), "#f4f1e8")
    ImageDraw.Draw(image).polygon([(0, 0), (size, 0), (size // 2, size)], fill="#b3182f")
    buffer = io.BytesIO()
    image.save(buffer, format=image_format)
    return buffer.getvalue()


def _timed(label: str, function, repeat: int) -> None:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    for _ in range(repeat):
        function()
    print(f"{label:<58} {(time.perf_counter() - start) / repeat * 1000:8.1f} ms")


def main() -> None:
    for size, image_format in ((512, "PNG"), (2048, "PNG"), (4096, "PNG"), (2048, "JPEG")):
        data = _shield(size, image_format)
        _timed(
            f"logo {size}x{size} {image_format} ({len(data) // 1024} KiB): check + 4 renditions",
            lambda data=data: images.logo_renditions(data),
            3,
        )
    bomb = io.BytesIO()
    Image.new("1", (20000, 20000)).save(bomb, format="PNG")
    _timed(
        f"decompression bomb 20000x20000 ({len(bomb.getvalue()) // 1024} KiB): refusal",
        lambda: _refused(bomb.getvalue()),
        3,
    )
    noise = io.BytesIO()
    Image.frombytes("RGB", (800, 800), os.urandom(800 * 800 * 3)).save(noise, format="PNG")
    _timed("truncated 800x800 noise PNG: refusal", lambda: _refused(noise.getvalue()[: len(noise.getvalue()) // 2]), 3)
    _timed("nearest passing shade of #ffcc00", lambda: colors.nearest_passing("#ffcc00"), 200)


def _refused(data: bytes) -> None:
    try:
        images.open_checked(data)
    except Exception:
        return
    raise SystemExit("expected a refusal")


if __name__ == "__main__":
    Image.MAX_IMAGE_PIXELS = images.MAX_PIXELS
    main()
