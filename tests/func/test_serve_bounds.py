"""`doit serve` on hostile files and idle clients: no handler waits for good, only regular files."""

from __future__ import annotations

import json
import os
import socket
import urllib.error
import urllib.request

import pytest

from testing.servers import serve_in_thread
from web_assets_doit.serve import make_server

MANIFEST = "web/public/fixtures/dev.json"
LOCK = "web-assets.lock.json"
# Generous: proves "bounded", never tuned to timing.
BOUND = 30.0


@pytest.fixture
def serving(project):
    """Start the status server on `project` with an idle timeout of 1 s; its base url."""
    for url in serve_in_thread(make_server(project, idle_timeout=1.0)):
        yield f"{url}/"


def status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=BOUND) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as err:
        err.close()
        return err.code


def first_model(project) -> str:
    return json.loads((project / MANIFEST).read_text())["models"][0]["path"]


def test_a_fifo_named_by_the_manifest_is_a_404_not_a_hung_request(project, serving):
    model = first_model(project)
    (project / model).unlink()
    os.mkfifo(project / model)
    assert status(serving + model) == 404
    assert status(serving + "web/public/assets.html") == 200


def test_a_fifo_in_place_of_the_lock_file_does_not_hang_the_page(project, serving):
    (project / LOCK).unlink()
    os.mkfifo(project / LOCK)
    assert status(serving + "web/public/assets.html") == 200
    assert status(serving + LOCK) == 404
    assert status(serving + first_model(project)) == 200


def test_an_idle_connection_is_closed_by_the_server(serving):
    host, port = serving.removeprefix("http://").rstrip("/").split(":")
    with socket.create_connection((host, int(port)), timeout=BOUND) as idle:
        # Nothing sent: the server hangs up (an empty read) instead of holding a thread for good.
        assert idle.recv(1024) == b""
