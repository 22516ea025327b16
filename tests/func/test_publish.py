"""End to end: doit on a temporary project with real git, run twice where it matters."""

from __future__ import annotations

import os

import jsonschema

from testing.doit import doit_here
from testing.gitrepo import git
from testing.project import (
    EXPORT,
    MANIFEST,
    MODELS,
    NO_COMMIT,
    manifest_entry,
    new_run,
    publish_commits,
    read_manifest,
    retrain,
    sha256_of,
    snapshot,
)
from web_assets.records.manifest import schema


def test_fresh_clone_publish_changes_nothing_tracked(project):
    first = doit_here(project)
    assert first.status == 0, first.text
    assert git(project, "status", "--porcelain") == ""
    assert publish_commits(project) == 0
    assert "already committed" in first.out

    second = doit_here(project)
    assert second.status == 0, second.text
    assert second.ran == []
    assert (
        "datasets:web/public/data/Dataset_Version_7.csv" in second.skipped
        and "commit" in second.skipped
    )
    assert "Nothing to publish" in second.out


def test_publish_new_run_updates_manifest_datasets_and_commits_once(project):
    run_dir = new_run(project, version=9, seed=99)
    args = [
        "version=9",
        f"run_dir={run_dir.relative_to(project)}",
        "dataset=data/processed/Dataset_Version_9.csv",
    ]
    result = doit_here(project, *args)
    assert result.status == 0, result.text

    published = read_manifest(project)
    jsonschema.validate(published, schema())
    assert published["dataset_version"] == "9"
    assert published["run_id"] == "run_20251128-101500"
    assert published["trained_at"] == "2025-11-28T10:15:00Z"
    for model in MODELS:
        exported = project / EXPORT / f"{model}.onnx"
        assert exported.read_bytes() == (run_dir / f"{model}.onnx").read_bytes()
        item = manifest_entry(published, "models", model)
        assert item["sha256"] == sha256_of(exported)
        assert item["size_bytes"] == exported.stat().st_size
        assert item["path"] == item["local_path"] == f"{EXPORT}/{model}.onnx"
        assert item["uri"].endswith(f"/artifacts/run_export/{model}.onnx")
        bundle = project / EXPORT / f"{model}_preprocessing.json"
        assert manifest_entry(published, "preprocessing", model)["sha256"] == sha256_of(bundle)
    # Fields the web app owns stay as they were.
    assert manifest_entry(published, "models", "financial_lens")["view"] == "financial"
    assert published["feature_schema_version"] == "v7"

    data = project / "web/public/data"
    assert (data / "Dataset_Version_9.csv").read_bytes() == (
        project / "data/processed/Dataset_Version_9.csv"
    ).read_bytes()
    assert b"\r\n" in (data / "Dataset_Version_9.csv").read_bytes()
    assert b"\r\n" not in (data / "financial_dataset.csv").read_bytes()
    assert (data / "Dataset_Version_7.csv").exists(), "older datasets stay"

    assert publish_commits(project) == 2
    assert git(project, "log", "-1", "--format=%s") == "chore: update web assets for version 9"
    committed = set(git(project, "diff", "--name-only", "fixture", "HEAD").splitlines())
    assert f"{EXPORT}/performance_dense.onnx" in committed
    assert "web/public/data/Dataset_Version_9.csv" in committed and MANIFEST in committed
    assert not any(path.startswith("experiments/") for path in committed)
    assert "Dataset version 7 -> 9" in result.out and "changed" in result.out

    again = doit_here(project, *args)
    assert again.status == 0, again.text
    assert again.ran == []
    assert publish_commits(project) == 2


def test_touch_reruns_nothing(project):
    assert doit_here(project).status == 0
    model = project / EXPORT / "performance_dense.onnx"
    stat = model.stat()
    os.utime(model, ns=(stat.st_atime_ns + 10**9, stat.st_mtime_ns + 10**9))
    result = doit_here(project)
    assert result.status == 0, result.text
    assert result.ran == []


def test_one_changed_model_reruns_the_manifest_and_the_commit(project):
    assert doit_here(project).status == 0
    model = project / EXPORT / "market_gradient_boost.onnx"
    retrain(model, seed=1)
    result = doit_here(project)
    assert result.status == 0, result.text
    assert sorted(result.ran) == [
        "check:models",
        "commit",
        "commit:files",
        "lockfile",
        "manifest",
    ]
    assert manifest_entry(read_manifest(project), "models", "market_gradient_boost")[
        "sha256"
    ] == sha256_of(model)
    assert publish_commits(project) == 2
    assert "market_gradient_boost" in result.out and "changed" in result.out


def test_changed_version_reruns_what_reads_it(project):
    assert doit_here(project).status == 0
    result = doit_here(project, "version=8")
    assert result.status == 0, result.text
    assert set(result.ran) == {
        "datasets:web/public/data/Dataset_Version_8.csv",
        "commit:files",
        "manifest",
        "lockfile",
        "commit",
    }
    assert read_manifest(project)["dataset_version"] == "8"
    assert (project / "web/public/data/Dataset_Version_8.csv").exists()


def test_changed_uri_template_rewrites_uris(project):
    assert doit_here(project).status == 0
    template = "https://cdn.example.invalid/v{version}/{id}/{filename}"
    result = doit_here(project, f"uri_template={template}")
    assert result.status == 0, result.text
    assert result.ran == ["manifest", "lockfile", "commit"]
    item = manifest_entry(read_manifest(project), "models", "performance_dense")
    assert item["uri"] == "https://cdn.example.invalid/v7/performance_dense/performance_dense.onnx"


