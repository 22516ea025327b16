"""The branch move and the index refresh as one step: a record of ours, finished by the next run."""

from __future__ import annotations

import pytest

from testing.gitrepo import git, write
from web_assets.errors import PublishError
from web_assets.git import commit as gitcommit
from web_assets.git.index import index_follows

FILES = {"models/new.onnx": b"new model", "models/old.onnx": b"retrained"}


def _commit(repo) -> tuple[str, str]:
    parent = git(repo, "rev-parse", "HEAD")
    new = gitcommit.build_commit(repo, parent, write(repo, FILES), "Publish")
    assert new
    return parent, new


def _records(repo) -> list[str]:
    return sorted(path.name for path in (repo / ".git/web-assets").glob("*"))


def test_a_move_stopped_before_the_refresh_is_finished_by_the_next_repair(repo):
    parent, new = _commit(repo)
    with pytest.raises(KeyboardInterrupt), index_follows(repo, new, sorted(FILES)):
        gitcommit.advance_branch(repo, "main", new, parent)
        raise KeyboardInterrupt  # as a Ctrl-C between the move and the refresh
    stale = git(repo, "status", "--porcelain", "--", *FILES)
    assert stale == "D  models/new.onnx\nMM models/old.onnx\n?? models/new.onnx"

    gitcommit.repair_after_kill(repo)
    assert git(repo, "status", "--porcelain", "--", *FILES) == ""
    assert _records(repo) == []
    # The user's staged work is still staged, nothing else of the index changed.
    assert git(repo, "diff", "--cached", "--name-only") == "staged.txt"


def test_a_move_the_branch_refused_leaves_no_record(repo):
    _, new = _commit(repo)
    other = git(repo, "rev-parse", "HEAD~1")
    with pytest.raises(PublishError, match="moved while publishing"):
        gitcommit.move_branch(repo, "main", new, other, sorted(FILES), "publish")
    assert _records(repo) == []
    assert git(repo, "rev-parse", "HEAD") != new


def test_a_record_whose_commit_is_not_head_is_dropped_without_touching_the_index(repo):
    parent, new = _commit(repo)
    with pytest.raises(KeyboardInterrupt), index_follows(repo, new, sorted(FILES)):
        gitcommit.advance_branch(repo, "main", new, parent)
        raise KeyboardInterrupt
    # The user moved on: reset the branch by hand, keeping the index as it is.
    git(repo, "update-ref", "refs/heads/main", parent)
    index = (repo / ".git/index").read_bytes()

    gitcommit.repair_after_kill(repo)
    assert _records(repo) == []
    assert (repo / ".git/index").read_bytes() == index


def test_move_branch_leaves_the_index_on_the_new_commit(repo):
    parent, new = _commit(repo)
    gitcommit.move_branch(repo, "main", new, parent, sorted(FILES), "publish")
    assert git(repo, "rev-parse", "HEAD") == new
    assert git(repo, "status", "--porcelain", "--", *FILES) == ""
    assert _records(repo) == []
