"""`doit gc keep=N` in a shallow clone: the older releases it must keep are not in the clone, so it
cannot tell which objects they name; it refuses in one line and deletes nothing."""

from __future__ import annotations

import json
import subprocess

import pytest

from testing.doit import run_doit
from testing.gitrepo import git
from testing.project import LOCK, new_run, without_git_template


def keys(server, bucket: str) -> set[str]:
    listed = server.client().list_objects_v2(Bucket=bucket)
    return {item["Key"] for item in listed.get("Contents", [])}


@pytest.fixture
def shallow(project, seaweedfs, tmp_path):
    """Versions 7 and 8 published to a fresh bucket, then a clone of depth 1 (version 8 only)."""
    bucket = seaweedfs.new_bucket()
    pyproject = project / "pyproject.toml"
    lines = [
        'storage = "s3"',
        f's3_bucket = "{bucket}"',
        f's3_endpoint_url = "{seaweedfs.endpoint_url}"',
        f's3_region = "{seaweedfs.region}"',
        f'public_base_url = "{seaweedfs.public_base_url}/{bucket}"',
        "check_models = false",
    ]
    text = pyproject.read_text().replace("version = 7\n", "version = 7\n" + "\n".join(lines) + "\n")
    pyproject.write_text(without_git_template(text))
    git(project, "commit", "--quiet", "--all", "-m", "models in the object store")
    (project / ".git/info/exclude").write_text("scratch/\n")
    assert run_doit(project, env=seaweedfs.env()).status == 0
    run_dir = new_run(project / "scratch", version=8, seed=8)
    data = project / "scratch/data/processed"
    result = run_doit(
        project,
        f"run_dir={run_dir}",
        f"dataset={data / 'Dataset_Version_8.csv'}",
        f"financial_dataset={data / 'financial_dataset.csv'}",
        "version=8",
        env=seaweedfs.env(),
    )
    assert result.status == 0, result.text
    clone = tmp_path / "clone"
    command = ["git", "clone", "--quiet", "--depth", "1", f"file://{project}", str(clone)]
    subprocess.run(command, check=True, capture_output=True)
    assert json.loads((clone / LOCK).read_text()) == json.loads((project / LOCK).read_text())
    return clone, bucket


@pytest.mark.parametrize("apply", [[], ["apply=true"]], ids=["dry run", "apply"])
def test_gc_in_a_shallow_clone_that_hides_kept_releases_deletes_nothing(shallow, seaweedfs, apply):
    clone, bucket = shallow
    before = keys(seaweedfs, bucket)

    result = run_doit(clone, "gc", "keep=2", *apply, env=seaweedfs.env())
    assert result.status == 3, result.text
    [line] = result.err.splitlines()
    assert "shallow" in line and "git fetch --unshallow" in line, line
    assert keys(seaweedfs, bucket) == before

    # Keeping only what the clone holds is what it can answer.
    assert run_doit(clone, "gc", "keep=1", env=seaweedfs.env()).status == 0
