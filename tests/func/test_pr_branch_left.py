"""What a pull-request publish leaves: no empty branch when refused; no branch held after."""

from __future__ import annotations

from testing.doit import doit_here
from testing.gitrepo import git
from testing.project import new_run


def test_a_refused_pr_publish_leaves_no_branch(project):
    run_dir = new_run(project, version=8, seed=8)
    result = doit_here(project, "pr=true", f"run_dir={run_dir}", "dataset=nope.csv", "version=8")
    assert result.status != 0
    assert "nope.csv does not exist" in result.text
    assert git(project, "branch", "--list", "web-assets/*") == ""


def test_the_branch_can_be_deleted_after_its_merge(project):
    run_dir = new_run(project, version=8, seed=8)
    args = [f"run_dir={run_dir}", "dataset=data/processed/Dataset_Version_8.csv", "version=8"]
    assert doit_here(project, "pr=true", *args).status == 0
    git(project, "merge", "--quiet", "--no-ff", "-m", "Merge web-assets/v8", "web-assets/v8")
    git(project, "branch", "--quiet", "-d", "web-assets/v8")
    assert git(project, "branch", "--list", "web-assets/*") == ""
