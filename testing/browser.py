"""Debian's Chromium, headless, for the status page's tests (Playwright's own download cannot work)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Without the background-networking flags Chromium keeps calling hosts this closed network refuses.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def require_chromium() -> None:
    """Skip without Chromium, except in CI, where a missing browser is a failure."""
    if not Path(CHROMIUM).exists():
        # A newcomer's machine may lack it; CI installs it.
        why = "Chromium is needed for the status page tests: `apt-get install chromium`"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{why} (.ci/run does it)")
        pytest.skip(why)


def status_page(browser, served: str):
    """The status page of the project served at `served`, once its checks are done."""
    page = browser.new_page()
    page.goto(served + "web/public/assets.html")
    page.wait_for_selector("body[data-state=done]", timeout=30_000)
    return page
