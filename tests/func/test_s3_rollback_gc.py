"""storage = "s3": a rollback checks that its release's objects are still in the store, and
`doit gc keep=N` deletes the objects no kept release names (a dry run unless apply=true)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from testing.doit import run_doit
from testing.gitrepo import git
from testing.project import LOCK, new_run, snapshot
from testing.s3_project import bucket_keys, use_bucket


def lock_objects(project: Path) -> dict[str, dict]:
    lock = json.loads((project / LOCK).read_text())
    return {entry["path"]: entry["object"] for entry in lock["files"] if "object" in entry}


def lock_keys(project: Path) -> set[str]:
    return {stored["key"] for stored in lock_objects(project).values()}


@pytest.fixture
def two_releases(project, seaweedfs):
    """Versions 7 and 8 published to a fresh bucket, each with its own models."""
    bucket = seaweedfs.new_bucket()
    use_bucket(project, seaweedfs, bucket, "check_models = false")
    (project / ".git/info/exclude").write_text("scratch/\n")
    assert run_doit(project, env=seaweedfs.env()).status == 0
    seven = lock_keys(project)
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
    return project, bucket, seven, lock_keys(project)


def test_a_rollback_whose_objects_are_gone_is_refused_before_any_write(two_releases, seaweedfs):
    project, bucket, seven, eight = two_releases
    gone = sorted(seven - eight)[0]
    body = seaweedfs.client().get_object(Bucket=bucket, Key=gone)["Body"].read()
    seaweedfs.client().delete_object(Bucket=bucket, Key=gone)
    files, head = snapshot(project), git(project, "rev-parse", "HEAD")

    refused = run_doit(project, "rollback", "to=7", env=seaweedfs.env())
    assert refused.status == 3, refused.text
    [line] = refused.err.splitlines()
    assert gone in line and "Publish that run again" in line and "Nothing was written" in line
    assert (snapshot(project), git(project, "rev-parse", "HEAD")) == (files, head)

    seaweedfs.client().put_object(Bucket=bucket, Key=gone, Body=body)
    done = run_doit(project, "rollback", "to=7", env=seaweedfs.env())
    assert done.status == 0, done.text
    # The manifest and lock file of version 7 are committed, naming its objects again, and the
    # export folder holds those objects' bytes, fetched back from the store.
    assert lock_keys(project) == seven
    assert git(project, "show", f"HEAD:{LOCK}") == (project / LOCK).read_text().rstrip("\n")
    for path, stored in lock_objects(project).items():
        body = seaweedfs.client().get_object(Bucket=bucket, Key=stored["key"])["Body"].read()
        assert (project / path).read_bytes() == body, path


def test_gc_keeps_the_last_releases_objects_and_deletes_the_rest_only_when_asked(
    two_releases, seaweedfs
):
    project, bucket, seven, eight = two_releases
    env = seaweedfs.env()
    only_seven = seven - eight
    assert only_seven and bucket_keys(seaweedfs, bucket) == seven | eight
    # Another publisher is writing one of those keys again: it is not touched.
    writing = sorted(only_seven)[0]
    seaweedfs.client().create_multipart_upload(Bucket=bucket, Key=writing)

    for refused in (["gc"], ["gc", "keep=0"], ["gc", "keep=two"]):
        result = run_doit(project, *refused, env=env)
        assert result.status == 3 and "keep=" in result.err, result.text
    assert run_doit(project, "gc", "keep=2", env=env).out.startswith("Nothing to collect")

    dry = run_doit(project, "gc", "keep=1", env=env)
    assert dry.status == 0, dry.text
    doomed = only_seven - {writing}
    assert f"Would delete {len(doomed)} object(s)" in dry.out
    assert all(key in dry.out for key in doomed) and writing not in dry.out
    assert bucket_keys(seaweedfs, bucket) == seven | eight

    applied = run_doit(project, "gc", "keep=1", "apply=true", env=env)
    assert applied.status == 0, applied.text
    assert f"Deleted {len(doomed)} object(s)" in applied.out
    assert bucket_keys(seaweedfs, bucket) == eight | {writing}
    assert run_doit(project, "verify", env=env).status == 0
    assert run_doit(project, "gc", "keep=1", env=env).out.startswith("Nothing to collect")


def test_gc_without_an_object_store_has_nothing_to_collect(project):
    result = run_doit(project, "gc", "keep=1")
    assert result.status == 0, result.text
    assert "nothing to collect" in result.out


def test_gc_on_a_branch_made_before_the_last_release_keeps_what_the_live_release_names(
    two_releases, seaweedfs
):
    project, bucket, _, eight = two_releases
    env = seaweedfs.env()
    # A branch from before version 8, checked out: its history holds version 7 alone.
    before = git(project, "log", "--format=%H", "--grep=version 8", "--invert-grep", "-1")
    git(project, "switch", "--quiet", "-c", "older", before)
    applied = run_doit(project, "gc", "keep=1", "apply=true", env=env)
    assert applied.status == 0, applied.text
    assert eight <= bucket_keys(seaweedfs, bucket), "the live release's objects were deleted"
