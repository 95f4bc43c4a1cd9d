"""WCAG 2.1 contrast of the brand colours against the white text the portal puts on them."""

from __future__ import annotations

import colorsys
import re

HEX_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
TEXT_ON_BRAND = "#ffffff"
MIN_CONTRAST = 4.5


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def _rgb(color: str) -> tuple[int, int, int]:
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


def relative_luminance(color: str) -> float:
    """Relative luminance of a ``#rrggbb`` colour (WCAG 2.1)."""
    r, g, b = (_channel(v) for v in _rgb(color))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(first: str, second: str) -> float:
    """Contrast ratio between two ``#rrggbb`` colours, from 1 to 21."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def passes(color: str, text: str = TEXT_ON_BRAND) -> bool:
    """Whether normal-size ``text`` on ``color`` reaches WCAG 2.1 AA (4.5:1)."""
    return contrast_ratio(color, text) >= MIN_CONTRAST


def nearest_passing(color: str, text: str = TEXT_ON_BRAND) -> str:
    """The shade of ``color`` closest in HSL lightness (same hue and saturation) that passes."""
    if passes(color, text):
        return color.lower()
    h, lightness, s = colorsys.rgb_to_hls(*(v / 255 for v in _rgb(color)))
    # White text: darken; black text: lighten. Steps of 0.5 % lightness keep the hue recognisable.
    step = -0.005 if relative_luminance(text) > 0.5 else 0.005
    while 0 <= lightness <= 1:
        lightness += step
        candidate = "#{:02x}{:02x}{:02x}".format(
            *(round(v * 255) for v in colorsys.hls_to_rgb(h, min(max(lightness, 0), 1), s))
        )
        if passes(candidate, text):
            return candidate
    return "#000000" if step < 0 else "#ffffff"
