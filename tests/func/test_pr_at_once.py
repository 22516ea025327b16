"""Two pull-request publishes at once: the second is refused before it touches the first's branch."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from testing.doit import run_doit
from testing.gitrepo import git
from testing.project import new_run

HOOK = """#!/bin/sh
# Holds the first publish at its first commit until the test lets it go.
touch "{started}"
i=0
while [ ! -e "{go}" ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done
"""


def wait_for(path: Path, process: subprocess.Popen) -> None:
    """Until `path` exists (the hook reached it) or the publish has ended; 60 s at most."""
    deadline = time.monotonic() + 60
    while not path.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert path.exists(), "the first publish never reached its commit"


def test_a_second_pr_publish_leaves_the_running_ones_worktree_alone(tmp_path, project):
    started, go = tmp_path / "started", tmp_path / "go"
    hook = project / ".git" / "hooks" / "pre-commit"
    hook.write_text(HOOK.format(started=started, go=go))
    hook.chmod(0o755)
    first_run, second_run = (new_run(project, version=v, seed=v, name=f"run_{v}") for v in (8, 9))
    dataset = "dataset=data/processed/Dataset_Version_8.csv"
    first = subprocess.Popen(
        [sys.executable, "-m", "doit", "pr=true", "version=8", f"run_dir={first_run}", dataset],
        cwd=project,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_for(started, first)
        second = run_doit(
            project,
            "pr=true",
            "version=9",
            f"run_dir={second_run}",
            "dataset=data/processed/Dataset_Version_9.csv",
        )
    finally:
        go.touch()
        out, _ = first.communicate(timeout=120)
    assert second.status != 0
    assert "Another pull-request publish is running" in second.text, second.text
    assert "Traceback" not in second.text
    assert first.returncode == 0, out
    assert git(project, "branch", "--list", "web-assets/v9") == ""
    assert "on branch web-assets/v8" in out
    manifest = git(project, "show", "web-assets/v8:web/public/fixtures/dev.json")
    assert '"dataset_version": "8"' in manifest
    worktree = project / ".git" / "web-assets-pr"
    assert git(worktree, "rev-parse", "HEAD") == git(project, "rev-parse", "web-assets/v8")
