"""Task creators as plain data: the graph's shape, without running doit."""

from __future__ import annotations

import pytest
from conftest import make_sample

from tasks.creators import commit_task, dataset_tasks, gather_tasks, hash_tasks, manifest_task
from web_assets.release import load_release
from web_assets.settings import resolve_settings


def release_of(project, **given):
    return load_release(resolve_settings(project, given, environ={}))


@pytest.fixture
def release(project):
    return release_of(project)


def test_hash_has_one_subtask_per_model_and_bundle_sorted(release):
    tasks = list(hash_tasks(release))
    names = [task["name"] for task in tasks]
    assert names == [
        f"artifacts/run_export/{name}"
        for name in (
            "financial_lens.onnx",
            "market_gradient_boost.onnx",
            "performance_dense.onnx",
            "financial_lens_preprocessing.json",
            "market_gradient_boost_preprocessing.json",
            "performance_dense_preprocessing.json",
        )
    ]
    assert tasks[0]["file_dep"] == ["artifacts/run_export/financial_lens.onnx"]


def test_gather_is_empty_when_the_run_is_the_export_folder(release):
    assert [task for task in gather_tasks(release) if task["name"]] == []


def test_gather_copies_every_onnx_and_json_of_another_run_dir(project):
    run_dir = project / "runs/run_20251128-101500"
    make_sample.write_sample(project, run_dir, version=9, seed=3)
    (run_dir / "metrics.json").write_text("{}")
    (run_dir / "notes.txt").write_text("not published")
    release = release_of(project, run_dir="runs/run_20251128-101500")
    tasks = [task for task in gather_tasks(release) if task["name"]]
    assert "artifacts/run_export/metrics.json" in [task["name"] for task in tasks]
    assert "artifacts/run_export/notes.txt" not in [task["name"] for task in tasks]
    metrics = next(task for task in tasks if task["name"] == "artifacts/run_export/metrics.json")
    assert metrics["file_dep"] == ["runs/run_20251128-101500/metrics.json"]
    assert metrics["targets"] == ["artifacts/run_export/metrics.json"]
    assert "artifacts/run_export/metrics.json" in commit_task(release)["file_dep"]


def test_datasets_go_to_the_versioned_name(project):
    release = release_of(project, version="12")
    targets = {task["name"]: task["targets"] for task in dataset_tasks(release)}
    assert targets == {
        "web/public/data/Dataset_Version_12.csv": ["web/public/data/Dataset_Version_12.csv"],
        "web/public/data/financial_dataset.csv": ["web/public/data/financial_dataset.csv"],
    }


def test_manifest_reads_every_hash_and_writes_the_manifest(release):
    task = manifest_task(release)
    assert task["getargs"] == {"digests": ("hash", None)}
    assert task["targets"] == ["web/public/fixtures/dev.json"]


def test_commit_depends_on_every_published_file(release):
    file_dep = commit_task(release)["file_dep"]
    assert "web/public/data/Dataset_Version_7.csv" in file_dep
    assert "web/public/fixtures/dev.json" in file_dep
    assert "artifacts/run_export/performance_dense_preprocessing.json" in file_dep
    assert not any(path.startswith("data/processed") for path in file_dep)
