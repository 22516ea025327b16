"""SIGKILLs at random moments of publishes with a 100 MiB model never leave a lock that blocks."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from testing.gitrepo import git, user_state
from web_assets.git import commit as gitcommit

KILLS = 20
BIG = 100 << 20

# One publish, as the doit task will run it: write the files, commit, move the branch, sync.
CHILD = f"""
import random, sys
from pathlib import Path
from web_assets.git import commit as gitcommit
root, run = Path(sys.argv[1]), int(sys.argv[2])
model = root / "artifacts" / "big.onnx"
model.parent.mkdir(exist_ok=True)
with open(model, "wb") as out:
    # Three variants, sparse but for a random MiB: every blob is new at first, disk stays bounded.
    out.write(random.Random(run % 3).randbytes(1 << 20))
    out.truncate({BIG})
(root / "artifacts" / "run.txt").write_text(f"run {{run}}\\n")
files = {{"artifacts/big.onnx": model, "artifacts/run.txt": root / "artifacts" / "run.txt"}}
branch = gitcommit.refuse_unsafe_state(root, None)
parent = gitcommit.head_commit(root)
new = gitcommit.build_commit(root, parent, files, f"Publish {{run}}", {{"artifacts/big.onnx"}})
if new:
    gitcommit.advance_branch(root, branch, new, parent, f"web-assets: publish version {{run}}")
gitcommit.sync_index(root, sorted(files))
"""


def _start(root: Path, run: int) -> subprocess.Popen:
    # A session of its own, so the kill takes its git processes too, as a killed terminal would.
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, str(root), str(run)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _finish(root: Path, run: int) -> None:
    child = _start(root, run)
    output = child.communicate()[0].decode(errors="replace")
    assert child.returncode == 0, output


def _git_temporaries(root: Path) -> None:
    """Objects a killed `hash-object` was writing: git's own, removed by `git gc` in two weeks."""
    for temporary in (root / ".git" / "objects").glob("*/tmp_obj_*"):
        temporary.unlink()


def test_sigkill_at_any_moment_leaves_no_lock_that_blocks(repo):
    started = time.monotonic()
    _finish(repo, 0)
    duration = time.monotonic() - started
    baseline = user_state(repo)
    rng = random.Random(7)
    left: dict[str, int] = {}

    for run in range(1, KILLS + 1):
        child = _start(repo, run)
        time.sleep(rng.uniform(0, duration * 1.2))
        os.killpg(child.pid, signal.SIGKILL)
        child.communicate()
        for removed in gitcommit.repair_after_kill(repo):
            kind = Path(removed).name.split(".")[0] or Path(removed).name
            left[kind] = left.get(kind, 0) + 1
        _git_temporaries(repo)

        _finish(repo, run + 100)

        after = user_state(repo)
        assert not (repo / ".git" / "index.lock").exists()
        assert after["status"] == baseline["status"], run
        assert after["cached"] == baseline["cached"], run
        assert git(repo, "log", "-1", "--format=%s") == f"Publish {run + 100}"
    print(f"\n{KILLS} kills over a {duration:.2f} s publish; repair removed {left or 'nothing'}")


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
