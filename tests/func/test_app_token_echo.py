"""An app that echoes the reload token back: the token is never printed nor kept in a problem."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from web_assets.verify.app import Target, check_app

TOKEN = "TOPSECRET-42"


class Echo(BaseHTTPRequestHandler):
    """Answers every request with the token it was sent, as run_id and in an error."""

    def _answer(self) -> None:
        token = self.headers.get("x-reload-token", "")
        body = json.dumps({"ok": True, "run_id": token, "errors": [token]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, format: str, *args) -> None:
        pass


@pytest.fixture
def echo_app():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Echo)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_token_the_app_echoes_back_is_never_said(echo_app):
    said: list[str] = []
    target = Target(url=echo_app, run_id="run_1", version="7", models=(), wait=0.5)
    report = check_app(
        target,
        [],
        ("RELOAD_TOKEN", TOKEN),
        lambda model, rows: [],
        say=said.append,
        sleep=lambda seconds: None,
    )
    assert any("reloaded" in line for line in said), said
    everything = "\n".join([*said, *report.problems, *report.notes])
    assert TOKEN not in everything
    assert "***" in everything
