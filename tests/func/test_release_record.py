"""The lock file remembers the last release: a plain `doit` republishes it, never other inputs."""

from __future__ import annotations

import json

from testing.doit import doit_here
from testing.gitrepo import git
from testing.project import LOCK, new_run


def test_a_plain_doit_after_a_new_release_keeps_it(project, tmp_path):
    run_dir = new_run(tmp_path / "scratch", version=8, seed=8)
    dataset = tmp_path / "scratch/data/processed/Dataset_Version_8.csv"
    published = doit_here(project, f"run_dir={run_dir}", f"dataset={dataset}", "version=8")
    assert published.status == 0, published.text
    head = git(project, "rev-parse", "HEAD")
    record = json.loads((project / LOCK).read_text())["release"]
    assert record["version"] == 8
    assert record["run_dir"] == str(run_dir) and record["dataset"] == str(dataset)

    again = doit_here(project)
    assert again.status == 0, again.text
    assert again.ran == []
    assert git(project, "rev-parse", "HEAD") == head
    assert git(project, "status", "--porcelain") == ""
    assert (project / "web/public/data/Dataset_Version_8.csv").read_bytes() == dataset.read_bytes()


def test_the_command_line_still_wins_over_the_record(project, tmp_path):
    run_dir = new_run(tmp_path / "scratch", version=8, seed=8)
    dataset = tmp_path / "scratch/data/processed/Dataset_Version_8.csv"
    assert doit_here(project, f"run_dir={run_dir}", f"dataset={dataset}", "version=8").status == 0
    result = doit_here(project, "commit=false", "uri_template=https://x.invalid/{filename}")
    assert result.status == 0, result.text
    assert json.loads((project / LOCK).read_text())["release"]["version"] == 8


def test_with_the_recorded_inputs_gone_a_plain_doit_repairs_from_head_and_says_so(
    project, tmp_path
):
    import shutil

    scratch = tmp_path / "scratch"
    run_dir = new_run(scratch, version=8, seed=8)
    dataset = scratch / "data/processed/Dataset_Version_8.csv"
    assert doit_here(project, f"run_dir={run_dir}", f"dataset={dataset}", "version=8").status == 0
    shutil.rmtree(scratch)  # the scratch disk was cleaned
    published = project / "web/public/data/Dataset_Version_8.csv"
    good = published.read_bytes()
    published.write_bytes(good[:100])

    result = doit_here(project)
    assert result.status == 0, result.text
    assert "repaired from HEAD web/public/data/Dataset_Version_8.csv" in result.out
    assert published.read_bytes() == good
    assert git(project, "status", "--porcelain") == ""
    assert doit_here(project, "verify").status == 0
    assert doit_here(project).ran == []


def test_a_run_outside_the_project_publishes_through_the_script_and_publish(project, tmp_path):
    import subprocess
    import sys

    from web_assets import publish

    scratch = tmp_path / "runs"
    run_dir = new_run(scratch, version=8, seed=81)
    data = scratch / "data/processed"
    script = [sys.executable, str(project / "scripts/update_web_assets.py")]
    flags = ["--run-dir", str(run_dir), "--dataset", str(data / "Dataset_Version_8.csv")]
    flags += ["--financial-dataset", str(data / "financial_dataset.csv"), "--version", "8"]
    result = subprocess.run([*script, *flags], cwd=scratch, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads((project / LOCK).read_text())["release"]["run_dir"] == str(run_dir)

    later = new_run(scratch / "later", version=9, seed=91)
    summary = publish(
        project,
        run_dir=later,
        dataset=scratch / "later/data/processed/Dataset_Version_9.csv",
        financial_dataset=scratch / "later/data/processed/financial_dataset.csv",
        version=9,
    )
    assert summary.manifest["dataset_version"] == "9"
    assert doit_here(project).ran == []
    assert git(project, "status", "--porcelain") == ""
