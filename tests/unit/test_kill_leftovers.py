"""A lock git holds is refused; what a killed publish left in the git dir is removed by the next,
and nothing of git's own."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from testing.gitrepo import publish
from web_assets.errors import PublishError
from web_assets.git import commit as gitcommit

FILES = {"artifacts/model.onnx": b"\x08\x07model bytes"}


def test_a_lock_held_by_git_is_refused_naming_it(repo):
    lock = repo / ".git" / "index.lock"
    holder = subprocess.Popen(
        [sys.executable, "-c", f"import time; f = open({str(lock)!r}, 'x'); time.sleep(60)"]
    )
    try:
        while not lock.exists():
            time.sleep(0.01)
        with pytest.raises(PublishError, match=f"git is running.*pid {holder.pid}"):
            gitcommit.refuse_unsafe_state(repo, None)
        assert gitcommit.repair_after_kill(repo) == []
        assert lock.exists()
    finally:
        holder.kill()
        holder.wait()
    with pytest.raises(PublishError, match="when none runs, remove it"):
        gitcommit.sync_index(repo, ["tracked.txt"])
    assert lock.exists()


def test_our_lock_left_by_a_kill_is_removed(repo):
    folder = repo / ".git" / "web-assets"
    folder.mkdir()
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        text=True,
        capture_output=True,
        check=True,
    ).stdout.strip()
    holder = folder / f"index-lock.{dead}.1.abcd"
    holder.write_bytes(b"")
    os.link(holder, repo / ".git" / "index.lock")
    stray = folder / f"build.{dead}.1.abcd"
    stray.write_bytes(b"partial index")

    removed = gitcommit.repair_after_kill(repo)

    assert sorted(removed) == sorted(map(str, [holder, stray, repo / ".git" / "index.lock"]))
    assert publish(repo, FILES)


def test_a_ref_lock_of_an_update_ref_killed_with_us_is_removed_and_no_older_one(repo):
    folder = repo / ".git" / "web-assets"
    folder.mkdir()
    older = repo / ".git" / "HEAD.lock"
    older.write_text("")
    time.sleep(0.05)
    marker = folder / "ref-lock.999999999.1.abcd"
    branch = repo / ".git" / "refs" / "heads" / "main.lock"
    marker.write_text(f"{branch}\n{older}\n")
    time.sleep(0.05)
    branch.write_text("")

    removed = gitcommit.repair_after_kill(repo)

    assert sorted(removed) == sorted([str(branch), str(marker)])
    assert older.exists()
