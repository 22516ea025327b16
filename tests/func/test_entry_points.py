"""The other ways in: the release-checklist script and `publish()` from Python run the same graph."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest

from testing.gitrepo import git
from testing.project import (
    MODELS,
    new_run,
    publish_commits,
    read_manifest,
)


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
    assert read_manifest(project)["dataset_version"] == "9"
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
    assert git(project, "rev-parse", "HEAD") == summary.commit
    assert summary.pushed is None and not summary.live

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
