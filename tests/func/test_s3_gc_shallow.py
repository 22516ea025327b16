"""`doit gc keep=N` in a shallow clone: the older releases it must keep are not in the clone, so it
cannot tell which objects they name; it refuses in one line and deletes nothing."""

from __future__ import annotations

import json
import subprocess

import pytest

from testing.doit import run_doit
from testing.project import LOCK
from testing.s3_project import bucket_keys, use_bucket


@pytest.fixture
def shallow(project, seaweedfs, tmp_path, version_8):
    """Versions 7 and 8 published to a fresh bucket, then a clone of depth 1 (version 8 only)."""
    bucket = seaweedfs.new_bucket()
    use_bucket(project, seaweedfs, bucket, "check_models = false")
    assert run_doit(project, env=seaweedfs.env()).status == 0
    result = run_doit(project, *version_8, env=seaweedfs.env())
    assert result.status == 0, result.text
    clone = tmp_path / "clone"
    command = ["git", "clone", "--quiet", "--depth", "1", f"file://{project}", str(clone)]
    subprocess.run(command, check=True, capture_output=True)
    assert json.loads((clone / LOCK).read_text()) == json.loads((project / LOCK).read_text())
    return clone, bucket


@pytest.mark.parametrize("apply", [[], ["apply=true"]], ids=["dry run", "apply"])
def test_gc_in_a_shallow_clone_that_hides_kept_releases_deletes_nothing(shallow, seaweedfs, apply):
    clone, bucket = shallow
    before = bucket_keys(seaweedfs, bucket)

    result = run_doit(clone, "gc", "keep=2", *apply, env=seaweedfs.env())
    assert result.status == 3, result.text
    [line] = result.err.splitlines()
    assert "shallow" in line and "git fetch --unshallow" in line, line
    assert bucket_keys(seaweedfs, bucket) == before

    # Keeping only what the clone holds is what it can answer.
    assert run_doit(clone, "gc", "keep=1", env=seaweedfs.env()).status == 0
