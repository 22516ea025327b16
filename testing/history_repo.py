"""Make releases in a test project as the publish step writes them: files, manifest, lock, commit."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

from testing.gitrepo import git
from testing.project import retrain
from web_assets.modelcheck.runtime import Shift

MANIFEST = "web/public/fixtures/dev.json"
LOCK = "web-assets.lock.json"
EXPORT = "artifacts/run_export"
DATASET = "web/public/data/Dataset_Version_7.csv"


def write_json(path: Path, document) -> None:
    path.write_text(json.dumps(document, indent=2) + "\n")


def change_features(root: Path, model: str, add: list[str], remove: list[str]) -> None:
    """Edit a bundle's feature_names and train the model again for the new width."""
    bundle = root / EXPORT / f"{model}_preprocessing.json"
    document = json.loads(bundle.read_text())
    names = [name for name in document["feature_names"] if name not in remove] + add
    document["feature_names"] = names
    write_json(bundle, document)


def locked(root: Path, version: int, models, shift, release_section, run_id, trained_at) -> dict:
    """The lock file of that release: digests of the files as they are now, shifts if asked."""
    lock = json.loads((root / LOCK).read_text())
    lock["dataset_version"] = str(version)
    for entry in lock["files"]:
        data = (root / entry["path"]).read_bytes()
        entry.update(sha256=hashlib.sha256(data).hexdigest(), size_bytes=len(data))
        if shift and entry["kind"] == "model" and entry["id"] in models:
            entry["prediction_shift"] = Shift((0.0125, 0.004, 0.01), 12, 200).record()
            entry["missing_features"] = ["feature_007"]
    if not release_section:
        lock.pop("release", None)
    else:
        lock["release"] = {
            "version": version,
            "run_id": run_id,
            "trained_at": trained_at,
            "run_dir": EXPORT,
            "dataset": "data/processed/Dataset_Version_7.csv",
            "financial_dataset": "data/processed/financial_dataset.csv",
            "team_cache": None,
        }
    return lock


def publish(
    root: Path,
    version: int,
    *,
    models: tuple[str, ...] = (),
    features: dict[str, tuple[list[str], list[str]]] | None = None,
    dataset: bool = False,
    release_section: bool = True,
    shift: bool = False,
    two_commits: bool = False,
) -> str:
    """Retrain `models`, optionally change features and the dataset, then commit a release."""
    for model, (add, remove) in (features or {}).items():
        change_features(root, model, add, remove)
    for index, model in enumerate(models):
        retrain(root / EXPORT / f"{model}.onnx", seed=version * 100 + index)
    if dataset:
        with (root / DATASET).open("a") as csv:
            csv.write((root / DATASET).read_text().splitlines()[-1] + "\n")
    run_id = f"run_202512{version:02d}-120000"
    trained_at = f"2025-12-{version:02d}T12:00:00Z"
    manifest = json.loads((root / MANIFEST).read_text())
    manifest.update(run_id=run_id, trained_at=trained_at, dataset_version=str(version))
    for entry in manifest["models"] + manifest["preprocessing"]:
        data = (root / entry["path"]).read_bytes()
        digest = hashlib.sha256(data)
        entry.update(sha256=digest.hexdigest(), size_bytes=len(data))
        entry["integrity"] = "sha256-" + base64.b64encode(digest.digest()).decode()
    lock = locked(root, version, models, shift, release_section, run_id, trained_at)
    write_json(root / MANIFEST, manifest)
    write_json(root / LOCK, lock)
    published = [entry["path"] for entry in lock["files"]]
    if two_commits:
        git(root, "add", "--", *published)
        git(root, "commit", "--quiet", "-m", f"chore: web assets files for version {version}")
    git(root, "add", "--", *published, MANIFEST, LOCK)
    git(root, "commit", "--quiet", "-m", f"chore: publish web assets version {version}")
    return git(root, "rev-parse", "HEAD")


def hand_edit(root: Path, message: str, **fields) -> str:
    """A manifest changed and committed by hand, the lock file left as it is."""
    manifest = json.loads((root / MANIFEST).read_text())
    manifest.update(fields)
    write_json(root / MANIFEST, manifest)
    git(root, "commit", "--quiet", "-m", message, "--", MANIFEST)
    return git(root, "rev-parse", "HEAD")
