"""The status page in a real headless Chromium, against the project served over HTTP."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import urllib.request

import pytest

from testing.browser import status_page
from testing.raw_server import make_bare

MODEL = "artifacts/run_export/market_gradient_boost.onnx"


def rows(page) -> dict[str, tuple[str, str]]:
    """(section/id) -> (status, status text) for every row."""
    found = {}
    for row in page.query_selector_all("#files tbody tr"):
        key = f"{row.get_attribute('data-section')}/{row.get_attribute('data-id')}"
        found[key] = (row.get_attribute("data-status"), row.query_selector(".status").inner_text())
    return found


def summaries(page) -> list[str]:
    return [line.inner_text() for line in page.query_selector_all(".summary")]


def test_the_published_sample_is_all_green(browser, served, project, tmp_path):
    page = status_page(browser, served)
    found = rows(page)
    assert len(found) == 6
    assert {status for status, _ in found.values()} == {"ok"}
    assert summaries(page) == ["3 of 3 models verified", "3 of 3 preprocessing bundles verified"]
    manifest = json.loads((project / "web/public/fixtures/dev.json").read_text())
    header = page.inner_text("#run")
    assert manifest["run_id"] in header and manifest["trained_at"] in header
    assert "14.3 KiB" in page.inner_text("#files tbody")

    shot = tmp_path / "status.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.read_bytes().startswith(b"\x89PNG") and shot.stat().st_size > 10_000
    page.close()


def test_one_changed_byte_turns_exactly_that_row_red(browser, served, project):
    path = project / MODEL
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))

    page = status_page(browser, served)
    found = rows(page)
    failed = {key: text for key, (status, text) in found.items() if status != "ok"}
    assert list(failed) == ["models/market_gradient_boost"]
    reason = failed["models/market_gradient_boost"]
    assert "SHA-256 mismatch" in reason and "SRI check failed" in reason
    assert summaries(page)[0] == "2 of 3 models verified"
    page.close()


def test_an_entry_whose_file_is_missing_is_an_error_row(browser, served, project):
    manifest_path = project / "web/public/fixtures/dev.json"
    manifest = json.loads(manifest_path.read_text())
    ghost = dict(manifest["models"][0], id="ghost", path="artifacts/run_export/ghost.onnx")
    ghost["local_path"] = ghost["path"]
    manifest["models"].append(ghost)
    manifest_path.write_text(json.dumps(manifest, indent=2))

    page = status_page(browser, served)
    status, text = rows(page)["models/ghost"]
    assert status == "failed"
    assert "file not found" in text and "HTTP 404" in text
    assert summaries(page)[0] == "3 of 4 models verified"
    page.close()


def test_a_missing_manifest_says_so(browser, served, project):
    (project / "web/public/fixtures/dev.json").unlink()
    page = status_page(browser, served)
    assert "Could not load /web/public/fixtures/dev.json: HTTP 404" in page.inner_text("#run")
    page.close()


def test_doit_serve_prints_its_address_and_stops_on_ctrl_c(project):
    process = subprocess.Popen(
        [sys.executable, "-m", "doit", "serve"],
        cwd=project,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # A shell that started pytest in the background ignores SIGINT, and children inherit that.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        first = process.stdout.readline()
        assert first.startswith("Serving ") and "http://127.0.0.1:" in first
        address = first.split(" at ")[1].strip()
        page = urllib.request.urlopen(address + "web/public/assets.html", timeout=10)
        assert page.status == 200 and b"assets.js" in page.read()
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, err
    assert "Stopped." in out and "Traceback" not in err


# ?live=1: each row also fetches its pinned uri from a raw.githubusercontent-style server.
REMOTE_PATH = "Beautiful-Game-Oracle/The-Beautiful-Game-Oracle"


@pytest.fixture
def remote(project, tmp_path):
    """A bare remote whose main has two publishes: a changed market model, then the sample's."""
    files = {
        path.relative_to(project).as_posix(): path.read_bytes()
        for path in sorted((project / "artifacts/run_export").iterdir())
    }
    changed = bytearray(files[MODEL])
    changed[len(changed) // 2] ^= 0x01
    bare = tmp_path / "remote.git"
    return bare, make_bare(bare, [{**files, MODEL: bytes(changed)}, files])


def point_uris(project, base: str, ref: str, *, missing: str | None = None) -> None:
    """Point every entry's uri at `ref` on the raw server (the `missing` id's at a file not there)."""
    manifest_path = project / "web/public/fixtures/dev.json"
    manifest = json.loads(manifest_path.read_text())
    for section in ("models", "preprocessing"):
        for entry in manifest[section]:
            path = entry["path"] + (".gone" if entry["id"] == missing else "")
            entry["uri"] = f"{base}/{REMOTE_PATH}/{ref}/{path}"
    manifest_path.write_text(json.dumps(manifest, indent=2))


def live_rows(browser, served) -> tuple[dict[str, tuple[str, str, str]], list[str]]:
    """(section/id) -> (row status, live state, live text), and the summaries, of ?live=1."""
    page = browser.new_page()
    page.goto(served + "web/public/assets.html?live=1")
    page.wait_for_selector("body[data-state=done]", timeout=30_000)
    found = {
        f"{row.get_attribute('data-section')}/{row.get_attribute('data-id')}": (
            row.get_attribute("data-status"),
            row.get_attribute("data-live"),
            row.query_selector(".live").inner_text(),
        )
        for row in page.query_selector_all("#files tbody tr")
    }
    lines = summaries(page)
    page.close()
    return found, lines


def test_live_rows_are_green_when_the_pinned_uris_answer_the_right_bytes(
    browser, served, project, remote, raw_server
):
    bare, (_, published) = remote
    point_uris(project, raw_server(bare, "--cors"), published)
    found, lines = live_rows(browser, served)
    assert len(found) == 6
    assert {(status, live) for status, live, _ in found.values()} == {("ok", "ok")}
    assert "live: the uri answers with the right bytes" in found["models/financial_lens"][2]
    assert lines[0] == "3 of 3 models verified; live: 3 of 3 answer with the right bytes"


def test_a_stale_cdn_turns_the_branch_uri_row_red_but_not_a_commit_pinned_one(
    browser, served, project, remote, raw_server
):
    bare, (_, published) = remote
    stale = raw_server(bare, "--cors", "--stale")
    point_uris(project, stale, "main")
    found, _ = live_rows(browser, served)
    failed = {key: text for key, (status, _, text) in found.items() if status != "ok"}
    assert list(failed) == ["models/market_gradient_boost"]
    assert "stale or wrong bytes" in failed["models/market_gradient_boost"]

    point_uris(project, stale, published)
    found, _ = live_rows(browser, served)
    assert {live for _, live, _ in found.values()} == {"ok"}


def test_a_uri_the_server_does_not_have_is_a_red_404_row(
    browser, served, project, remote, raw_server
):
    bare, (_, published) = remote
    point_uris(project, raw_server(bare, "--cors"), published, missing="performance_dense")
    found, lines = live_rows(browser, served)
    failed = {key: text for key, (status, _, text) in found.items() if status != "ok"}
    assert sorted(failed) == ["models/performance_dense", "preprocessing/performance_dense"]
    assert all("HTTP 404" in text for text in failed.values())
    assert lines[0] == "2 of 3 models verified; live: 2 of 3 answer with the right bytes"


def test_a_server_without_cors_leaves_rows_unchecked_not_red(
    browser, served, project, remote, raw_server
):
    bare, (_, published) = remote
    point_uris(project, raw_server(bare), published)
    found, lines = live_rows(browser, served)
    assert {(status, live) for status, live, _ in found.values()} == {("ok", "unchecked")}
    assert {text for _, _, text in found.values()} == {
        "\u2013 live: not checked (no CORS header from the server)"
    }
    assert lines[0].endswith(
        "live: 0 of 3 answer with the right bytes, 3 not checked (no CORS header)"
    )


def test_a_server_that_is_down_is_a_red_row(browser, served, project):
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    point_uris(project, f"http://127.0.0.1:{port}", "main")
    found, _ = live_rows(browser, served)
    assert {(status, live) for status, live, _ in found.values()} == {("failed", "failed")}
    assert all("live: could not fetch" in text for _, _, text in found.values())
