"""End to end: the real `doit` on a temporary project with real git, run twice where it matters."""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from testing.doit import doit_here
from testing.gitrepo import git
from testing.project import (
    EXPORT,
    MANIFEST,
    MODELS,
    NO_COMMIT,
    new_run,
    publish_commits,
    retrain,
    snapshot,
)
from web_assets.records.manifest import schema


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def manifest(root: Path) -> dict:
    return json.loads((root / MANIFEST).read_text())


def entry(document: dict, section: str, id_: str) -> dict:
    return next(item for item in document[section] if item["id"] == id_)


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

    published = manifest(project)
    jsonschema.validate(published, schema())
    assert published["dataset_version"] == "9"
    assert published["run_id"] == "run_20251128-101500"
    assert published["trained_at"] == "2025-11-28T10:15:00Z"
    for model in MODELS:
        exported = project / EXPORT / f"{model}.onnx"
        assert exported.read_bytes() == (run_dir / f"{model}.onnx").read_bytes()
        item = entry(published, "models", model)
        assert item["sha256"] == sha256(exported)
        assert item["size_bytes"] == exported.stat().st_size
        assert item["path"] == item["local_path"] == f"{EXPORT}/{model}.onnx"
        assert item["uri"].endswith(f"/artifacts/run_export/{model}.onnx")
        bundle = project / EXPORT / f"{model}_preprocessing.json"
        assert entry(published, "preprocessing", model)["sha256"] == sha256(bundle)
    # Fields the web app owns stay as they were.
    assert entry(published, "models", "financial_lens")["view"] == "financial"
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
        "lockfile",
        "manifest",
    ]
    assert entry(manifest(project), "models", "market_gradient_boost")["sha256"] == sha256(model)
    assert publish_commits(project) == 2
    assert "market_gradient_boost" in result.out and "changed" in result.out


def test_changed_version_reruns_what_reads_it(project):
    assert doit_here(project).status == 0
    result = doit_here(project, "version=8")
    assert result.status == 0, result.text
    assert set(result.ran) == {
        "datasets:web/public/data/Dataset_Version_8.csv",
        "manifest",
        "lockfile",
        "commit",
    }
    assert manifest(project)["dataset_version"] == "8"
    assert (project / "web/public/data/Dataset_Version_8.csv").exists()


def test_changed_uri_template_rewrites_uris(project):
    assert doit_here(project).status == 0
    template = "https://cdn.example.invalid/v{version}/{id}/{filename}"
    result = doit_here(project, f"uri_template={template}")
    assert result.status == 0, result.text
    assert result.ran == ["manifest", "lockfile", "commit"]
    item = entry(manifest(project), "models", "performance_dense")
    assert item["uri"] == "https://cdn.example.invalid/v7/performance_dense/performance_dense.onnx"


def test_a_new_run_id_brings_its_own_training_time(project):
    result = doit_here(project, "run_id=run_20990101-000000", env={"SOURCE_DATE_EPOCH": "0"})
    assert result.status == 0, result.text
    after = manifest(project)
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
    assert not any(name.startswith("commit") for name in result.ran)
    jsonschema.validate(manifest(project), schema())


def test_manifest_alone_sees_a_retrained_model(project):
    assert doit_here(project, *NO_COMMIT).status == 0
    model = project / EXPORT / "market_gradient_boost.onnx"
    retrain(model, seed=5)
    result = doit_here(project, "manifest")
    assert result.status == 0, result.text
    assert result.ran == ["check:models", "manifest"]
    assert entry(manifest(project), "models", "market_gradient_boost")["sha256"] == sha256(model)


def test_missing_manifest_is_created_valid(project):
    (project / MANIFEST).unlink()
    git(project, "commit", "--quiet", "-am", "drop manifest")
    result = doit_here(project, "trained_at=2025-11-28T10:15:00+01:00")
    assert result.status == 0, result.text
    created = manifest(project)
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
    published = manifest(project)
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
        "check",
        "commit",
        "datasets",
        "gather",
        "lockfile",
        "manifest",
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


