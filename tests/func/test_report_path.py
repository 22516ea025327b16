"""`report=PATH` naming a file or folder the publish owns: refused before anything is written."""

from __future__ import annotations

import pytest

from testing.doit import run_doit
from testing.gitrepo import git
from testing.project import new_run


def status(project):
    return git(project, "status", "--porcelain", "--untracked-files=all")


@pytest.mark.parametrize(
    "report",
    ["web-assets.lock.json", "dodo.py", "web", "artifacts/run_export/report.md"],
)
def test_a_report_over_the_projects_own_files_is_refused_before_any_write(project, report):
    run_dir = new_run(project, version=8, seed=8)
    args = [f"run_dir={run_dir}", "dataset=data/processed/Dataset_Version_8.csv", "version=8"]
    before, head = status(project), git(project, "rev-parse", "HEAD")
    result = run_doit(project, f"report={report}", *args)
    assert result.status != 0
    assert "Setting `report` names" in result.text, result.text
    assert "Traceback" not in result.text
    assert git(project, "rev-parse", "HEAD") == head
    assert status(project) == before


def test_a_pr_publishs_report_over_the_users_lock_file_is_refused(project):
    run_dir = new_run(project, version=8, seed=8)
    args = [f"run_dir={run_dir}", "dataset=data/processed/Dataset_Version_8.csv", "version=8"]
    before = status(project)
    result = run_doit(project, "pr=true", "report=web-assets.lock.json", *args)
    assert result.status != 0
    assert "Setting `report` names" in result.text, result.text
    assert status(project) == before
    assert git(project, "branch", "--list", "web-assets/v8") == ""
