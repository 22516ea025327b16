"""`doit serve` serves the status page and the files it checks, to its own address only."""

from __future__ import annotations

import http.client
import json
import threading
from pathlib import Path

import pytest

from web_assets_doit.serve import make_server

MANIFEST = "web/public/fixtures/dev.json"
MODEL = "artifacts/run_export/market_gradient_boost.onnx"
DATASET = "web/public/data/Dataset_Version_7.csv"


@pytest.fixture
def server(project):
    server = make_server(project)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(10)


def get(server, path: str, host: str | None = "127.0.0.1:{port}", method: str = "GET"):
    """(status, headers, body) of one request, sent byte for byte as given (no URL clean-up).

    `host` is the Host header (`{port}` is the server's port), None for none at all.
    """
    port = server.server_address[1]
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        if host is not None:
            connection.putheader("Host", host.format(port=port))
        connection.endheaders()
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def published(project: Path) -> list[str]:
    """Every path the manifest and the lock file name."""
    manifest = json.loads((project / MANIFEST).read_text())
    lock = json.loads((project / "web-assets.lock.json").read_text())
    entries = [*manifest["models"], *manifest["preprocessing"]]
    return sorted({e["local_path"] for e in entries} | {e["path"] for e in lock["files"]})


@pytest.mark.parametrize("host", ["127.0.0.1:{port}", "localhost:{port}", "LOCALHOST:{port}"])
def test_the_page_and_every_file_it_checks_are_served_uncached(server, project, host):
    names = ["web/public/assets.html", "web/public/assets.js", MANIFEST, *published(project)]
    assert MODEL in names and DATASET in names
    for name in names:
        status, headers, body = get(server, "/" + name, host)
        assert status == 200, name
        assert body == (project / name).read_bytes(), name
        assert headers["Cache-Control"] == "no-store"
    assert get(server, "/web/public/assets.js")[1]["Content-Type"] == "text/javascript"


def test_head_answers_like_get_without_the_body(server, project):
    status, headers, body = get(server, "/" + MODEL, method="HEAD")
    assert (status, body) == (200, b"")
    assert int(headers["Content-Length"]) == (project / MODEL).stat().st_size


def test_a_file_published_by_a_later_run_is_served_at_once(server, project):
    lock_path = project / "web-assets.lock.json"
    lock = json.loads(lock_path.read_text())
    (project / "web/public/data/Dataset_Version_8.csv").write_text("season\n2025\n")
    assert get(server, "/web/public/data/Dataset_Version_8.csv")[0] == 404
    lock["files"].append({**lock["files"][0], "path": "web/public/data/Dataset_Version_8.csv"})
    lock_path.write_text(json.dumps(lock))
    assert get(server, "/web/public/data/Dataset_Version_8.csv")[:3:2] == (200, b"season\n2025\n")


@pytest.mark.parametrize(
    "path",
    [
        "/.git/config",
        "/.git/HEAD",
        "/.doit.db",
        "/.web-assets/digests.json",
        "/",
        "/web/public/",
        "/web/public/data/",
        "/artifacts/run_export/",
        "/pyproject.toml",
        "/dodo.py",
        "/web/public/../../.git/config",
        "/web/public/%2e%2e/%2e%2e/.git/config",
        "/web/public/data/.Dataset_Version_7.csv.partial",
        "/web/public/etc/passwd",
        "/web/public/etc/hostname",
        "/%ff",
    ],
)
def test_everything_else_is_not_found(server, project, path):
    (project / ".doit.db").write_bytes(b"doit state")
    (project / ".web-assets").mkdir()
    (project / ".web-assets/digests.json").write_text("{}")
    (project / "web/public/data/.Dataset_Version_7.csv.partial").write_text("half")
    (project / "web/public/etc").symlink_to("/etc")
    status, _, body = get(server, path)
    assert status == 404
    assert b"[core]" not in body and b"doit state" not in body and b"root:" not in body
    assert b"Directory listing" not in body


def test_a_named_file_is_not_served_through_a_symlink_out_of_the_project(server, project, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("outside the project")
    manifest_path = project / MANIFEST
    manifest = json.loads(manifest_path.read_text())
    manifest["models"][0]["local_path"] = "web/public/etc/hostname"
    manifest_path.write_text(json.dumps(manifest))
    (project / "web/public/etc").symlink_to("/etc")
    model = project / manifest["models"][1]["local_path"]
    model.unlink()
    model.symlink_to(secret)
    dataset = project / DATASET
    dataset.unlink()
    dataset.symlink_to(project / ".git/config")

    assert get(server, "/web/public/etc/hostname")[0] == 404
    assert get(server, "/" + manifest["models"][1]["local_path"])[:3:2] == (
        404,
        get(server, "/x")[2],
    )
    status, _, body = get(server, "/" + DATASET)
    assert status == 404 and b"[core]" not in body


def test_a_symlink_inside_the_project_to_a_named_file_is_followed(server, project):
    other = project / "artifacts/elsewhere.onnx"
    model = project / MODEL
    other.write_bytes(model.read_bytes())
    model.unlink()
    model.symlink_to(other)
    assert get(server, "/" + MODEL)[:3:2] == (200, other.read_bytes())


@pytest.mark.parametrize(
    "host",
    ["evil.example:{port}", "evil.example", "127.0.0.1", "127.0.0.1:1", "localhost", "", None],
)
def test_a_request_for_another_host_is_forbidden(server, host):
    status, _, body = get(server, "/web/public/assets.html", host)
    assert status == 403
    assert b"assets.js" not in body


def test_only_get_and_head_are_answered(server):
    assert get(server, "/web/public/assets.html", method="POST")[0] == 501
    assert get(server, "/web/public/assets.html", method="PUT")[0] == 501


def test_a_broken_pyproject_still_serves_the_default_manifest(project):
    (project / "pyproject.toml").write_text("[tool.web-assets\n")
    server = make_server(project)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        assert get(server, "/" + MANIFEST)[0] == 200
    finally:
        server.shutdown()
        server.server_close()


def test_a_manifest_configured_elsewhere_is_served_there(project):
    pyproject = project / "pyproject.toml"
    moved = project / "web/public/fixtures/prod.json"
    moved.write_bytes((project / MANIFEST).read_bytes())
    pyproject.write_text(
        pyproject.read_text().replace("[tool.web-assets]", '[tool.web-assets]\nmanifest = "%s"')
        % moved.relative_to(project).as_posix()
    )
    server = make_server(project)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        assert get(server, "/web/public/fixtures/prod.json")[0] == 200
        assert get(server, "/" + MANIFEST)[0] == 404
    finally:
        server.shutdown()
        server.server_close()