@pytest.fixture
def remote(tmp_path, project) -> Path:
    """A bare repository as `origin`, holding the project's main branch."""
    bare = tmp_path / "remote.git"
    git(tmp_path, "init", "--quiet", "--bare", "--initial-branch=main", str(bare))
    git(project, "remote", "add", "origin", str(bare))
    git(project, "push", "--quiet", "origin", "main")
    return bare


def test_push_to_a_bare_remote(tmp_path, project, remote):
    run_dir = new_run(project, version=8, seed=8)
    args = [
        f"run_dir={run_dir.relative_to(project)}",
        "dataset=data/processed/Dataset_Version_8.csv",
    ]
    result = doit_here(project, "version=8", "push=true", *args)
    assert result.status == 0, result.text
    assert git(remote, "rev-parse", "main") == git(project, "rev-parse", "HEAD")
    assert "pushed to origin main" in result.out

    # Models staged and pushed without compression still make valid repositories.
    git(project, "fsck", "--strict")
    git(remote, "fsck", "--strict")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "--quiet", str(remote), str(clone))
    published = git(project, "diff", "--name-only", "fixture", "HEAD").splitlines()
    assert f"{EXPORT}/performance_dense.onnx" in published
    for path in published:
        assert (clone / path).read_bytes() == (project / path).read_bytes()


def test_rejected_push_is_an_error_and_keeps_the_local_commit(tmp_path, project, remote):
    other = tmp_path / "other"
    git(tmp_path, "clone", "--quiet", str(remote), str(other))
    (other / "README").write_text("someone else's work")
    git(other, "add", "README")
    git(other, "commit", "--quiet", "-m", "elsewhere")
    git(other, "push", "--quiet", "origin", "main")

    result = doit_here(project, "version=8", "push=true")
    assert result.status != 0
    assert "Push to origin main was refused" in result.text
    assert "Traceback" not in result.text
    assert git(project, "log", "-1", "--format=%s") == "chore: update web assets for version 8"

    # Once the branch is brought up to date, the next run pushes: the failed step reruns.
    git(project, "pull", "--quiet", "--rebase", "origin", "main")
    retry = doit_here(project, "version=8", "push=true")
    assert retry.status == 0, retry.text
    assert git(remote, "rev-parse", "main") == git(project, "rev-parse", "HEAD")


