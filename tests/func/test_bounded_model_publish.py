"""A publish whose run holds a hostile model, through the real `doit`: one line naming the model
and the limit, nothing written, nothing committed, in bounded time."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from testing import onnx_builders as build
from testing.doit import DoitRun
from testing.gitrepo import git
from testing.project import new_run, snapshot

RUN = "experiments/run_20251128-101500/export"
NEW_RUN = [f"run_dir={RUN}", "version=9", "dataset=data/processed/Dataset_Version_9.csv"]
LIMITS = ["model_time_limit=2", "model_memory_limit=512MiB"]


def doit_within(root: Path, seconds: float, *args: str) -> DoitRun:
    """The real `doit`, failing the test (not hanging it) when it runs past `seconds`."""
    result = subprocess.run(
        [sys.executable, "-m", "doit", *args],
        cwd=root,
        capture_output=True,
        text=True,
        env=dict(os.environ),
        timeout=seconds,
    )
    return DoitRun(result.returncode, result.stdout, result.stderr)


@pytest.mark.parametrize(
    ("make", "limit"),
    [
        (build.endless_loop, "model_time_limit=2 s"),
        (build.huge_constant, "model_memory_limit=512MiB"),
    ],
    ids=["endless-loop", "huge-constant"],
)
def test_a_hostile_model_is_refused_in_one_line_and_nothing_is_written(
    project, tmp_path, make, limit
):
    run_dir = new_run(project, version=9, seed=4)
    bundle = run_dir / "market_gradient_boost_preprocessing.json"
    width = len(json.loads(bundle.read_text())["feature_names"])
    build.save(make(width), run_dir / "market_gradient_boost.onnx")
    before, head = snapshot(tmp_path), git(project, "rev-parse", "HEAD")

    result = doit_within(project, 300, *NEW_RUN, *LIMITS)

    assert result.status != 0
    assert set(result.ran) <= {"check:models", "check:datasets"}, result.ran
    assert "Traceback" not in result.text
    [line] = [line for line in result.text.splitlines() if "market_gradient_boost" in line]
    assert limit in line and "smoke_fixtures=0" in line
    assert snapshot(tmp_path) == before
    assert git(project, "rev-parse", "HEAD") == head
