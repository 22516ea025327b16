"""storage = "s3": a rollback SIGKILLed after it fetched its release's objects into the export
folder, before its commit: the next command puts back the current release's files, those from
the store too, so that `doit verify` passes and a second rollback completes."""

from __future__ import annotations

import json
from pathlib import Path

from testing.doit import run_doit
from testing.gitrepo import git
from testing.kill import Point, publish_killed_at
from testing.project import LOCK, new_run
from testing.s3_project import use_bucket

NOT_COMMITTED = Point("web_assets.git.commit:build_commit", "before")


def stored_files(project: Path) -> dict[str, str]:
    lock = json.loads((project / LOCK).read_text())
    return {entry["path"]: entry["sha256"] for entry in lock["files"] if "object" in entry}


def test_a_rollback_killed_after_its_fetch_is_undone_with_the_store_files(project, seaweedfs):
    use_bucket(project, seaweedfs, seaweedfs.new_bucket(), "check_models = false")
    (project / ".git/info/exclude").write_text("scratch/\n")
    env = seaweedfs.env()
    assert run_doit(project, env=env).status == 0
    run_dir = new_run(project / "scratch", version=8, seed=8)
    data = project / "scratch/data/processed"
    args = [f"dataset={data / 'Dataset_Version_8.csv'}", "version=8"]
    args += [f"run_dir={run_dir}", f"financial_dataset={data / 'financial_dataset.csv'}"]
    assert run_doit(project, *args, env=env).status == 0, "version 8 published"
    eight = {path: (project / path).read_bytes() for path in stored_files(project)}
    # The export folder is not what git holds once the models live in the store: compared as is.
    status = git(project, "status", "--porcelain")

    publish_killed_at(
        project, ["rollback", "to=7"], NOT_COMMITTED, {**env, "KILL_AS_DOIT_COMMAND": "1"}
    )
    result = run_doit(project, "verify", env=env)
    assert result.status == 0, result.text
    assert {path: (project / path).read_bytes() for path in eight} == eight
    assert git(project, "status", "--porcelain") == status
    assert not list(project.rglob("*.partial"))
    assert not (project / ".web-assets/rollback.json").exists()

    done = run_doit(project, "rollback", "to=7", env=env)
    assert done.status == 0, done.text
