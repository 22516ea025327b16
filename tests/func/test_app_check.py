"""`doit verify app=true`, and a publish with `app_url` and `push=true`, against a stand-in of the
web app that really loads the published models from their pinned URIs (a raw server over a bare
remote) and runs them in onnxruntime.

The sample is published with push=true once per module, into a template; each test gets its own
copy of the project and of the bare remote, which the module's raw server then serves.
"""

from __future__ import annotations

import importlib.util
import json
import os
import random
import re
import shutil
import subprocess
import sys
import threading
import urllib.request
from pathlib import Path
from typing import NamedTuple

import pytest

from testing.raw_server import make_server

MANIFEST = "web/public/fixtures/dev.json"
DATA = "web/public/data"
TEMPLATE = "{base}/owner/repo/{{commit}}/artifacts/run_export/{{filename}}"
TOKEN = "s3cret-reload-token"
NEW_RUN = "run_20260101-000000"
STOPPED = "Stopped: a step failed"


def sh(cwd: Path, *args: str) -> str:
    return subprocess.run(args, cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


def doit(root: Path, *args: str, token: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key != "RELOAD_TOKEN"}
    if token is not None:
        env["RELOAD_TOKEN"] = token
    return subprocess.run(
        [sys.executable, "-m", "doit", *args], cwd=root, capture_output=True, text=True, env=env
    )


class Remote(NamedTuple):
    """The module's raw server, serving whatever bare repository `link` points to."""

    folder: Path
    link: Path
    url: str


@pytest.fixture(scope="module")
def remote(tmp_path_factory):
    folder = tmp_path_factory.mktemp("app-remote")
    link = folder / "remote.git"
    server = make_server(link, stale=False, truncate=None, cors=False)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield Remote(folder, link, f"http://127.0.0.1:{server.server_address[1]}")
    server.shutdown()
    server.server_close()


def point(link: Path, bare: Path) -> None:
    """The raw server serves `bare` from now on."""
    new = link.with_name(link.name + ".new")
    new.unlink(missing_ok=True)
    new.symlink_to(bare)
    os.replace(new, link)


def build_template(project: Path, remote: Remote) -> None:
    """The sample published with push=true, its URIs pinned to the raw server over its remote."""
    template, bare = remote.folder / "project", remote.folder / "template.git"
    shutil.copytree(project, template, symlinks=True)
    sh(remote.folder, "git", "init", "--quiet", "--bare", str(bare))
    point(remote.link, bare)
    sh(template, "git", "remote", "add", "origin", str(bare))
    pinned = TEMPLATE.format(base=remote.url)
    text = (template / "pyproject.toml").read_text()
    # The sample names its own template: the test's pins replace it.
    text = re.sub(r"(?m)^uri_template = .*$", f'uri_template = "{pinned}"', text)
    (template / "pyproject.toml").write_text(text)
    sh(template, "git", "commit", "--quiet", "-am", "pin uris to the test remote")
    sh(template, "git", "push", "--quiet", "origin", "main")
    result = doit(template, "push=true")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture
def published(project, tmp_path, remote):
    """A copy of the published template and of its bare remote, which the raw server serves."""
    if not (remote.folder / "project").exists():
        build_template(project, remote)  # in the first test: its git identity is pinned
    root, bare = tmp_path / "published", tmp_path / "remote.git"
    shutil.copytree(remote.folder / "project", root, symlinks=True)
    shutil.copytree(remote.folder / "template.git", bare, symlinks=True)
    sh(root, "git", "remote", "set-url", "origin", str(bare))
    point(remote.link, bare)
    return root


def served(url: str) -> str:
    """The run the app serves; asking makes it load (and cache) the manifest, as the app does."""
    with urllib.request.urlopen(f"{url}/api/status", timeout=30) as answer:
        return json.load(answer)["run_id"]


def new_run(root: Path, *settings: str, token: str | None = None):
    """Publish a new run id with push=true: a new release for the app to serve."""
    return doit(root, "push=true", f"run_id={NEW_RUN}", *settings, token=token)


def check(root: Path, url: str, *settings: str, token: str | None = None):
    result = doit(root, "verify", "app=true", f"app_url={url}", *settings, token=token)
    lines = [line for line in result.stdout.splitlines() if line.startswith("verify: app: ")]
    return result, result.stdout + result.stderr, lines


def app(app_server, root: Path, *flags: str) -> str:
    return app_server(root / MANIFEST, root / DATA, *flags)


def test_the_app_serving_the_release_is_confirmed_with_coverage_and_parity(published, app_server):
    url = app(app_server, published, "--token", TOKEN)
    result, text, problems = check(published, url, token=TOKEN)
    assert result.returncode == 0, text
    run_id = json.loads((published / MANIFEST).read_text())["run_id"]
    assert f"live in the app: run {run_id}, version 7, 3 models from their pinned URIs" in text
    assert "app coverage performance_dense on dataset rows: 24 of 24 features" in text
    # An upcoming match is built from team snapshots: the sample's columns are not among them.
    assert (
        "app coverage financial_lens on upcoming fixtures: 0 of 8 features; filled with 0:" in text
    )
    assert TOKEN not in text and problems == []


def test_a_stale_app_is_named_until_reloaded(published, app_server):
    url = app(app_server, published, "--token", TOKEN)
    served(url)  # the app caches this run
    old = json.loads((published / MANIFEST).read_text())["run_id"]
    result = new_run(published)
    assert result.returncode == 0, result.stdout + result.stderr

    result, text, problems = check(published, url, "app_wait=1")
    assert result.returncode != 0
    assert any(
        f"still serves run {old}, version 7, not run run_20260101-000000" in p for p in problems
    ), text
    result, text, _ = check(published, url, "app_wait=5", token=TOKEN)
    assert result.returncode == 0, text
    assert "live in the app: run run_20260101-000000" in text


@pytest.mark.parametrize(
    ("flags", "settings", "token", "words"),
    [
        (["--token", TOKEN], [], "wrong-token", "refused the reload token from $RELOAD_TOKEN (401"),
        ([], ["app_wait=1"], TOKEN, "no RELOAD_TOKEN configured (501)"),
        (
            ["--fallback", "market_gradient_boost"],
            [],
            None,
            "model market_gradient_boost did not run in the app: heuristic fallback on 6 of 6",
        ),
        (
            ["--omit", "feature_011"],
            ["max_missing_features=0"],
            None,
            "model market_gradient_boost on dataset rows: the app fills 1 feature(s) with 0, more than max_missing_features=0: feature_011",
        ),
        (
            ["--feature-dataset-version", "6"],
            ["app_wait=2"],
            None,
            "FEATURE_DATASET_VERSION=6 in the app's environment overrides the manifest's dataset_version 7",
        ),
        (["--slow"], ["app_wait=1"], None, "did not answer within app_wait (1 s)"),
    ],
    ids=["401", "501", "fallback", "omitted", "feature-dataset-version", "slow"],
)
def test_each_fault_is_one_named_line(published, app_server, flags, settings, token, words):
    url = app(app_server, published, *flags)
    if "501" in words:
        # An app with no token that never loaded the release: it keeps what it cached.
        served(url)
        assert new_run(published).returncode == 0
    result, text, problems = check(published, url, *settings, token=token)
    assert result.returncode != 0
    assert [p for p in problems if words in p], text
    assert "Traceback" not in text
    # A read-only command never speaks of a stopped publish.
    assert STOPPED not in text
    if token:
        assert token not in text


def test_a_different_model_than_published_fails_parity(published, app_server, tmp_path):
    other = tmp_path / "other.onnx"
    # Another model of the same width, as a retrained run would give: the app runs it under this id.
    bundle = published / "artifacts/run_export/market_gradient_boost_preprocessing.json"
    width = len(json.loads(bundle.read_text())["feature_names"])
    spec = importlib.util.spec_from_file_location(
        "make_sample", published / "scripts/make_sample.py"
    )
    make_sample = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_sample)
    other.write_bytes(make_sample.tree_ensemble(width, random.Random(99)).SerializeToString())
    url = app(app_server, published, "--swap", f"market_gradient_boost={other}")
    result, text, problems = check(published, url)
    assert result.returncode != 0
    assert any(
        p.startswith("verify: app: parity market_gradient_boost:")
        and "not running what was published" in p
        for p in problems
    ), text
    assert any("model market_gradient_boost is loaded from" in p for p in problems), text


