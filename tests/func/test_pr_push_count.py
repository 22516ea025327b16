"""A new branch's push says how many commits it sent: those the remote lacked, not its history."""

from __future__ import annotations

from testing.doit import doit_here
from testing.gitrepo import git
from testing.project import new_run


def test_a_pr_push_counts_only_the_releases_commits(tmp_path, project):
    bare = tmp_path / "remote.git"
    git(tmp_path, "init", "--quiet", "--bare", "--initial-branch=main", str(bare))
    git(project, "remote", "add", "origin", str(bare))
    git(project, "push", "--quiet", "origin", "main")
    run_dir = new_run(project, version=8, seed=8)
    args = [f"run_dir={run_dir}", "dataset=data/processed/Dataset_Version_8.csv", "version=8"]
    result = doit_here(project, "pr=true", "push=true", *args)
    assert result.status == 0, result.text
    tip = git(project, "rev-parse", "refs/heads/web-assets/v8")
    assert f"pushed origin web-assets/v8: 2 commit(s) (a new branch, up to {tip[:7]})" in (
        result.out
    )
