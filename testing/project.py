"""A temporary copy of the project with the sample published, and what tests read of it."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import random
import re
import shutil
from pathlib import Path

from testing.gitrepo import git

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
    bundle = model.with_name(model.name.removesuffix(".onnx") + "_preprocessing.json")
    width = len(json.loads(bundle.read_text())["feature_names"])
    trained = make_sample.tree_ensemble(width, random.Random(seed))
    model.write_bytes(trained.SerializeToString())


def new_run(root: Path, *, version: int, seed: int, name: str = "run_20251128-101500") -> Path:
    """A training run exported outside the export folder, with its own datasets."""
    run_dir = root / "experiments" / name / "export"
    make_sample.write_sample(root, run_dir, version=version, seed=seed)
    return run_dir


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


def clone_tree(template: Path, root: Path) -> Path:
    """A copy of a prepared project (its git, doit state and all), cheaper than publishing again."""
    shutil.copytree(template, root, symlinks=True)
    return root


def publish_commits(root: Path) -> int:
    """How many commits were made since the `project` fixture's sample."""
    return int(git(root, "rev-list", "--count", "fixture..HEAD"))


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_manifest(root: Path) -> dict:
    return json.loads((root / MANIFEST).read_text())


def manifest_entry(document: dict, section: str, id_: str) -> dict:
    """The entry of `section` ("models" or "preprocessing") with id `id_`."""
    return next(item for item in document[section] if item["id"] == id_)


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file below `folder` and its bytes, leaving out git's, doit's, ours and Python's caches."""
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and not STATE & set(path.relative_to(folder).parts)
    }


def without_git_template(text: str) -> str:
    """pyproject.toml without the sample's {commit} template, which storage = "s3" refuses."""
    return re.sub(r"^uri_template = .*\n", "", text, flags=re.MULTILINE)
