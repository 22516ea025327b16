"""A new branch's push says how many commits it sent: those the remote lacked, not its history."""

from __future__ import annotations

from testing.doit import doit_here
from testing.gitrepo import git


def test_a_pr_push_counts_only_the_releases_commits(project, remote, version_8):
    result = doit_here(project, "pr=true", "push=true", *version_8)
    assert result.status == 0, result.text
    tip = git(project, "rev-parse", "refs/heads/web-assets/v8")
    assert f"pushed origin web-assets/v8: 2 commit(s) (a new branch, up to {tip[:7]})" in (
        result.out
    )
