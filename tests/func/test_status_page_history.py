"""The status page's release history and shift plots in Chromium, on releases made by doit."""

from __future__ import annotations

import pytest

from testing.doit import run_doit
from testing.project import MODELS, clone_tree
from testing.published_history import HAND_RUN_ID
from testing.servers import serve_in_thread
from testing.status_release import (
    METRICS,
    SHIFT_POINTS,
    publish_with_metrics,
    shift_points,
    write_shift_points,
)
from web_assets_doit.serve import make_server

HOSTILE = '<img src=x onerror="window.pwned = 1">'


@pytest.fixture
def published(history_template, tmp_path):
    """Releases 7 to 11 (8 to 10 by doit, 11 by hand) in a copy of the template."""
    root, commits = history_template
    return clone_tree(root, tmp_path / "project"), commits


def open_page(browser, root, query: str = ""):
    """The status page of `root` (with `query`), once its checks are done; closed after."""
    for url in serve_in_thread(make_server(root)):
        page = browser.new_page()
        page.goto(f"{url}/web/public/assets.html{query}")
        page.wait_for_selector("body[data-state=done]", timeout=30_000)
        yield page
        page.close()


def history_rows(page) -> list[dict[str, str]]:
    cells = ("version", "run-id", "trained", "commit", "changes", "metrics")
    return [
        {
            "class": row.get_attribute("class") or "",
            **{name: row.query_selector(f"td.{name}").inner_text() for name in cells},
        }
        for row in page.query_selector_all("#history tbody tr")
    ]


def test_the_history_lists_each_release_newest_first_with_what_it_changed(browser, published):
    root, commits = published
    for page in open_page(browser, root):
        rows = history_rows(page)
        note = page.inner_text("#history-note")
    assert [row["version"] for row in rows] == ["11", "10", "9", "8", "7"]
    assert [row["commit"] for row in rows] == [commits[v][:8] for v in ("11", "10", "9", "8", "7")]
    assert rows[0]["run-id"] == HAND_RUN_ID
    assert "models changed: market_gradient_boost" in rows[0]["changes"]
    assert rows[0]["changes"].endswith("(by hand, no lock file)")
    for version, row in zip((10, 9, 8), rows[1:4], strict=True):
        assert row["run-id"] == f"run_202512{version:02d}-120000"
        assert row["trained"] == f"2025-12-{version:02d}"
        assert f"models changed: {', '.join(sorted(MODELS))}" in row["changes"]
        assert row["metrics"] == "\u2013"
    assert rows[4]["changes"].startswith("first release")
    assert note == "5 releases, newest first."


def test_a_rollback_is_marked_and_n_bounds_the_rows(browser, published):
    root, commits = published
    result = run_doit(root, "rollback", "to=8")
    assert result.status == 0, result.text
    for page in open_page(browser, root, "?history=2"):
        rows = history_rows(page)
        note = page.inner_text("#history-note")
    assert [row["version"] for row in rows] == ["8", "11"]
    assert "rollback" in rows[0]["class"].split()
    assert rows[0]["changes"].endswith(f"(rollback to 8, commit {commits['8'][:8]})")
    assert "rollback" not in rows[1]["class"].split()
    assert "older ones not shown: open the page with ?history=10" in note


def test_a_bad_history_count_is_one_line_on_the_page(browser, published):
    root, _ = published
    for page in open_page(browser, root, "?history=lots"):
        note = page.inner_text("#history-note")
        shown = page.is_visible("#history")
    assert note == (
        "Could not load the release history: ?history=: n='lots': say how many releases "
        "to list, 1 to 50"
    )
    assert not shown


def test_a_release_with_metrics_shows_them_and_its_shift_plots(browser, published):
    root, _ = published
    publish_with_metrics(root, 12)
    labels = [HOSTILE, "2024-2025 2025-05-25 Arsenal v Chelsea", "2024-2025 2025-05-25 A v B"]
    write_shift_points(root, 12, shift_points(labels, MODELS[:2]))
    for page in open_page(browser, root):
        rows = history_rows(page)
        plots = page.query_selector_all("#plots svg.shift")
        models = [plot.get_attribute("data-model") for plot in plots]
        points = len(page.query_selector_all("#plots svg.shift circle.point"))
        titles = [t.text_content() for t in page.query_selector_all("circle.point title")]
        headings = [p.query_selector_all("text.title")[1].text_content() for p in plots]
        injected = page.evaluate("window.pwned") or page.query_selector("img")
    assert rows[0]["version"] == "12"
    assert rows[0]["metrics"].splitlines() == [
        f"{model}: accuracy {values['accuracy']}, log_loss {values['log_loss']}"
        for model, values in METRICS.items()
    ]
    assert models == MODELS[:2]
    assert points == 2 * 3 * 3  # models x fixtures x outcomes
    assert titles[0].startswith(f"{HOSTILE}: home ") and " \u2192 " in titles[0]
    assert not injected
    assert all(h.startswith("mean |dp| 0.") and h.endswith(" of 3 picks changed") for h in headings)


def test_points_of_another_version_or_none_draw_no_plot(browser, published):
    root, _ = published
    # The last publish that ran the models left its points: this machine has none now.
    (root / SHIFT_POINTS).unlink(missing_ok=True)
    for page in open_page(browser, root):
        absent = page.inner_text("#shift")
    write_shift_points(root, 9, shift_points(["a v b"], MODELS))
    for page in open_page(browser, root):
        other = page.inner_text("#shift")
        plots = len(page.query_selector_all("#plots svg"))
    assert "No prediction shift for version 11 here: it was measured on another machine" in absent
    assert f"({SHIFT_POINTS} is absent;" in absent
    assert other.startswith(f"No plot: {SHIFT_POINTS} holds the shift of version 9, not of ")
    assert plots == 0


def test_points_of_the_wrong_shape_are_one_line_not_a_plot(browser, published):
    root, _ = published
    points = shift_points(["a v b", "c v d"], MODELS[:1])
    points[MODELS[0]]["new"].pop()
    write_shift_points(root, 11, points)
    for page in open_page(browser, root):
        said = page.inner_text("#shift")
        plots = len(page.query_selector_all("#plots svg"))
    assert said == (
        f"No plot: {SHIFT_POINTS} models['{MODELS[0]}'] has no \"new\" list, one per fixture. "
        "A publish whose models run writes it again."
    )
    assert plots == 0
