"""verify live against hostile servers on 127.0.0.1: one deadline per file, nothing raw on the terminal."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable

import pytest

from web_assets.verify.live import LiveEntry, check_uris

# Generous: proves "bounded", never tuned to timing. The deadlines below are 2 s.
BOUND = 30.0


@pytest.fixture
def hostile():
    """Start a one-connection-at-a-time TCP server running `reply(connection, stop)`; its port."""
    stop = threading.Event()
    listeners: list[socket.socket] = []
    threads: list[threading.Thread] = []

    def start(reply: Callable[[socket.socket, threading.Event], None]) -> int:
        listener = socket.create_server(("127.0.0.1", 0))
        listener.settimeout(0.2)
        listeners.append(listener)

        def serve() -> None:
            while not stop.is_set():
                try:
                    connection, _ = listener.accept()
                except TimeoutError:
                    continue
                except OSError:
                    return
                with connection:
                    connection.settimeout(5)
                    try:
                        connection.recv(65536)
                        reply(connection, stop)
                    except OSError:
                        pass

        thread = threading.Thread(target=serve, daemon=True)
        thread.start()
        threads.append(thread)
        return listener.getsockname()[1]

    yield start
    stop.set()
    for thread in threads:
        thread.join(timeout=10)
    for listener in listeners:
        listener.close()


def drip(data: bytes, every: float) -> Callable[[socket.socket, threading.Event], None]:
    """Send `data` one byte every `every` seconds, then keep dripping header bytes."""

    def reply(connection: socket.socket, stop: threading.Event) -> None:
        for byte in data:
            if stop.wait(every):
                return
            connection.sendall(bytes([byte]))
        while not stop.wait(every):
            connection.sendall(b"a")

    return reply


def checked_within(entries: list[LiveEntry], **options) -> list[str]:
    """check_uris's lines; fails the test if it has not answered within BOUND seconds."""
    found: list[list[str]] = []
    worker = threading.Thread(
        target=lambda: found.append(check_uris(entries, **options)), daemon=True
    )
    worker.start()
    worker.join(BOUND)
    assert found, f"verify live did not answer within {BOUND:.0f} s"
    return found[0]


def test_a_server_dripping_its_headers_fails_at_the_deadline(hostile):
    # Each byte comes well within the read timeout, so only a deadline over the whole fetch ends it.
    port = hostile(drip(b"HTTP/1.1 200 OK\r\nX-Slow: ", every=0.2))
    entry = LiveEntry("models/slowloris", f"http://127.0.0.1:{port}/m.onnx", "0" * 64, 1000)
    [problem] = checked_within([entry], timeout=1.0, min_rate=1000)
    assert problem == (
        f"models/slowloris: http://127.0.0.1:{port}/m.onnx took longer than 2 s for 1000 "
        "bytes (connect, headers and body): too slow to trust, try again or check the server."
    )


def test_an_endless_body_is_read_only_one_byte_past_the_manifests_size(hostile):
    sent: list[int] = []

    def endless(connection: socket.socket, stop: threading.Event) -> None:
        connection.sendall(b"HTTP/1.0 200 OK\r\n\r\n")
        block = b"x" * 65536
        while not stop.is_set():
            connection.sendall(block)
            sent.append(len(block))

    port = hostile(endless)
    entry = LiveEntry("models/endless", f"http://127.0.0.1:{port}/m.onnx", "0" * 64, 100)
    [problem] = checked_within([entry], timeout=2.0)
    assert problem.endswith("answered more than the manifest's 100 bytes.")


def test_escapes_from_a_server_reach_the_terminal_escaped(hostile):
    port = hostile(drip(b"\x1b]0;owned\x07\x1b[2J HTTP\r\n\r\n", every=0))
    entry = LiveEntry("models/escapes", f"http://127.0.0.1:{port}/m.onnx", "0" * 64, 10)
    [problem] = checked_within([entry], timeout=2.0)
    assert "\x1b" not in problem and "\x07" not in problem
    assert "\\x1b]0;owned\\x07\\x1b[2J" in problem
    assert problem.isprintable()


def test_a_manifest_uri_with_escapes_is_shown_escaped():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    entry = LiveEntry("models/x", f"http://127.0.0.1:{port}/\x1b[31mred.onnx", "0" * 64, 10)
    [problem] = checked_within([entry], timeout=2.0)
    assert problem.startswith("models/x: ") and problem.isprintable()
    assert problem.endswith(f": http://127.0.0.1:{port}/\\x1b[31mred.onnx.")