def test_a_new_run_id_brings_its_own_training_time(project):
    result = doit_here(project, "run_id=run_20990101-000000", env={"SOURCE_DATE_EPOCH": "0"})
    assert result.status == 0, result.text
    after = read_manifest(project)
    # run_id and trained_at describe the same run: they change together.
    assert after["run_id"] == "run_20990101-000000"
    assert after["trained_at"] == "2099-01-01T00:00:00Z"


def test_rerun_on_same_inputs_keeps_trained_at_and_bytes(project):
    before = (project / MANIFEST).read_bytes()
    result = doit_here(project, env={"SOURCE_DATE_EPOCH": "0"})
    assert result.status == 0, result.text
    assert (project / MANIFEST).read_bytes() == before


def test_manifest_task_alone(project):
    (project / MANIFEST).unlink()
    result = doit_here(project, "manifest")
    assert result.status == 0, result.text
    assert "manifest" in result.ran
    # Pinned URIs need the files commit; the branch does not move to it.
    assert "commit" not in result.ran
    assert publish_commits(project) == 0
    jsonschema.validate(read_manifest(project), schema())


def test_manifest_alone_sees_a_retrained_model(project):
    assert doit_here(project, *NO_COMMIT).status == 0
    model = project / EXPORT / "market_gradient_boost.onnx"
    retrain(model, seed=5)
    result = doit_here(project, "manifest")
    assert result.status == 0, result.text
    # The default template pins URIs: the files commit comes first (the branch does not move).
    assert result.ran == ["check:models", "commit:files", "manifest"]
    assert manifest_entry(read_manifest(project), "models", "market_gradient_boost")[
        "sha256"
    ] == sha256_of(model)


def test_missing_manifest_is_created_valid(project):
    (project / MANIFEST).unlink()
    git(project, "commit", "--quiet", "-am", "drop manifest")
    result = doit_here(project, "trained_at=2025-11-28T10:15:00+01:00")
    assert result.status == 0, result.text
    created = read_manifest(project)
    jsonschema.validate(created, schema())
    assert created["trained_at"] == "2025-11-28T09:15:00Z"
    assert created["dataset_version"] == "7"
    assert [item["id"] for item in created["models"]] == MODELS
    assert all(item["format"] == "onnx" for item in created["models"])
    assert (project / MANIFEST).read_bytes().endswith(b"}\n")


def test_removed_model_is_dropped_and_named(project):
    for name in ("financial_lens.onnx", "financial_lens_preprocessing.json"):
        (project / EXPORT / name).unlink()
    result = doit_here(project, *NO_COMMIT)
    assert result.status == 0, result.text
    published = read_manifest(project)
    assert [item["id"] for item in published["models"]] == [
        "performance_dense",
        "market_gradient_boost",
    ]
    assert "financial_lens" in result.out and "removed" in result.out
    assert "No commit: commit=false" in result.out


def test_list_shows_the_steps(project):
    result = doit_here(project, "list")
    assert result.status == 0, result.text
    steps = [line.split()[0] for line in result.out.splitlines()]
    assert steps == [
        "app",
        "check",
        "commit",
        "commit:files",
        "datasets",
        "gather",
        "lockfile",
        "manifest",
        "pr",
        "prune",
        "upload",
        "verify",
    ]


def test_team_cache_is_published(project):
    cache = project / "data/team_cache"
    cache.mkdir()
    (cache / "EPL_2024.json").write_text('{"teams": []}')
    result = doit_here(project, "team_cache=data/team_cache")
    assert result.status == 0, result.text
    published = project / "web/public/data/team_cache/EPL_2024.json"
    assert published.read_text() == '{"teams": []}'
    assert "web/public/data/team_cache/EPL_2024.json" in git(project, "ls-files")


def test_other_changes_in_the_repo_are_left_alone(project):
    (project / "notes.txt").write_text("staged work")
    git(project, "add", "notes.txt")
    (project / "dodo.py").write_text((project / "dodo.py").read_text() + "\n# local edit\n")
    model = project / EXPORT / "performance_dense.onnx"
    retrain(model, seed=2)

    result = doit_here(project)
    assert result.status == 0, result.text
    committed = git(project, "show", "--name-only", "--format=", "HEAD").splitlines()
    assert "notes.txt" not in committed and "dodo.py" not in committed
    status = git(project, "status", "--porcelain").splitlines()
    assert "A  notes.txt" in status and " M dodo.py" in status


def test_outside_a_git_work_tree_the_commit_is_skipped(tmp_path, project):
    import shutil

    plain = tmp_path / "plain"
    shutil.copytree(project, plain, ignore=shutil.ignore_patterns(".git"))
    result = doit_here(plain, "version=8", "uri_template=https://assets.example.invalid/{filename}")
    assert result.status == 0, result.text
    assert "not a git work tree" in result.out

    # URIs pinned to a commit need one: refused before anything is written.
    before = snapshot(plain)
    pinned = doit_here(plain, "version=9")
    assert pinned.status != 0 and "git work tree" in pinned.err
    assert snapshot(plain) == before


def test_snapshot_helper_sees_changes(project):
    before = snapshot(project)
    (project / MANIFEST).write_text("{}")
    assert snapshot(project) != before
