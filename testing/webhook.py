"""Webhook stand-ins for the notification tests: one that records, one that hangs, one that is down."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from testing.servers import serve_in_thread


class Recorder(ThreadingHTTPServer):
    """Answers every POST with `status`, keeping each JSON body in `received`."""

    def __init__(self, status: int = 200):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.status = status
        self.received: list[dict] = []


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        self.server.received.append(json.loads(self.rfile.read(length)))
        self.send_response(self.server.status)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, format, *args) -> None:
        pass


@contextmanager
def recording(status: int = 200) -> Iterator[tuple[str, Recorder]]:
    """A webhook on 127.0.0.1 in a thread: its URL and the server, stopped after."""
    server = Recorder(status)
    for url in serve_in_thread(server):
        yield f"{url}/hooks/T000/B000/secret-token", server


@contextmanager
def hanging() -> Iterator[str]:
    """A webhook that takes the connection and never answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/hooks/secret-token"


def down() -> str:
    """The URL of a port that nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/hooks/secret-token"
