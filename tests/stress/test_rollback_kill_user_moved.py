"""A rollback SIGKILLed, then the user edits a published file or moves to another branch before
the next command: the repair sets right only what the rollback wrote, never the user's work.
"""

from __future__ import annotations

import pytest

from testing.doit import run_doit
from testing.gitrepo import git
from testing.kill import Point, publish_killed_at
from testing.project import LOCK, MANIFEST, clone_tree
from testing.published_history import build_template

NOT_MOVED = Point("web_assets.git.commit:advance_branch", "before")
MOVED = Point("web_assets.git.commit:advance_branch", "after")
AS_COMMAND = {"KILL_AS_DOIT_COMMAND": "1"}


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    return build_template(tmp_path_factory)


def _no_leftovers(root) -> None:
    assert not list(root.rglob("*.partial"))
    assert not (root / ".web-assets/rollback.json").exists()
    assert not (root / ".git/index.lock").exists()


@pytest.mark.parametrize("point", [NOT_MOVED, MOVED], ids=["branch not moved", "branch moved"])
def test_a_published_file_the_user_edited_after_the_kill_is_kept(template, tmp_path, point):
    root = clone_tree(template[0], tmp_path / "project")
    publish_killed_at(root, ["rollback", "to=8"], point, AS_COMMAND)
    edited = (root / MANIFEST).read_text().replace('"dataset_version"', '"edited_by_hand"', 1)
    (root / MANIFEST).write_text(edited)

    result = run_doit(root, "verify")
    assert "Traceback" not in result.text, result.text
    assert (root / MANIFEST).read_text() == edited, result.text
    assert MANIFEST in result.err, result.text
    _no_leftovers(root)


def test_a_branch_the_user_switched_to_after_the_kill_is_left_as_it_is(template, tmp_path):
    root = clone_tree(template[0], tmp_path / "project")
    publish_killed_at(root, ["rollback", "to=8"], NOT_MOVED, AS_COMMAND)
    git(root, "switch", "--quiet", "-c", "hotfix")
    before = {path: (root / path).read_bytes() for path in (MANIFEST, LOCK)}
    status = git(root, "status", "--porcelain")

    assert "Traceback" not in run_doit(root, "releases").text
    result = run_doit(root, "verify")
    assert "Traceback" not in result.text, result.text
    assert git(root, "symbolic-ref", "--short", "HEAD") == "hotfix"
    assert {path: (root / path).read_bytes() for path in before} == before, result.text
    assert git(root, "status", "--porcelain") == status
    _no_leftovers(root)


@pytest.mark.parametrize("point", [NOT_MOVED, MOVED], ids=["branch not moved", "branch moved"])
def test_a_commit_the_user_made_after_the_kill_stays_and_the_files_follow_it(
    template, tmp_path, point
):
    root = clone_tree(template[0], tmp_path / "project")
    publish_killed_at(root, ["rollback", "to=8"], point, AS_COMMAND)
    (root / "notes.txt").write_text("the user's own\n")
    git(root, "add", "notes.txt")
    git(root, "commit", "--quiet", "-m", "the user's commit")
    mine = git(root, "rev-parse", "HEAD")

    result = run_doit(root, "verify")
    assert "Traceback" not in result.text, result.text
    assert git(root, "rev-parse", "HEAD") == mine
    assert git(root, "status", "--porcelain", "--untracked-files=all") == "", result.text
    _no_leftovers(root)
    again = run_doit(root, "rollback", "to=8")
    assert again.status == 0 or "is what is published now" in again.err, again.text
