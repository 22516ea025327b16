"""Task creators as plain data: the graph's shape, without running doit."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tasks.commits import commit_task
from tasks.creators import dataset_tasks, gather_task, manifest_task
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
    from tasks import checks, commits, creators
    from tasks.context import load

    loaded = load(root, {"commit": False, "uri_template": "https://x.invalid/{filename}", **given})
    release = loaded.release
    tasks = [
        *checks.check_tasks(loaded),
        *creators.dataset_tasks(release),
        creators.gather_task(release),
        creators.prune_task(release),
        commits.commit_files_task(release),
        creators.manifest_task(release),
        creators.lockfile_task(release),
        commits.commit_task(release),
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
    read = {"version", "commit", "push", "remote", "branch", "tags"}
    assert set(commit["uptodate"][0].settings) == read
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


def step_function(task):
    """The library function a task's action runs (run_step's fourth argument)."""
    return task["actions"][0][1][3]


def test_pinned_uris_get_the_files_commit_between_the_copies_and_the_manifest(project):
    from tasks import commits, creators

    release = release_of(project)
    files = commits.commit_files_task(release)
    manifest = creators.manifest_task(release)
    assert files["basename"] == "commit:files"
    assert {"datasets", "gather", "prune"} <= set(files["task_dep"])
    assert "web/public/data/Dataset_Version_7.csv" in files["file_dep"]
    assert "artifacts/run_export/performance_dense.onnx" in files["file_dep"]
    assert "commit:files" in manifest["task_dep"]
    assert manifest["getargs"]["files"] == ("commit:files", None)
    # The commit step also reads the manifest step's values: the release tag's message.
    assert commit_task(release)["getargs"] == {
        "files": ("commit:files", None),
        "records": ("manifest", None),
    }
    # It names the commit the manifest's URIs pin to: it reruns with what the manifest reads.
    assert files["uptodate"][0].settings == manifest["uptodate"][0].settings


def test_branch_uris_need_no_files_commit(plain):
    from tasks import commits

    loaded, tasks = graph_of(plain)
    files = commits.commit_files_task(loaded.release)
    manifest = next(
        task for task in tasks if task.get("targets") == ["web/public/fixtures/dev.json"]
    )
    assert files["actions"] is None
    assert "commit:files" not in manifest["task_dep"] and "getargs" not in manifest
    assert commit_task(loaded.release)["getargs"] == {"records": ("manifest", None)}


def test_the_manifest_and_lock_steps_take_their_fields_not_the_release(plain):
    from web_assets.steps.records import LockInputs, ManifestInputs

    _, tasks = graph_of(plain, run_id="run_20990101-000000")
    manifest, lockfile = tasks[-3], tasks[-2]
    (inputs,) = manifest["actions"][0][1][4:]
    assert isinstance(inputs, ManifestInputs)
    assert inputs.run.run_id == "run_20990101-000000" and inputs.run.version == 7
    assert [item.kind for item in inputs.artefacts].count("model") == 3
    (inputs,) = lockfile["actions"][0][1][4:]
    assert isinstance(inputs, LockInputs)
    assert inputs.inputs["dataset"] == "data/processed/Dataset_Version_7.csv"
    assert [dataset.name for dataset in inputs.datasets] == ["main", "financial"]


def test_prune_has_nothing_to_do_when_the_run_is_the_export_folder(release):
    from tasks import creators

    assert creators.prune_task(release)["actions"] is None


def test_prune_removes_the_previous_release_files_the_run_lacks(project):
    from tasks import commits, creators
    from web_assets.release.run_files import remove_stale

    run_dir = project / "runs/run_20251128-101500"
    make_sample.write_sample(project, run_dir, version=9, seed=3)
    for name in ("financial_lens.onnx", "financial_lens_preprocessing.json"):
        (run_dir / name).unlink()
    release = release_of(project, run_dir="runs/run_20251128-101500")
    prune = creators.prune_task(release)
    assert step_function(prune) is remove_stale
    assert [path.name for path in prune["actions"][0][1][5]] == [
        "financial_lens.onnx",
        "financial_lens_preprocessing.json",
    ]
    assert prune["task_dep"] == ["check"]
    gone = prune["uptodate"][0]
    assert gone(None, {}) is False  # the files are still there
    assert "prune" in creators.lockfile_task(release)["task_dep"]
    assert "prune" in commits.commit_files_task(release)["task_dep"]
    assert "prune" in commit_task(release)["task_dep"]
