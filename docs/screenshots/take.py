"""Take the screenshots of the README and docs/ from a running demo (``make run``).

Run against a live server (``make run PORT=8013``) with Debian's chromium:
``.venv/bin/python docs/screenshots/take.py 8013``. It writes ``platform.png`` (the platform's
landing page), ``portal.png`` (Zeitz's portal), ``request-form.png`` (a request form) and
``branding.png`` (Zeitz and Weißwasser/O.L. side by side, each in its own branding).
``signup.png`` is written by ``tests/signup/test_browser.py``.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from PIL import Image
from playwright.sync_api import Page, sync_playwright

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parents[1]))

from tests.browser import launch  # noqa: E402

# file name → (host, path, viewport width, viewport height)
PAGES = {
    "platform.png": ("localhost", "/", 1280, 800),
    "portal.png": ("zeitz.localhost", "/", 1280, 800),
    "request-form.png": ("zeitz.localhost", "/leistungen/anwohnerparkausweis/antrag/", 1280, 900),
}
SIDE_BY_SIDE = ("branding.png", ["zeitz.localhost", "weisswasser.localhost"], 720, 720)


def shot(page: Page, url: str, width: int, height: int) -> Image.Image:
    """The visible part of ``url`` in a ``width`` by ``height`` window."""
    page.set_viewport_size({"width": width, "height": height})
    page.goto(url)
    return Image.open(io.BytesIO(page.screenshot(full_page=False)))


def side_by_side(shots: list[Image.Image], gap: int = 16) -> Image.Image:
    canvas = Image.new("RGB", (sum(s.width for s in shots) + gap * (len(shots) - 1), shots[0].height), "#d0d4da")
    x = 0
    for image in shots:
        canvas.paste(image, (x, 0))
        x += image.width + gap
    return canvas


def save(image: Image.Image, name: str) -> None:
    target = HERE / name
    image.save(target, optimize=True)
    print(f"wrote {target} ({image.width}x{image.height})")


def main(port: int) -> None:
    with sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_page(locale="de-DE")
        for name, (host, path, width, height) in PAGES.items():
            save(shot(page, f"http://{host}:{port}{path}", width, height), name)
        name, hosts, width, height = SIDE_BY_SIDE
        save(side_by_side([shot(page, f"http://{host}:{port}/", width, height) for host in hosts]), name)
        browser.close()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 8000)
