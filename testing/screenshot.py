"""The status page's screenshot for the docs, from a real history: `python -m testing.screenshot OUT.png`.

Run from the repository: it builds releases 8 to 11 as the tests do, rolls back to 9, publishes 12
with run metrics, and shoots the page with 12's shift plots (the publish's own points when it
wrote them, else made up from its fixtures) in headless Chromium. Nothing outside a temporary
folder is written but OUT.png.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import pytest

from testing.browser import CHROMIUM, CHROMIUM_ARGS, status_page
from testing.doit import run_doit
from testing.gitrepo import pin_git_environment
from testing.project import MODELS, sample_repo
from testing.published_history import build
from testing.servers import serve_in_thread
from testing.status_release import (
    SHIFT_POINTS,
    fixture_labels,
    publish_with_metrics,
    shift_points,
    write_shift_points,
)
from web_assets_doit.serve import make_server

VERSION = 12


def project_with_history(folder: Path) -> Path:
    """Releases 7 to 12 (11 by hand, a rollback to 9, 12 with metrics) and 12's shift points."""
    root = sample_repo(folder / "project")
    build(root)
    rollback = run_doit(root, "rollback", "to=9")
    assert rollback.status == 0, rollback.text
    publish_with_metrics(root, VERSION)
    points = root / SHIFT_POINTS
    if not points.exists() or f'"version": {VERSION}' not in points.read_text():
        dataset = f"web/public/data/Dataset_Version_{VERSION}.csv"
        write_shift_points(root, VERSION, shift_points(fixture_labels(root, dataset, 19), MODELS))
    return root


def shoot(root: Path, out: Path) -> None:
    from playwright.sync_api import sync_playwright

    for url in serve_in_thread(make_server(root)):
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = status_page(browser, f"{url}/")
            page.set_viewport_size({"width": 1240, "height": 900})
            page.screenshot(path=str(out), full_page=True)
            browser.close()


def main(out: str) -> None:
    with tempfile.TemporaryDirectory() as temp, pytest.MonkeyPatch.context() as patch:
        pin_git_environment(patch, Path(temp) / "home")
        shoot(project_with_history(Path(temp)), Path(out).resolve())


if __name__ == "__main__":
    main(sys.argv[1])
