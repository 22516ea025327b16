"""`doit plan` for a new version: inputs that an earlier step writes are no reason to fail."""

from __future__ import annotations

from testing.doit import doit_here
from testing.project import NO_COMMIT, new_run


def test_a_new_version_plans_without_cannot_run(project):
    assert doit_here(project).status == 0
    run_dir = new_run(project, version=9, seed=5)
    dataset = "dataset=data/processed/Dataset_Version_9.csv"
    result = doit_here(project, "plan", "version=9", f"run_dir={run_dir}", dataset, *NO_COMMIT)
    assert result.status == 0, result.text
    assert "cannot run" not in result.out
    assert (
        "after datasets:web/public/data/Dataset_Version_9.csv, whose output it reads" in result.out
    )
