"""The status page's ?live=1 against a server answering an endless body: it reads size_bytes + 1."""

from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

from testing.servers import serve_in_thread
from web_assets_doit.serve import make_server

MANIFEST = "web/public/fixtures/dev.json"
MiB = 1 << 20
# The server gives up after this much, so that a page that reads on cannot take the machine down.
CAP = 64 * MiB
# What may sit in socket buffers and Chromium's network stack once the page has stopped reading.
READ_AHEAD = 32 * MiB


@pytest.fixture
def served(project):
    yield from serve_in_thread(make_server(project))


class Endless(BaseHTTPRequestHandler):
    """200 with CORS and a body that goes on (up to CAP); each response's bytes sent, recorded."""

    sent: ClassVar[list[int]] = []

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Content-Type", "application/octet-stream")
        self.end_headers()
        block, count = b"x" * (1 << 16), 0
        try:
            while count < CAP:
                self.wfile.write(block)
                count += len(block)
        except OSError:
            pass  # the page hung up: what this test hopes for
        finally:
            self.sent.append(count)
        self.close_connection = True

    def log_message(self, format: str, *args) -> None:
        pass


@pytest.fixture
def endless():
    Endless.sent = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Endless)
    server.daemon_threads = True
    yield from serve_in_thread(server)


def test_an_endless_body_is_a_red_row_after_size_bytes_plus_one(browser, served, endless, project):
    manifest_path = project / MANIFEST
    manifest = json.loads(manifest_path.read_text())
    for section in ("models", "preprocessing"):
        for entry in manifest[section]:
            entry["uri"] = f"{endless}/{entry['path']}"
    manifest_path.write_text(json.dumps(manifest, indent=2))
    sizes = {f"models/{entry['id']}": entry["size_bytes"] for entry in manifest["models"]}

    page = browser.new_page()
    page.goto(f"{served}/web/public/assets.html?live=1")
    page.wait_for_selector("body[data-state=done]", timeout=60_000)
    live = {
        f"{row.get_attribute('data-section')}/{row.get_attribute('data-id')}": (
            row.get_attribute("data-live"),
            row.query_selector(".live").inner_text(),
        )
        for row in page.query_selector_all("#files tbody tr")
    }
    page.close()
    for label, size in sizes.items():
        uri = f"{endless}/artifacts/run_export/{label.split('/')[1]}.onnx"
        assert live[label] == (
            "failed",
            f"\u2718 live: {uri} answered more than the manifest's {size} B",
        )
    assert Endless.sent and max(Endless.sent) < READ_AHEAD
