"""SIGKILL at random moments of publishes that commit: no lock is left, the next run completes.

Each round kills a real `doit` (and its git children) somewhere between its start and its end,
then publishes again: the user's staged work, the index and the work tree are as they were, and
`doit verify` passes. The models carry an unused 24 MiB initializer, so copies, hashing and
`hash-object` take long enough to be hit (larger models: see README, figures).
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time

import onnx

from testing.doit import run_doit
from testing.gitrepo import git
from testing.project import make_sample

ROUNDS = 30
PADDING = 24 << 20


def padded_run(folder, seed: int):
    """A run whose models each hold an unused initializer of PADDING random bytes."""
    run_dir = folder / f"run_2025112{seed % 10}-101500" / "export"
    make_sample.write_sample(folder, run_dir, version=8, seed=seed)
    rng = random.Random(seed)
    for model in sorted(run_dir.glob("*.onnx")):
        proto = onnx.load(model)
        padding = onnx.helper.make_tensor(
            "padding", onnx.TensorProto.UINT8, [PADDING], rng.randbytes(PADDING), raw=True
        )
        proto.graph.initializer.append(padding)
        onnx.save(proto, model)
    return run_dir


def test_thirty_sigkills_leave_no_lock_and_the_next_run_completes(project, tmp_path):
    runs = [padded_run(tmp_path / "scratch", seed) for seed in (1, 2)]
    # Both runs share the datasets the second wrote: only the models differ between rounds.
    data = tmp_path / "scratch/data/processed"
    inputs = [
        f"dataset={data / 'Dataset_Version_8.csv'}",
        f"financial_dataset={data}/financial_dataset.csv",
    ]
    (project / "notes.txt").write_text("the user's own staged work\n")
    git(project, "add", "notes.txt")
    staged = git(project, "diff", "--cached", "--name-only")
    rng = random.Random(30)
    killed = 0
    # One whole publish of each run first: how long one takes bounds when to kill.
    durations = []
    for run_dir in runs:
        started = time.monotonic()
        assert run_doit(project, f"run_dir={run_dir}", *inputs, "version=8").status == 0
        durations.append(time.monotonic() - started)
    for round_ in range(ROUNDS):
        args = [f"run_dir={runs[round_ % 2]}", *inputs, "version=8"]
        process = subprocess.Popen(
            [sys.executable, "-m", "doit", *args],
            cwd=project,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        budget = 0.9 * min(durations)
        try:
            process.wait(timeout=rng.uniform(0.05, budget))
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            killed += 1

        again = run_doit(project, *args)
        assert again.status == 0, (round_, again.text)
        assert git(project, "diff", "--cached", "--name-only") == staged, round_
        assert git(project, "status", "--porcelain", "--untracked-files=no") == "A  notes.txt"
        assert not (project / ".git/index.lock").exists(), round_
    assert killed >= 2 * ROUNDS // 3, f"only {killed} of {ROUNDS} publishes were still running"
    verified = run_doit(project, "verify")
    assert verified.status == 0, verified.text