def test_script_runs_the_same_graph(project):
    run_dir = new_run(project, version=9, seed=5)
    command = [
        sys.executable,
        "scripts/update_web_assets.py",
        "--run-dir",
        str(run_dir),
        "--dataset",
        "./data/processed/Dataset_Version_9.csv",
        "--financial-dataset",
        "./data/processed/financial_dataset.csv",
        "--version",
        "9",
        "--no-commit",
        "--uri-template",
        "https://assets.example.invalid/{filename}",
    ]
    result = subprocess.run(command, cwd=project, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert manifest(project)["dataset_version"] == "9"
    assert (project / "web/public/data/Dataset_Version_9.csv").exists()
    assert publish_commits(project) == 0
    # doit's own lines: the run's files were gathered, the manifest rewritten.
    assert {".  gather", ".  manifest"} <= set(result.stdout.splitlines())

    failing = subprocess.run([*command[:-4], "0"], cwd=project, capture_output=True, text=True)
    assert failing.returncode != 0
    assert "positive whole number" in failing.stderr and "Traceback" not in failing.stderr


def test_publish_from_python_returns_what_changed(project):
    from web_assets import publish

    run_dir = new_run(project, version=9, seed=11)
    printed = io.StringIO()
    summary = publish(
        project,
        run_dir=run_dir,
        dataset=project / "data/processed/Dataset_Version_9.csv",
        version=9,
        out=printed,
    )
    assert "Dataset version 7 -> 9" in printed.getvalue()
    changed = {change.id for change in summary.changes if change.section == "models"}
    assert changed == set(MODELS)
    assert summary.manifest["dataset_version"] == "9"
    assert len(summary.commit["commit"]) == 40
    assert git(project, "rev-parse", "HEAD") == summary.commit["commit"]

    again = publish(
        project,
        run_dir=run_dir,
        dataset=project / "data/processed/Dataset_Version_9.csv",
        version=9,
        out=printed,
    )
    assert again.ran == [] and again.changes == []


def test_publish_from_python_leaves_the_callers_output_streams_alone(project, capsys):
    from web_assets import publish

    run_dir = new_run(project, version=9, seed=12)
    for index in range(200):  # many small copies, so that two steps run at the same time
        (run_dir / f"notes_{index:03d}.json").write_text("{}")
    streams = (sys.stdout, sys.stderr)
    publish(
        project,
        run_dir=run_dir,
        dataset=project / "data/processed/Dataset_Version_9.csv",
        version=9,
    )
    assert (sys.stdout, sys.stderr) == streams
    print("training script goes on")
    assert "training script goes on" in capsys.readouterr().out


def test_publish_from_python_raises_on_bad_input(project):
    from web_assets import PublishError, publish

    with pytest.raises(PublishError, match="positive whole number"):
        publish(project, version=0)


def test_snapshot_helper_sees_changes(project):
    before = snapshot(project)
    (project / MANIFEST).write_text("{}")
    assert snapshot(project) != before


def test_a_retrained_model_of_a_gathered_run_rewrites_its_copy_only(project):
    run_dir = new_run(project, version=9, seed=5)
    settings = [f"run_dir={run_dir}", "version=9", *NO_COMMIT]
    first = doit_here(project, *settings)
    assert first.status == 0, first.text
    copies = {path.name: path.stat().st_ino for path in (project / EXPORT).iterdir()}
    retrain(run_dir / "market_gradient_boost.onnx", seed=11)
    second = doit_here(project, *settings)
    assert second.status == 0, second.text
    assert "gather" in second.ran
    # Each copy is renamed into place when written: a new inode is a rewritten file.
    rewritten = [
        path.name
        for path in (project / EXPORT).iterdir()
        if path.stat().st_ino != copies[path.name]
    ]
    assert rewritten == ["market_gradient_boost.onnx"]
    published = project / EXPORT / "market_gradient_boost.onnx"
    assert published.read_bytes() == (run_dir / "market_gradient_boost.onnx").read_bytes()
    assert entry(manifest(project), "models", "market_gradient_boost")["sha256"] == sha256(
        published
    )
    verified = doit_here(project, "verify", NO_COMMIT[1])
    assert verified.status == 0, verified.text


@pytest.mark.parametrize("link", ["symlink", "hardlink"])
def test_a_gathered_copy_linked_to_its_source_is_replaced_by_a_file(project, link):
    run_dir = new_run(project, version=9, seed=5)
    settings = [f"run_dir={run_dir}", "version=9", *NO_COMMIT]
    assert doit_here(project, *settings).status == 0
    source = run_dir / "market_gradient_boost.onnx"
    published = project / EXPORT / "market_gradient_boost.onnx"
    published.unlink()
    # Same bytes as the source, as a link: it would change whenever the run's file does.
    if link == "symlink":
        published.symlink_to(source)
    else:
        os.link(source, published)
    retrain(source, seed=12)
    result = doit_here(project, *settings)
    assert result.status == 0, result.text
    assert "gather" in result.ran
    assert not published.is_symlink()
    assert published.stat().st_ino != source.stat().st_ino
    assert published.read_bytes() == source.read_bytes()
    # The next retraining changes the run's file only.
    before = published.read_bytes()
    retrain(source, seed=13)
    assert published.read_bytes() == before


def test_temp_files_an_interrupted_publish_left_are_cleared_by_the_next(project):
    run_dir = new_run(project, version=9, seed=5)
    settings = [f"run_dir={run_dir}", "version=9", *NO_COMMIT]
    # What a publish killed mid-batch leaves: temps of files this release does not publish.
    left = [
        project / EXPORT / ".extra_model_0001.onnx.partial",
        project / "web/public/data/.Dataset_Version_10.csv.partial",
    ]
    for path in left:
        path.write_bytes(b"half written")
    mine = project / "web/public/data/.notes.partial"
    mine.write_text("not a file of ours")
    result = doit_here(project, *settings)
    assert result.status == 0, result.text
    assert [path for path in left if path.exists()] == []
    assert mine.read_text() == "not a file of ours"
