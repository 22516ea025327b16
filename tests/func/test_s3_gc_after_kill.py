"""storage = "s3": a publish killed after its uploads, before its commit, then `doit gc keep=1
apply=true` (the uploads are named by no release yet): the next `doit` still publishes a release
whose every object is in the store."""

from __future__ import annotations

import json

from testing.doit import run_doit
from testing.kill import Point, publish_killed_at
from testing.project import LOCK, new_run
from testing.s3_project import bucket_keys, use_bucket


def test_objects_gc_took_from_a_killed_publish_are_sent_again(project, seaweedfs):
    bucket = seaweedfs.new_bucket()
    use_bucket(project, seaweedfs, bucket, "check_models = false")
    (project / ".git/info/exclude").write_text("scratch/\n")
    env = seaweedfs.env()
    assert run_doit(project, env=env).status == 0
    run_dir = new_run(project / "scratch", version=8, seed=8)
    data = project / "scratch/data/processed"
    args = [f"dataset={data / 'Dataset_Version_8.csv'}", "version=8"]
    args += [f"run_dir={run_dir}", f"financial_dataset={data / 'financial_dataset.csv'}"]
    publish_killed_at(project, args, Point("os:replace", "before", 1, "dev.json"), env)
    collected = run_doit(project, "gc", "keep=1", "apply=true", env=env)
    assert collected.status == 0, collected.text
    assert "Deleted 6" in collected.out, collected.text

    done = run_doit(project, *args, env=env)
    assert done.status == 0, done.text
    lock = json.loads((project / LOCK).read_text())
    named = {entry["object"]["key"] for entry in lock["files"] if "object" in entry}
    assert named and named <= bucket_keys(seaweedfs, bucket), collected.text
    assert run_doit(project, "verify", "live=true", env=env).status == 0
