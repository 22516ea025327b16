"""Fixtures: a hermetic git, and a temporary copy of the project with the sample published."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PROJECT_FILES = [
    "dodo.py",
    "tasks",
    "pyproject.toml",
    "scripts",
    "artifacts",
    "data",
    "web",
    "web-assets.lock.json",
    ".gitignore",
]
STATE = {".git", ".doit.db", ".web-assets", "__pycache__"}
EXPORT = "artifacts/run_export"
MANIFEST = "web/public/fixtures/dev.json"
LOCK = "web-assets.lock.json"
MODELS = ["financial_lens", "market_gradient_boost", "performance_dense"]
# A publish without a commit cannot pin URIs to one: such runs name a branch-style template.
NO_COMMIT = ("commit=false", "uri_template=https://assets.example.invalid/{filename}")


def load_script(name: str):
    """A module from scripts/, which is not a package."""
    spec = importlib.util.spec_from_file_location(name, REPO / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


make_sample = load_script("make_sample")


def retrain(model: Path, seed: int) -> None:
    """Replace a model as a new training run would: another valid model for the same features."""
    import json
    import random

    bundle = model.with_name(model.name.removesuffix(".onnx") + "_preprocessing.json")
    width = len(json.loads(bundle.read_text())["feature_names"])
    trained = make_sample.tree_ensemble(width, random.Random(seed))
    model.write_bytes(trained.SerializeToString())


def new_run(root: Path, *, version: int, seed: int, name: str = "run_20251128-101500") -> Path:
    """A training run exported outside the export folder, with its own datasets."""
    run_dir = root / "experiments" / name / "export"
    make_sample.write_sample(root, run_dir, version=version, seed=seed)
    return run_dir


@pytest.fixture(autouse=True)
def hermetic_git(tmp_path_factory, monkeypatch):
    """Pinned identity, no user or system git config, no SOURCE_DATE_EPOCH from outside."""
    pin_git_environment(monkeypatch, tmp_path_factory.mktemp("home"))


def pin_git_environment(patch: pytest.MonkeyPatch, home: Path) -> None:
    """The environment every test's git runs in (also for module-scoped fixtures)."""
    patch.setenv("HOME", str(home))
    patch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    patch.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
    for role in ("AUTHOR", "COMMITTER"):
        patch.setenv(f"GIT_{role}_NAME", "Test Publisher")
        patch.setenv(f"GIT_{role}_EMAIL", "publisher@example.invalid")
    patch.delenv("SOURCE_DATE_EPOCH", raising=False)


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout.rstrip("\n")


def copy_project(root: Path) -> Path:
    """The project's own files (no state, no caches) in a new folder."""
    root.mkdir(parents=True)
    for name in PROJECT_FILES:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, root / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, root / name)
    return root


def sample_repo(root: Path) -> Path:
    """The project as a clone gives it: the sample committed, its URIs pinned to its files."""
    copy_project(root)
    git(root, "init", "--quiet", "--initial-branch=main")
    git(root, "add", "--all")
    git(root, "commit", "--quiet", "-m", "sample files")
    # As in the project's own history: the manifest's URIs name the commit holding the files.
    manifest = root / MANIFEST
    holder = git(root, "rev-parse", "HEAD")
    manifest.write_text(re.sub(r"/[0-9a-f]{40}/", f"/{holder}/", manifest.read_text()))
    git(root, "commit", "--quiet", "--all", "-m", "sample")
    git(root, "tag", "fixture")
    return root


@pytest.fixture
def project(tmp_path) -> Path:
    """The project with its committed sample, in a git repo of its own."""
    return sample_repo(tmp_path / "project")


def publish_commits(root: Path) -> int:
    """How many commits were made since the `project` fixture's sample."""
    return int(git(root, "rev-list", "--count", "fixture..HEAD"))


class DoitRun:
    def __init__(self, result: subprocess.CompletedProcess[str]):
        self.status = result.returncode
        self.out = result.stdout
        self.err = result.stderr
        lines = result.stdout.splitlines()
        self.ran = [line[3:] for line in lines if line.startswith(".  ")]
        self.skipped = [line[3:] for line in lines if line.startswith("-- ")]

    @property
    def text(self) -> str:
        return self.out + self.err


def run_doit(root: Path, *args: str, env: dict[str, str] | None = None) -> DoitRun:
    """The real `doit` command, in its own process."""
    result = subprocess.run(
        [sys.executable, "-m", "doit", *args],
        cwd=root,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
    )
    return DoitRun(result)


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file below `folder` and its bytes, leaving out git's, doit's, ours and Python's caches."""
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and not STATE & set(path.relative_to(folder).parts)
    }
