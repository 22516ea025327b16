"""verify live: every uri fetched from a real raw.githubusercontent-style server over a bare repo."""

from __future__ import annotations

import hashlib
import socket
import threading
import urllib.request

import pytest

from testing.raw_server import make_bare
from web_assets.verify.live import LiveEntry, check_uris

MODEL = "artifacts/run_export/performance_dense.onnx"
BUNDLE = "artifacts/run_export/performance_dense_preprocessing.json"
# A retrained model often keeps its size: only the SHA-256 tells the two apart.
OLD, NEW = b"old model " * 6000, b"new model " * 6000
BUNDLE_BYTES = b'{"feature_names": ["a", "b"]}'


@pytest.fixture
def remote(tmp_path):
    """A bare remote whose main holds two publishes; the second changed only the model."""
    bare = tmp_path / "remote.git"
    first, second = make_bare(bare, [{MODEL: OLD, BUNDLE: BUNDLE_BYTES}, {MODEL: NEW}])
    return bare, first, second


def entries(base: str, ref: str, model: bytes = NEW) -> list[LiveEntry]:
    def entry(label: str, path: str, data: bytes) -> LiveEntry:
        uri = f"{base}/Owner/Repo/{ref}/{path}"
        return LiveEntry(label, uri, hashlib.sha256(data).hexdigest(), len(data))

    return [
        entry("models/performance_dense", MODEL, model),
        entry("preprocessing/performance_dense", BUNDLE, BUNDLE_BYTES),
    ]


def test_commit_pinned_uris_answer_the_published_bytes(remote, raw_server):
    bare, _, second = remote
    base = raw_server(bare)
    assert check_uris(entries(base, second)) == []
    assert check_uris(entries(base, "main")) == []


def test_the_server_answers_like_raw_githubusercontent(remote, raw_server):
    bare, first, _ = remote
    base = raw_server(bare)
    with urllib.request.urlopen(f"{base}/Owner/Repo/{first}/{MODEL}") as pinned:
        assert pinned.read() == OLD and pinned.headers["Cache-Control"] is None
    with urllib.request.urlopen(f"{base}/Owner/Repo/main/{MODEL}") as branch:
        assert branch.read() == NEW and branch.headers["Cache-Control"] == "max-age=300"
        assert branch.headers["Content-Length"] == str(len(NEW))


def test_a_missing_file_is_one_404_line_naming_the_entry(remote, raw_server):
    bare, _, second = remote
    base = raw_server(bare)
    listed = [
        *entries(base, second),
        LiveEntry("models/ghost", f"{base}/O/R/{second}/ghost.onnx", "0" * 64, 1),
    ]
    problems = check_uris(listed)
    assert len(problems) == 1
    assert problems[0].startswith("models/ghost: HTTP 404 from ")


def test_a_stale_cdn_is_caught_on_branch_uris_but_commit_uris_are_immune(remote, raw_server):
    bare, _, second = remote
    stale = raw_server(bare, "--stale")
    problems = check_uris(entries(stale, "main"))
    assert len(problems) == 1
    assert problems[0].startswith("models/performance_dense: wrong bytes from ")
    assert "pin uris to a commit" in problems[0]
    assert check_uris(entries(stale, second)) == []


def test_a_truncated_transfer_is_caught(remote, raw_server):
    bare, _, second = remote
    base = raw_server(bare, "--truncate", "1000")
    problems = check_uris(entries(base, second))
    assert problems == [
        f"models/performance_dense: truncated: {base}/Owner/Repo/{second}/{MODEL} answered 1000 "
        f"of the manifest's {len(NEW)} bytes."
    ]


def test_a_file_longer_than_the_manifest_says_is_caught(remote, raw_server):
    bare, first, _ = remote
    base = raw_server(bare)
    shorter = b"old model " * 10
    listed = [
        LiveEntry(
            "models/m",
            f"{base}/O/R/{first}/{MODEL}",
            hashlib.sha256(shorter).hexdigest(),
            len(shorter),
        )
    ]
    [problem] = check_uris(listed)
    assert problem.startswith("models/m: ") and "more than the manifest's 100 bytes" in problem


@pytest.fixture
def silent_port():
    """A port whose server accepts connections (the kernel's backlog) and never answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield listener.getsockname()[1]


def test_a_server_that_never_answers_is_a_timeout_line(silent_port):
    entry = LiveEntry(
        "models/slow", f"http://127.0.0.1:{silent_port}/o/r/main/m.onnx", "0" * 64, 10
    )
    [problem] = check_uris([entry], timeout=0.5)
    assert problem.startswith("models/slow: timed out")


@pytest.fixture
def trickle_port():
    """A server that sends its headers, then one byte at a time, each well within any read timeout."""
    stop = threading.Event()
    listener = socket.create_server(("127.0.0.1", 0))

    def serve():
        connection, _ = listener.accept()
        with connection:
            connection.recv(65536)
            connection.sendall(b"HTTP/1.0 200 OK\r\nContent-Length: 1000\r\n\r\n")
            while not stop.wait(0.05):
                try:
                    connection.sendall(b"x")
                except OSError:
                    return

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join(timeout=10)
    listener.close()


def test_a_server_too_slow_to_finish_meets_the_deadline(trickle_port):
    entry = LiveEntry("models/trickle", f"http://127.0.0.1:{trickle_port}/m.onnx", "0" * 64, 1000)
    [problem] = check_uris([entry], timeout=1.0, min_rate=1000)
    assert (
        problem.startswith("models/trickle: ") and "took longer than 2 s for 1000 bytes" in problem
    )


def test_a_closed_port_is_connection_refused():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    entry = LiveEntry("preprocessing/x", f"http://127.0.0.1:{port}/o/r/main/x.json", "0" * 64, 10)
    assert check_uris([entry]) == [
        f"preprocessing/x: connection refused: http://127.0.0.1:{port}/o/r/main/x.json."
    ]


def test_only_http_uris_are_fetched_and_credentials_are_not_shown(tmp_path):
    local = tmp_path / "m.onnx"
    local.write_bytes(b"x")
    listed = [
        LiveEntry("models/file", local.as_uri(), "0" * 64, 1),
        LiveEntry(
            "models/signed",
            "http://user:secret@127.0.0.1:9/m.onnx?X-Amz-Signature=abc",
            "0" * 64,
            1,
        ),
    ]
    problems = check_uris(listed, timeout=2)
    assert problems[0].startswith("models/file: file:///") and "not an http(s) uri" in problems[0]
    assert (
        problems[1].startswith("models/signed: ") and "http://127.0.0.1:9/m.onnx?…" in problems[1]
    )
    assert "secret" not in problems[1] and "abc" not in problems[1]
