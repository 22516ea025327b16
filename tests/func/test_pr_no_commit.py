"""pr=true with commit=false: nothing to put on the branch, so refused before anything is written."""

from __future__ import annotations

from testing.doit import run_doit
from testing.gitrepo import git
from testing.project import new_run


def test_pr_mode_without_a_commit_is_refused_before_any_write(project):
    run_dir = new_run(project, version=8, seed=8)
    before = git(project, "status", "--porcelain", "--untracked-files=all")
    result = run_doit(
        project,
        "pr=true",
        "commit=false",
        "uri_template=https://assets.example.invalid/{filename}",
        f"run_dir={run_dir}",
        "dataset=data/processed/Dataset_Version_8.csv",
        "version=8",
    )
    assert result.status != 0
    assert (
        "Pull-request mode commits the release on the branch web-assets/v8, and `commit=false`"
        in result.text
    ), result.text
    assert "Traceback" not in result.text
    assert git(project, "branch", "--list", "web-assets/v8") == ""
    assert not (project / ".git" / "web-assets-pr").exists()
    assert git(project, "status", "--porcelain", "--untracked-files=all") == before
