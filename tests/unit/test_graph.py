"""Task creators as plain data: the graph's shape, without running doit."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tasks.creators import commit_task, dataset_tasks, gather_task, manifest_task
from testing.project import make_sample
from web_assets.config.settings import resolve_settings
from web_assets.release.load import load_release


def release_of(project, **given):
    return load_release(resolve_settings(project, given, environ={}))


@pytest.fixture
def release(project):
    return release_of(project)


def test_gather_has_no_action_when_the_run_is_the_export_folder(release):
    assert gather_task(release)["actions"] is None


def test_gather_copies_every_onnx_and_json_of_another_run_dir_in_one_step(project):
    run_dir = project / "runs/run_20251128-101500"
    make_sample.write_sample(project, run_dir, version=9, seed=3)
    (run_dir / "metrics.json").write_text("{}")
    (run_dir / "notes.txt").write_text("not published")
    release = release_of(project, run_dir="runs/run_20251128-101500")
    task = gather_task(release)
    assert "artifacts/run_export/metrics.json" in task["targets"]
    assert "artifacts/run_export/notes.txt" not in task["targets"]
    assert "runs/run_20251128-101500/metrics.json" in task["file_dep"]
    assert "runs/run_20251128-101500/notes.txt" not in task["file_dep"]
    # Each source beside its target, models and bundles included.
    assert [Path(dep).name for dep in task["file_dep"]] == [
        Path(target).name for target in task["targets"]
    ]
    assert len(task["targets"]) == 7  # 3 models, 3 bundles, metrics.json
    assert "artifacts/run_export/metrics.json" in commit_task(release)["file_dep"]


def test_datasets_go_to_the_versioned_name(project):
    release = release_of(project, version="12")
    targets = {task["name"]: task["targets"] for task in dataset_tasks(release)}
    assert targets == {
        "web/public/data/Dataset_Version_12.csv": ["web/public/data/Dataset_Version_12.csv"],
        "web/public/data/financial_dataset.csv": ["web/public/data/financial_dataset.csv"],
    }


def test_manifest_depends_on_every_model_and_bundle_and_writes_the_manifest(release):
    task = manifest_task(release)
    assert sorted(task["file_dep"]) == sorted(
        f"artifacts/run_export/{name}"
        for name in os.listdir(release.settings.export_dir)
        if name.endswith((".onnx", "_preprocessing.json"))
    )
    assert task["targets"] == ["web/public/fixtures/dev.json"]


def test_commit_depends_on_every_published_file(release):
    file_dep = commit_task(release)["file_dep"]
    assert "web/public/data/Dataset_Version_7.csv" in file_dep
    assert "web/public/fixtures/dev.json" in file_dep
    assert "artifacts/run_export/performance_dense_preprocessing.json" in file_dep
    assert not any(path.startswith("data/processed") for path in file_dep)


@pytest.fixture
def plain(tmp_path):
    """The project's files without git: the graph's rules need none."""
    from testing.project import copy_project

    return copy_project(tmp_path / "plain")


def graph_of(root, **given):
    from tasks import creators
    from tasks.context import load

    loaded = load(root, {"commit": False, "uri_template": "https://x.invalid/{filename}", **given})
    release = loaded.release
    tasks = [
        *creators.check_tasks(loaded),
        *creators.dataset_tasks(release),
        creators.gather_task(release),
        creators.manifest_task(release),
        creators.lockfile_task(release),
        creators.commit_task(release),
    ]
    return loaded, tasks


def test_every_writing_step_waits_for_the_checks(plain):
    _, tasks = graph_of(plain)
    writers = [task for task in tasks if task.get("targets") or "commit" in str(task["actions"])]
    assert writers
    for task in tasks:
        if task.get("name", "").startswith(("models", "datasets")) and "task_dep" not in task:
            continue  # the checks themselves
        assert "check" in task["task_dep"], task.get("name")


def test_each_uptodate_holds_the_settings_its_step_reads(plain):
    _, tasks = graph_of(plain, version="9", dataset="data/processed/Dataset_Version_7.csv")
    manifest, lockfile, commit = tasks[-3:]
    assert manifest["uptodate"][0].settings["version"] == 9
    assert "uri_template" in manifest["uptodate"][0].settings
    assert lockfile["uptodate"][0].settings == {"version": 9}
    assert set(commit["uptodate"][0].settings) == {"version", "commit", "push", "remote", "branch"}
    assert "target_intact" in repr(manifest["uptodate"][1])


def test_a_load_problem_becomes_the_one_check_that_runs(plain):
    loaded, tasks = graph_of(plain, dataset="nope.csv")
    assert loaded.release is None and "nope.csv" in loaded.problem
    check = tasks[0]
    assert check["name"] == "inputs" and check["uptodate"] == [False]
    # The writing steps still wait for it, so asking for one alone reports the problem.
    assert all(task.get("task_dep") == ["check"] for task in tasks[1:4])


def test_verify_needs_only_the_manifest_and_lock_file_settings(plain):
    from tasks import creators
    from tasks.context import load

    loaded = load(plain, {"run_dir": "nope", "commit": False})
    task = creators.verify_task(loaded)
    assert loaded.settings is not None
    assert task["actions"][0][1][0] is loaded.settings and task["uptodate"] == [False]
