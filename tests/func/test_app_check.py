"""`doit verify app=true` against a stand-in of the web app that really loads the published models
from their pinned URIs (a raw server over a bare remote) and runs them in onnxruntime."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from app_server import app_server_fixture as app_server  # noqa: F401  (fixture)
from raw_server import raw_server_fixture as raw_server  # noqa: F401  (fixture)

MANIFEST = "web/public/fixtures/dev.json"
DATA = "web/public/data"
TEMPLATE = "{base}/owner/repo/{{commit}}/artifacts/run_export/{{filename}}"
TOKEN = "s3cret-reload-token"


def sh(cwd: Path, *args: str) -> str:
    return subprocess.run(args, cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


def doit(root: Path, *args: str, token: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key != "RELOAD_TOKEN"}
    if token is not None:
        env["RELOAD_TOKEN"] = token
    return subprocess.run(
        [sys.executable, "-m", "doit", *args], cwd=root, capture_output=True, text=True, env=env
    )


@pytest.fixture
def published(project, tmp_path, raw_server):  # noqa: F811
    """The sample published with push=true, its URIs pinned to a raw server over the bare remote."""
    bare = tmp_path / "remote.git"
    sh(tmp_path, "git", "init", "--quiet", "--bare", str(bare))
    sh(project, "git", "remote", "add", "origin", str(bare))
    template = TEMPLATE.format(base=raw_server(bare))
    with (project / "pyproject.toml").open("a") as pyproject:
        pyproject.write("\n[tool.web-assets.app-test]\n")
    text = (project / "pyproject.toml").read_text().replace("[tool.web-assets.app-test]\n", "")
    text = text.replace("[tool.web-assets]\n", f'[tool.web-assets]\nuri_template = "{template}"\n')
    (project / "pyproject.toml").write_text(text)
    sh(project, "git", "commit", "--quiet", "-am", "pin uris to the test remote")
    sh(project, "git", "push", "--quiet", "origin", "main")
    result = doit(project, "push=true")
    assert result.returncode == 0, result.stdout + result.stderr
    return project


def check(root: Path, url: str, *settings: str, token: str | None = None):
    result = doit(root, "verify", "app=true", f"app_url={url}", *settings, token=token)
    lines = [line for line in result.stdout.splitlines() if line.startswith("verify: app: ")]
    return result, result.stdout + result.stderr, lines


def app(app_server, root: Path, *flags: str) -> str:  # noqa: F811
    return app_server(root / MANIFEST, root / DATA, *flags)


def test_the_app_serving_the_release_is_confirmed_with_coverage_and_parity(published, app_server):  # noqa: F811
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


def test_a_stale_app_is_named_until_reloaded(published, app_server):  # noqa: F811
    url = app(app_server, published, "--token", TOKEN)
    doit(published, "verify", "app=true", f"app_url={url}", token=TOKEN)  # the app caches this run
    manifest = published / MANIFEST
    document = json.loads(manifest.read_text())
    old = document["run_id"]
    document["run_id"] = "run_20260101-000000"
    manifest.write_text(json.dumps(document, indent=2) + "\n")
    sh(published, "git", "commit", "--quiet", "-am", "a new run")
    result = doit(published, "push=true", "run_id=run_20260101-000000")
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
def test_each_fault_is_one_named_line(published, app_server, flags, settings, token, words):  # noqa: F811
    url = app(app_server, published, *flags)
    if "501" in words:
        # An app with no token that never loaded the release: it keeps what it cached.
        app_server_state = doit(published, "verify", "app=true", f"app_url={url}")
        assert app_server_state.returncode == 0
        document = json.loads((published / MANIFEST).read_text())
        document["run_id"] = "run_20260101-000000"
        (published / MANIFEST).write_text(json.dumps(document, indent=2) + "\n")
        sh(published, "git", "commit", "--quiet", "-am", "a new run")
        assert doit(published, "push=true", "run_id=run_20260101-000000").returncode == 0
    result, text, problems = check(published, url, *settings, token=token)
    assert result.returncode != 0
    assert [p for p in problems if words in p], text
    assert "Traceback" not in text
    if token:
        assert token not in text


def test_a_different_model_than_published_fails_parity(published, app_server, tmp_path):  # noqa: F811
    other = tmp_path / "other.onnx"
    # Another published model of the same width: the app runs it under this id.
    width = len(
        json.loads(
            (
                published / "artifacts/run_export/market_gradient_boost_preprocessing.json"
            ).read_text()
        )["feature_names"]
    )
    sh(
        published,
        sys.executable,
        "-c",
        f"import sys; sys.path.insert(0, 'scripts'); import random, make_sample; open({str(other)!r}, 'wb').write(make_sample.tree_ensemble({width}, random.Random(99)).SerializeToString())",
    )
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
