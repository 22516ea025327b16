"""With the real `doit`: a dataset-only release keeps the models' run, and a version rolled back
from stays taken, so `doit releases` never shows two different version 8."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

MANIFEST = "web/public/fixtures/dev.json"


def doit(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "doit", *args]
    return subprocess.run(command, cwd=root, capture_output=True, text=True)


def new_dataset(root: Path, name: str, row: str) -> str:
    """The sample's main dataset with one more row, as `data/processed/NAME`."""
    sample = (root / "data/processed/Dataset_Version_7.csv").read_text()
    (root / "data/processed" / name).write_text(sample + row + "\n")
    return f"dataset=data/processed/{name}"


def run_of(root: Path) -> tuple[str, str, str]:
    manifest = json.loads((root / MANIFEST).read_text())
    return manifest["dataset_version"], manifest["run_id"], manifest["trained_at"]


def test_a_new_dataset_alone_keeps_the_models_run(project):
    _, run_id, trained_at = run_of(project)
    row = (project / "data/processed/Dataset_Version_7.csv").read_text().splitlines()[-1]
    result = doit(project, "version=8", new_dataset(project, "eight.csv", row))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "models and preprocessing unchanged" in result.stdout
    assert run_of(project) == ("8", run_id, trained_at)


def test_a_version_rolled_back_from_is_not_published_again_with_other_bytes(project):
    row = (project / "data/processed/Dataset_Version_7.csv").read_text().splitlines()[-1]
    eight = new_dataset(project, "eight.csv", row)
    assert doit(project, "version=8", eight).returncode == 0
    rolled = doit(project, "rollback", "to=7")
    assert rolled.returncode == 0, rolled.stdout + rolled.stderr
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=project, capture_output=True).stdout

    other = new_dataset(project, "other.csv", row.replace(",", ",x", 1))
    refused = doit(project, "version=8", other)
    assert refused.returncode != 0
    said = refused.stdout + refused.stderr
    assert "Dataset_Version_8.csv is already published with other bytes" in said
    assert "Publish it as version 9" in said and "Traceback" not in said
    assert (
        subprocess.run(["git", "rev-parse", "HEAD"], cwd=project, capture_output=True).stdout
        == head
    )

    again = doit(project, "version=8", eight)  # the bytes version 8 was published with
    assert again.returncode == 0, again.stdout + again.stderr
    listed = doit(project, "releases").stdout.splitlines()
    assert [line.split()[0] for line in listed] == ["8", "7", "8", "7"]
    assert "(rollback to 7, commit " in listed[1]
    assert "(same as 8, commit " in listed[0]
