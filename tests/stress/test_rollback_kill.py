"""A rollback SIGKILLed at each point where it could leave a half-made release: the next command
undoes it or finishes it, leaves no temp file, and a second rollback completes.

Each point is reached for certain (testing/kill.py wraps one function in the rolling-back
process); none depends on how fast the machine is.
"""

from __future__ import annotations

import pytest

from testing.doit import run_doit
from testing.gitrepo import git
from testing.kill import Point, publish_killed_at
from testing.project import EXPORT, clone_tree
from testing.published_history import build_template, committed, published_paths

POINTS = {
    "batch written, nothing renamed": Point("os:replace", "before", 1, EXPORT),
    "batch half renamed": Point("os:replace", "before", 2, EXPORT),
    "batch renamed, no commit": Point("web_assets.git.commit:build_commit", "before"),
    "committed, branch not moved": Point("web_assets.git.commit:advance_branch", "before"),
    "branch moved, nothing after": Point("web_assets.git.commit:advance_branch", "after"),
    "files removed, index not refreshed": Point("web_assets.git.commit:sync_index", "before"),
}
# What `doit rollback to=8` leaves behind that HEAD~ (version 10) has and 8 lacks.
NEWER_DATASET = "web/public/data/Dataset_Version_10.csv"
# The commands a user might run next; each must find what the kill left.
AS_COMMAND = {"KILL_AS_DOIT_COMMAND": "1"}
NEXT = {"doit": [], "doit verify": ["verify"], "doit rollback": ["rollback", "to=8"]}


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    return build_template(tmp_path_factory)


def work_tree_matches(root, commit: str, paths: list[str]) -> bool:
    """Whether every path holds `commit`'s bytes, and a path `commit` lacks is absent."""
    held = set(git(root, "ls-tree", "-r", "--name-only", commit, "--", *paths).splitlines())
    for path in paths:
        on_disk = root / path
        if path in held:
            if not on_disk.is_file() or on_disk.read_bytes() != committed(root, commit, path):
                return False
        elif on_disk.exists():
            return False
    return True


@pytest.mark.parametrize("following", NEXT, ids=list(NEXT))
@pytest.mark.parametrize("point", POINTS, ids=list(POINTS))
def test_a_killed_rollback_is_set_right_by_the_next_command(template, tmp_path, point, following):
    root = clone_tree(template[0], tmp_path / "project")
    commits = template[1]
    old_head = git(root, "rev-parse", "HEAD")
    paths = sorted({*published_paths(root, commits["8"]), *published_paths(root, "HEAD~1")})

    publish_killed_at(root, ["rollback", "to=8"], POINTS[point], AS_COMMAND)
    head = git(root, "rev-parse", "HEAD")
    assert head == old_head or git(root, "rev-parse", "HEAD~1") == old_head

    result = run_doit(root, *NEXT[following])
    assert "Traceback" not in result.text, result.text
    assert not list(root.rglob("*.partial")), result.text
    assert not (root / ".web-assets/rollback.json").exists()
    assert work_tree_matches(root, git(root, "rev-parse", "HEAD"), paths), result.text
    published = git(root, "status", "--porcelain", "--", *paths)
    assert published == "", result.text

    if git(root, "rev-parse", "HEAD") == old_head or following == "doit rollback":
        again = run_doit(root, "rollback", "to=8")
        done = again.status == 0 or "is what is published now" in again.err
        assert done, again.text
    assert work_tree_matches(root, "HEAD", paths)
    assert not (root / NEWER_DATASET).exists()
    for path in published_paths(root, commits["8"]):
        assert (root / path).read_bytes() == committed(root, commits["8"], path), path
    assert git(root, "status", "--porcelain", "--", *paths) == ""
    verified = run_doit(root, "verify")
    assert verified.status == 0, verified.text
