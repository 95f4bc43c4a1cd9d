"""Debian's chromium for the browser tests and ``docs/screenshots/take.py``, started one way everywhere."""

from __future__ import annotations

import os
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# A browser test says it skipped (and why) on a machine without chromium.
needs_chromium = pytest.mark.skipif(
    not os.path.exists(CHROMIUM), reason=f"{CHROMIUM} is not installed (apt-get install chromium)"
)


def launch(playwright: Any) -> Any:
    """A headless chromium of ``playwright`` (``sync_playwright()``), without network side jobs."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
