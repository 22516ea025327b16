"""storage = "s3" with a store that accepts connections and never answers (a stopped server)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading

import pytest

from testing.project import without_git_template

# Generous: proves "bounded", never tuned to timing. s3_timeout is 1 s below.
BOUND = 60.0


@pytest.fixture
def hung_store():
    """A TCP server on 127.0.0.1 that accepts every connection and never says a word; its url."""
    stop = threading.Event()
    held: list[socket.socket] = []
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)

    def accept() -> None:
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    stop.set()
    thread.join(timeout=10)
    for connection in held:
        connection.close()
    listener.close()


def git(root, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(root), *args], check=True, capture_output=True, text=True
    ).stdout.strip()


def test_a_hung_store_fails_in_bounded_time_saying_its_timeouts(project, hung_store):
    pyproject = project / "pyproject.toml"
    store = "\n".join(
        [
            'storage = "s3"',
            's3_bucket = "models"',
            f's3_endpoint_url = "{hung_store}"',
            's3_region = "us-east-1"',
            f'public_base_url = "{hung_store}/models"',
            "s3_timeout = 1",
        ]
    )
    text = pyproject.read_text().replace("version = 7\n", f"version = 7\n{store}\n")
    pyproject.write_text(without_git_template(text))
    git(project, "commit", "--quiet", "--all", "-m", "models in the object store")
    head = git(project, "rev-parse", "HEAD")
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test-secret"}
    result = subprocess.run(
        [sys.executable, "-m", "doit"],
        cwd=project,
        capture_output=True,
        text=True,
        env=env,
        timeout=BOUND,
    )
    text = result.stdout + result.stderr
    assert result.returncode != 0
    assert (
        f"cannot reach bucket 'models' at {hung_store} (ReadTimeoutError: no answer within 1 s "
        "(s3_timeout), 2 attempts): check s3_endpoint_url" in text
    )
    assert "Traceback" not in text
    assert git(project, "rev-parse", "HEAD") == head
