"""The status page's line about the web app itself, in a real headless Chromium: what the app
serves and, per model, whether it ran or fell back, asked from the browser (testing/app_server.py)."""

from __future__ import annotations

import re
import threading
from pathlib import Path

import pytest

from web_assets_doit.serve import make_server

MODELS = ("financial_lens", "market_gradient_boost", "performance_dense")


@pytest.fixture
def served(project):
    server = make_server(project)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/web/public/assets.html"
    server.shutdown()
    server.server_close()


def app_lines(browser, page_url: str) -> list[tuple[str, str]]:
    page = browser.new_page()
    page.goto(page_url)
    page.wait_for_selector("body[data-state=done]", timeout=60_000)
    found = [
        (p.get_attribute("data-state"), p.inner_text()) for p in page.query_selector_all(".app")
    ]
    page.close()
    return found


def start_app(app_server, project: Path, *flags: str) -> str:
    return app_server(project / "web/public/fixtures/dev.json", project / "web/public/data", *flags)


def test_without_app_url_the_page_says_how_to_ask_the_app(browser, served):
    [(state, text)] = app_lines(browser, served)
    assert state == "unchecked"
    assert "not asked here (no app_url): `doit verify app=true` asks the app itself" in text


def test_the_apps_answer_per_model_ran_or_fell_back_with_coverage(
    browser, served, project, app_server
):
    # The sample's URIs name github.com, out of reach here: the app falls back for every model.
    url = start_app(app_server, project, "--cors")
    found = app_lines(browser, f"{served}?app={url}")
    (state, run_line), *models = found
    assert state == "ok" and run_line.startswith(f"The app at {url} serves run ")
    assert run_line.endswith(", version 7: this release")
    by_id = {text.split(":")[0]: (state, text) for state, text in models}
    assert sorted(by_id) == list(MODELS)
    state, text = by_id["performance_dense"]
    assert state == "failed" and "fell back to the heuristic" in text
    assert re.search(r"; \d+ of 24 features on \S+ v \S+", text), text


def test_an_app_the_browser_cannot_read_is_named_with_the_way_to_check_it(
    browser, served, project, app_server
):
    url = start_app(app_server, project)  # no CORS header: the browser may not read its answers
    [(state, text)] = app_lines(browser, f"{served}?app={url}")
    assert state == "unchecked"
    assert f"The app at {url} did not answer this page" in text and "doit verify app=true" in text
