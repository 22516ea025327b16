"""A project with releases 8, 9 and 10 published by doit (in-process), then one made by hand.

Built once per test session and copied for each test: a publish takes seconds. The runs live in
the project's `experiments/` folder (excluded from git), so that a copy has its own sources.
"""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

import pytest

from testing.doit import doit_here
from testing.gitrepo import git, pin_git_environment
from testing.project import EXPORT, LOCK, MANIFEST, new_run, retrain, sample_repo

HAND_RUN_ID = "run_20251215-090000"
HAND_MODEL = f"{EXPORT}/market_gradient_boost.onnx"


def run_args(root: Path, version: int) -> list[str]:
    """A new training run for `version` (its own seed), as `doit` arguments relative to `root`."""
    scratch = root / "experiments" / f"v{version}"
    run_dir = new_run(
        scratch, version=version, seed=version, name=f"run_202512{version:02d}-120000"
    )
    data = scratch / "data" / "processed"
    return [
        f"run_dir={run_dir.relative_to(root)}",
        f"dataset={(data / f'Dataset_Version_{version}.csv').relative_to(root)}",
        f"financial_dataset={(data / 'financial_dataset.csv').relative_to(root)}",
        f"version={version}",
    ]


def build(root: Path) -> dict[str, str]:
    """Publish 8, 9, 10, then release 11 by hand (a model and the manifest, no lock file).

    Returns each version's commit by name.
    """
    (root / ".git" / "info" / "exclude").write_text("experiments/\n")
    commits = {"7": git(root, "rev-parse", "fixture~1")}  # listed where its files went live
    for version in (8, 9, 10):
        result = doit_here(root, *run_args(root, version))
        assert result.status == 0, result.text
        commits[str(version)] = git(root, "rev-parse", "HEAD")
    retrain(root / HAND_MODEL, seed=11)
    data = (root / HAND_MODEL).read_bytes()
    manifest = json.loads((root / MANIFEST).read_text())
    manifest.update(run_id=HAND_RUN_ID, dataset_version="11")
    for entry in manifest["models"]:
        if entry["path"] == HAND_MODEL:
            digest = hashlib.sha256(data)
            entry.update(sha256=digest.hexdigest(), size_bytes=len(data))
            entry["integrity"] = "sha256-" + base64.b64encode(digest.digest()).decode()
    (root / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    git(root, "commit", "--quiet", "-m", "Retrain one model by hand", "--", MANIFEST, HAND_MODEL)
    commits["11"] = git(root, "rev-parse", "HEAD")
    return commits


def committed(root: Path, commit: str, path: str) -> bytes:
    import subprocess

    command = ["git", "cat-file", "blob", f"{commit}:{path}"]
    return subprocess.run(command, cwd=root, check=True, capture_output=True).stdout


def published_paths(root: Path, commit: str) -> list[str]:
    """The files a release's lock file names, with the manifest and the lock file."""
    lock = json.loads(committed(root, commit, LOCK))
    return [*(entry["path"] for entry in lock["files"]), MANIFEST, LOCK]


def build_template(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """The project with releases 7 to 11, for a session-scoped fixture (git pinned as in tests)."""
    with pytest.MonkeyPatch.context() as patch:
        pin_git_environment(patch, tmp_path_factory.mktemp("home"))
        root = sample_repo(tmp_path_factory.mktemp("template") / "project")
        return root, build(root)