def test_an_app_that_is_down_is_named_within_app_wait(published):
    result, text, problems = check(published, "http://127.0.0.1:9", "app_wait=2")
    assert result.returncode != 0
    assert any("still serves no answer (connection refused)" in p for p in problems), text


def test_a_publish_with_app_url_ends_with_the_apps_confirmation(published, app_server):
    url = app(app_server, published, "--token", TOKEN)
    assert served(url) != NEW_RUN  # the app caches the template's run
    result = new_run(published, f"app_url={url}", "app_wait=20", token=TOKEN)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[-2].endswith("pushed to origin main: live."), result.stdout
    assert lines[-1] == (
        f"live in the app: run {NEW_RUN}, version 7, 3 models from their pinned URIs, "
        "parity within 1e-4"
    )
    assert TOKEN not in result.stdout + result.stderr
    again = new_run(published, f"app_url={url}", token=TOKEN)
    assert again.returncode == 0
    assert again.stdout.splitlines()[-1] == "Nothing to publish: every step is up to date."


def test_a_publish_the_app_does_not_run_says_pushed_but_and_the_way_back(published, app_server):
    before = json.loads((published / MANIFEST).read_text())["run_id"]
    url = app(app_server, published, "--fallback", "market_gradient_boost")
    result = new_run(published, f"app_url={url}", "app_wait=5")
    assert result.returncode != 0
    last = result.stdout.splitlines()[-1]
    assert last.startswith(
        f"Pushed, but the app at {url} does not serve it as published: model "
        "market_gradient_boost did not run in the app: heuristic fallback on 6 of 6"
    ), result.stdout
    way_back = re.search(
        r"The way back: `doit rollback to=([0-9a-f]{10}) push=true` \(version 7", last
    )
    assert way_back, last
    # The commit it names holds the release before this one.
    named = json.loads(sh(published, "git", "show", f"{way_back[1]}:{MANIFEST}"))
    assert named["run_id"] == before
    assert STOPPED not in result.stdout + result.stderr
    # Pushed all the same: the remote has the new release, which a rollback would replace.
    assert sh(published, "git", "rev-parse", "origin/main") == sh(
        published, "git", "rev-parse", "HEAD"
    )
