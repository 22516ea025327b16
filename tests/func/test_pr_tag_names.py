"""A release tag and a pull request's branch never share a name: `git push origin NAME` works."""

from __future__ import annotations

from testing.doit import doit_here
from testing.gitrepo import git
from testing.project import new_run

BRANCH = "web-assets/v8"


def publish_args(project):
    run_dir = new_run(project, version=8, seed=8)
    return [f"run_dir={run_dir}", "dataset=data/processed/Dataset_Version_8.csv", "version=8"]


def test_a_release_of_a_version_with_a_pr_branch_takes_another_tag_name(project):
    args = publish_args(project)
    assert doit_here(project, "pr=true", *args).status == 0
    branch_tip = git(project, "rev-parse", f"refs/heads/{BRANCH}")
    result = doit_here(project, *args)
    assert result.status == 0, result.text
    assert "tagged web-assets/v8-2" in result.out
    assert git(project, "tag", "--list", BRANCH) == ""
    # The summary's advice for the branch still names one ref.
    assert git(project, "rev-parse", BRANCH) == branch_tip


def test_a_pr_publish_of_a_tagged_version_is_refused_before_any_write(project):
    args = publish_args(project)
    assert doit_here(project, *args).status == 0
    head = git(project, "rev-parse", "HEAD")
    result = doit_here(project, "pr=true", *args)
    assert result.status != 0
    assert f"The release tag {BRANCH} exists" in result.text, result.text
    assert git(project, "branch", "--list", BRANCH) == ""
    assert git(project, "rev-parse", "HEAD") == head
