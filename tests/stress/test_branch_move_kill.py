"""A publish SIGKILLed right after it moved the branch, before it refreshed the index: whatever
command comes next finishes the refresh, so the user's next `git commit` cannot revert the release.

Without the repair `git status` shows `MM` on every published file (the index still holds the
old blobs). The kill point is counted, not timed (testing/kill.py).
"""

from __future__ import annotations

import shutil

import pytest

from testing.doit import run_doit
from testing.gitrepo import git
from testing.kill import Point, publish_killed_at
from testing.project import new_run

MOVED = Point("web_assets.git.commit:advance_branch", "after")


@pytest.fixture
def killed(project):
    """Version 8 published from a scratch run and killed right after the branch moved."""
    run_dir = new_run(project / "scratch", version=8, seed=8)
    data = project / "scratch/data/processed"
    (project / ".git/info/exclude").write_text("scratch/\n")
    head = git(project, "rev-parse", "HEAD")
    publish_killed_at(
        project,
        [
            f"run_dir={run_dir}",
            f"dataset={data / 'Dataset_Version_8.csv'}",
            f"financial_dataset={data / 'financial_dataset.csv'}",
            "version=8",
        ],
        MOVED,
    )
    assert git(project, "rev-parse", "HEAD") != head, "the branch moved before the kill"
    assert git(project, "tag", "--list", "web-assets/*") == "", "killed before the tag"
    return project


def _tagged(project, commit: str) -> None:
    """The release tag the killed publish did not make, made by the repair."""
    assert git(project, "rev-parse", "web-assets/v8^{commit}") == commit


def _published_paths_clean(project) -> None:
    status = git(project, "status", "--porcelain", "--untracked-files=no")
    assert status == "", status
    assert not (project / ".git/index.lock").exists()
    assert not list((project / ".git").glob("web-assets/*"))


def test_a_plain_doit_finishes_the_index_refresh(killed):
    moved = git(killed, "rev-parse", "HEAD")
    done = run_doit(killed)
    assert done.status == 0, done.text
    _published_paths_clean(killed)
    assert git(killed, "log", "-1", "--format=%s") == "chore: update web assets for version 8"
    _tagged(killed, moved)


def test_a_plain_doit_with_nothing_to_publish_finishes_it_too(killed):
    # The run folder is gone: a plain doit keeps the published release and runs no commit step.
    shutil.rmtree(killed / "scratch")
    done = run_doit(killed)
    assert done.status == 0, done.text
    assert "commit" not in done.ran
    _published_paths_clean(killed)


def test_verify_finishes_it_and_passes(killed):
    moved = git(killed, "rev-parse", "HEAD")
    done = run_doit(killed, "verify")
    assert done.status == 0, done.text
    _published_paths_clean(killed)
    _tagged(killed, moved)


def test_a_rollback_finishes_it_and_rolls_back(killed):
    moved = git(killed, "rev-parse", "HEAD")
    done = run_doit(killed, "rollback", "to=7")
    assert done.status == 0, done.text
    # The index is HEAD's: the user's next commit keeps the rollback. (The work tree's manifest
    # may differ: the sample's version 7 pins a commit of another repository, re-pinned here.)
    assert git(killed, "diff", "--cached", "--name-only") == ""
    assert not (killed / ".git/index.lock").exists()
    assert not list((killed / ".git").glob("web-assets/*"))
    assert git(killed, "log", "-1", "--format=%s").startswith("chore: roll back web assets to")
    _tagged(killed, moved)
