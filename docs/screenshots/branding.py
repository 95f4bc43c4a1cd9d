"""Take ``docs/screenshots/branding.png``: two branded portals side by side.

Run against a live server (``make run PORT=8013``) with Debian's chromium:
``.venv/bin/python docs/screenshots/branding.py http://{slug}.localhost:8013/ zeitz weisswasser``
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from PIL import Image
from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def main(url_pattern: str, slugs: list[str]) -> None:
    shots = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 720, "height": 720}, locale="de-DE")
        for slug in slugs:
            page.goto(url_pattern.format(slug=slug))
            shots.append(Image.open(io.BytesIO(page.screenshot(full_page=False))))
        browser.close()
    gap = 16
    canvas = Image.new("RGB", (sum(s.width for s in shots) + gap * (len(shots) - 1), shots[0].height), "#d0d4da")
    x = 0
    for shot in shots:
        canvas.paste(shot, (x, 0))
        x += shot.width + gap
    target = Path(__file__).with_name("branding.png")
    canvas.save(target, optimize=True)
    print(f"wrote {target} ({canvas.width}x{canvas.height})")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
