"""A publish through web_assets.git.commit SIGKILLed before, or just as it starts, each of its git
commands never leaves a lock that blocks, and never touches the user's work.

The kill points are counted, not timed: the child wraps subprocess.Popen so that its Nth git
command kills the whole session (the child and its git), before or right after git is started.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from testing.gitrepo import git, user_state
from web_assets.git import commit as gitcommit

# Each test kills at every GROUPS-th git command, so that none takes long.
GROUPS = 5
# One publish, as the doit task runs it: write the files, commit, move the branch, sync the index.
CHILD = """
import os, signal, subprocess, sys
from pathlib import Path
from web_assets.git import commit as gitcommit

root, run, nth, when = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
calls = 0


class Killing(subprocess.Popen):
    def __init__(self, args, *rest, **options):
        global calls
        calls += args[0] == "git"
        hit = args[0] == "git" and calls == nth
        if hit and when == "before":
            os.killpg(0, signal.SIGKILL)
        super().__init__(args, *rest, **options)
        if hit and when == "started":
            os.killpg(0, signal.SIGKILL)


subprocess.Popen = Killing
model = root / "artifacts" / "big.onnx"
model.parent.mkdir(exist_ok=True)
model.write_bytes(run.to_bytes(4, "big") * (1 << 18))
(root / "artifacts" / "run.txt").write_text(f"run {run}\\n")
files = {"artifacts/big.onnx": model, "artifacts/run.txt": root / "artifacts" / "run.txt"}
branch = gitcommit.refuse_unsafe_state(root, None)
parent = gitcommit.head_commit(root)
new = gitcommit.build_commit(root, parent, files, f"Publish {run}", {"artifacts/big.onnx"})
if new:
    gitcommit.move_branch(root, branch, new, parent, sorted(files), f"web-assets: publish {run}")
else:
    gitcommit.sync_index(root, sorted(files))
print(calls)
"""


def _publish(
    root: Path, run: int, nth: int = 0, when: str = "before"
) -> subprocess.CompletedProcess:
    # A session of its own, so the kill takes its git processes too, as a killed terminal would.
    return subprocess.run(
        [sys.executable, "-c", CHILD, str(root), str(run), str(nth), when],
        capture_output=True,
        text=True,
        start_new_session=True,
        timeout=120,
    )


def _finish(root: Path, run: int) -> int:
    """A whole publish; how many git commands it ran."""
    done = _publish(root, run)
    assert done.returncode == 0, done.stdout + done.stderr
    return int(done.stdout)


def _git_temporaries(root: Path) -> None:
    """Objects a killed `hash-object` was writing: git's own, removed by `git gc` in two weeks."""
    for temporary in (root / ".git" / "objects").glob("*/tmp_obj_*"):
        temporary.unlink()


@pytest.mark.parametrize("group", range(GROUPS))
@pytest.mark.parametrize("when", ["before", "started"])
def test_a_kill_at_each_git_command_leaves_no_lock_that_blocks(repo, when, group):
    commands = _finish(repo, 0)
    assert commands > GROUPS
    baseline = user_state(repo)
    for nth in range(1 + group, commands + 1, GROUPS):
        killed = _publish(repo, nth, nth, when)
        assert killed.returncode == -9, (nth, killed.stdout + killed.stderr)
        gitcommit.repair_after_kill(repo)
        # Whether or not the branch moved, the published paths of the index match HEAD now.
        staged = git(repo, "diff", "--cached", "--name-only", "--", "artifacts/")
        assert staged == "", (nth, staged)
        _git_temporaries(repo)

        _finish(repo, nth + 100)

        after = user_state(repo)
        assert not (repo / ".git" / "index.lock").exists(), nth
        assert after["status"] == baseline["status"], nth
        assert after["cached"] == baseline["cached"], nth
        assert git(repo, "log", "-1", "--format=%s") == f"Publish {nth + 100}"
