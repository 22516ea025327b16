"""A release is the run's files, exactly; published versions are immutable; external ONNX data.

Each through the real `doit` on the `project` fixture; every refusal leaves files and HEAD as they
were.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from testing.doit import doit_here
from testing.gitrepo import git
from testing.project import EXPORT, LOCK, MANIFEST, new_run, snapshot

DATA = "web/public/data"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def lock_entries(root: Path) -> dict[str, dict]:
    return {entry["path"]: entry for entry in json.loads((root / LOCK).read_text())["files"]}


def manifest_ids(root: Path, section: str) -> list[str]:
    return [entry["id"] for entry in json.loads((root / MANIFEST).read_text())[section]]


def scratch_run(tmp_path: Path, version: int, seed: int) -> tuple[Path, list[str]]:
    """A training run outside the project, and the `doit` arguments that publish it."""
    run_dir = new_run(tmp_path / "scratch", version=version, seed=seed)
    data = tmp_path / "scratch/data/processed"
    return run_dir, [
        f"run_dir={run_dir}",
        f"dataset={data / f'Dataset_Version_{version}.csv'}",
        f"financial_dataset={data / 'financial_dataset.csv'}",
        f"version={version}",
    ]


def refused(root: Path, *args: str) -> str:
    """Run a publish that must be refused; check it wrote nothing. Returns what doit said."""
    files, head = snapshot(root), git(root, "rev-parse", "HEAD")
    result = doit_here(root, *args)
    assert result.status != 0, result.text
    assert snapshot(root) == files
    assert git(root, "rev-parse", "HEAD") == head
    assert git(root, "status", "--porcelain") == ""
    return result.text


# A release is the run's files, exactly.


def test_a_model_without_its_bundle_is_not_paired_with_the_previous_releases(project, tmp_path):
    run_dir, args = scratch_run(tmp_path, version=9, seed=91)
    (run_dir / "performance_dense_preprocessing.json").unlink()
    # The previous release's bundle of the same width still sits in the export folder.
    assert (project / EXPORT / "performance_dense_preprocessing.json").is_file()

    said = refused(project, *args)
    assert (
        "model performance_dense (performance_dense.onnx) has no preprocessing bundle "
        f"performance_dense_preprocessing.json in run_dir {run_dir}"
    ) in said


def test_a_model_the_new_run_lacks_leaves_the_release_and_the_commit_says_so(project, tmp_path):
    run_dir, args = scratch_run(tmp_path, version=9, seed=92)
    for name in ("financial_lens.onnx", "financial_lens_preprocessing.json"):
        (run_dir / name).unlink()
    (run_dir / "metrics.json").write_text('{"accuracy": 0.5}\n')
    gone = [f"{EXPORT}/financial_lens.onnx", f"{EXPORT}/financial_lens_preprocessing.json"]

    result = doit_here(project, *args)
    assert result.status == 0, result.text

    # The export folder holds exactly the run's files.
    exported = sorted(path.name for path in (project / EXPORT).iterdir())
    assert exported == sorted(path.name for path in run_dir.iterdir())
    assert manifest_ids(project, "models") == ["performance_dense", "market_gradient_boost"]
    assert "financial_lens" not in manifest_ids(project, "preprocessing")
    locked = lock_entries(project)
    assert not set(gone) & set(locked)
    metrics = locked[f"{EXPORT}/metrics.json"]
    assert (metrics["kind"], metrics["id"]) == ("other", "metrics.json")
    assert metrics["sha256"] == sha256(run_dir / "metrics.json")
    for path in gone:
        assert f"removed {path}: not in the new run" in result.out
    # The commit records the deletion; git keeps the files in history.
    assert git(project, "ls-tree", "--name-only", "HEAD", "--", *gone) == ""
    assert git(project, "ls-tree", "--name-only", "HEAD~2", "--", *gone).split() == gone
    assert git(project, "status", "--porcelain") == ""

    verified = doit_here(project, "verify")
    assert verified.status == 0, verified.text
    again = doit_here(project)
    assert again.status == 0, again.text
    assert again.ran == []

    # Another file gathered is verified like the rest.
    (project / EXPORT / "metrics.json").write_text('{"accuracy": 0.9}\n')
    damaged = doit_here(project, "verify")
    assert damaged.status != 0
    assert f"lock/metrics.json: {EXPORT}/metrics.json: sha256" in damaged.out


def test_when_the_run_is_the_export_folder_nothing_is_removed(project):
    for name in ("financial_lens.onnx", "financial_lens_preprocessing.json"):
        (project / EXPORT / name).unlink()
    result = doit_here(project)
    assert result.status == 0, result.text
    assert "removed artifacts" not in result.out
    assert "financial_lens" not in lock_entries(project)


# Published versions are immutable.


def test_other_bytes_under_a_published_version_are_refused_unless_replaced(project, tmp_path):
    published = project / DATA / "Dataset_Version_7.csv"
    other = tmp_path / "Dataset_Version_7.csv"
    other.write_bytes(published.read_bytes().replace(b"2024-2025", b"2024-2026", 1))

    said = refused(project, f"dataset={other}")
    assert f"{DATA}/Dataset_Version_7.csv is already published with other bytes" in said
    assert sha256(published)[:12] in said and sha256(other)[:12] in said
    assert "replace_version=true" in said and "version 8" in said

    result = doit_here(project, f"dataset={other}", "replace_version=true")
    assert result.status == 0, result.text
    assert published.read_bytes() == other.read_bytes()
    assert lock_entries(project)[f"{DATA}/Dataset_Version_7.csv"]["sha256"] == sha256(other)
    assert doit_here(project, "verify").status == 0
    # The new bytes are now version 7's: a plain `doit` keeps them.
    assert doit_here(project).ran == []


def test_the_same_bytes_under_the_same_version_publish_again(project, tmp_path):
    copy = tmp_path / "copy.csv"
    copy.write_bytes((project / "data/processed/Dataset_Version_7.csv").read_bytes())
    result = doit_here(project, f"dataset={copy}")
    assert result.status == 0, result.text


def test_a_version_below_the_published_one_needs_allow_downgrade(project, tmp_path):
    _, args = scratch_run(tmp_path, version=6, seed=61)
    said = refused(project, *args)
    assert "version 6 is below the published version 7" in said
    assert "allow_downgrade=true" in said

    result = doit_here(project, *args, "allow_downgrade=true")
    assert result.status == 0, result.text
    assert json.loads((project / MANIFEST).read_text())["dataset_version"] == "6"
    assert doit_here(project, "verify").status == 0
    assert doit_here(project).ran == []


def test_an_older_version_kept_in_git_keeps_its_bytes(project, tmp_path):
    _, args = scratch_run(tmp_path, version=9, seed=93)
    assert doit_here(project, *args).status == 0
    # Version 7 is no longer in the lock file, but HEAD still holds its published bytes.
    other = tmp_path / "seven.csv"
    other.write_bytes(b"season,home_team_name,away_team_name\n2024-2025,A,B\n")
    said = refused(project, f"dataset={other}", "version=7", "allow_downgrade=true")
    assert "Dataset_Version_7.csv is already published with other bytes" in said


# ONNX external data.


def external_model(path: Path, width: int, location: str) -> None:
    """A model the web app can run, its weights saved in `location` beside it."""
    rng = np.random.default_rng(3)
    weights = numpy_helper.from_array(rng.standard_normal((width, 3)).astype(np.float32), "W")
    graph = helper.make_graph(
        [
            helper.make_node("MatMul", ["input", "W"], ["logits"]),
            helper.make_node("Softmax", ["logits"], ["probabilities"], axis=-1),
        ],
        "external",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, width])],
        [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, [1, 3])],
        [weights],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 15)])
    model.ir_version = 8
    onnx.save_model(model, path, save_as_external_data=True, location=location, size_threshold=0)


def external_run(tmp_path: Path) -> tuple[Path, list[str]]:
    run_dir, args = scratch_run(tmp_path, version=9, seed=94)
    bundle = json.loads((run_dir / "performance_dense_preprocessing.json").read_text())
    external_model(
        run_dir / "performance_dense.onnx", len(bundle["feature_names"]), "performance_dense.data"
    )
    return run_dir, args


def test_a_models_external_data_is_published_locked_and_verified(project, tmp_path):
    run_dir, args = external_run(tmp_path)
    result = doit_here(project, *args)
    assert result.status == 0, result.text

    data = project / EXPORT / "performance_dense.data"
    assert data.read_bytes() == (run_dir / "performance_dense.data").read_bytes()
    entry = lock_entries(project)[f"{EXPORT}/performance_dense.data"]
    assert (entry["kind"], entry["id"]) == ("external_data", "performance_dense")
    assert (entry["sha256"], entry["size_bytes"]) == (sha256(data), data.stat().st_size)
    assert git(project, "ls-tree", "--name-only", "HEAD", "--", f"{EXPORT}/performance_dense.data")
    assert git(project, "status", "--porcelain") == ""
    assert doit_here(project, "verify").status == 0
    assert doit_here(project).ran == []

    damaged = bytearray(data.read_bytes())
    damaged[len(damaged) // 2] ^= 0x01
    data.write_bytes(bytes(damaged))
    verified = doit_here(project, "verify")
    assert verified.status != 0
    assert f"lock/performance_dense: {EXPORT}/performance_dense.data: sha256" in verified.out


def test_a_model_whose_external_data_is_missing_is_refused(project, tmp_path):
    run_dir, args = external_run(tmp_path)
    (run_dir / "performance_dense.data").unlink()
    said = refused(project, *args)
    assert "model performance_dense" in said and "needs performance_dense.data" in said


def test_external_data_beside_a_model_in_the_export_folder_is_published(project):
    export = project / EXPORT
    bundle = json.loads((export / "performance_dense_preprocessing.json").read_text())
    external_model(export / "performance_dense.onnx", len(bundle["feature_names"]), "dense.data")

    result = doit_here(project)
    assert result.status == 0, result.text
    entry = lock_entries(project)[f"{EXPORT}/dense.data"]
    assert (entry["kind"], entry["id"]) == ("external_data", "performance_dense")
    assert git(project, "ls-tree", "--name-only", "HEAD", "--", f"{EXPORT}/dense.data")
    assert git(project, "status", "--porcelain") == ""
    assert doit_here(project, "verify").status == 0

    # New weights in the same file: the lock file and the commit follow.
    external_model(export / "performance_dense.onnx", len(bundle["feature_names"]), "dense.data")
    weights = bytearray((export / "dense.data").read_bytes())
    weights[0] ^= 0x01
    (export / "dense.data").write_bytes(bytes(weights))
    again = doit_here(project)
    assert again.status == 0, again.text
    assert "lockfile" in again.ran and "commit" in again.ran
    assert lock_entries(project)[f"{EXPORT}/dense.data"]["sha256"] == sha256(export / "dense.data")
    assert git(project, "status", "--porcelain") == ""
