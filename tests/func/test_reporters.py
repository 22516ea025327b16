"""Every reporter prints what it should, whatever number of threads run the steps."""

from __future__ import annotations

import json

import pytest

from testing.doit import run_doit
from testing.project import sample_repo


def fresh_clone(tmp_path, name):
    """A project as `git clone` gives it: the sample committed, no doit state."""
    return sample_repo(tmp_path / name)


def test_json_reporter_prints_json_on_six_fresh_clones(tmp_path):
    # The output once raced between step threads: 2 of 6 fresh clones failed before the fix,
    # so 6 runs (2 on each thread count) miss such a race less than 1 time in 10.
    for index in range(6):
        threads = (1, 2, 4)[index % 3]
        root = fresh_clone(tmp_path, f"clone{index}")
        result = run_doit(root, "--reporter", "json", "-n", str(threads), "-P", "thread")
        assert result.status == 0, (threads, result.text)
        report = json.loads(result.out)
        assert {task["name"] for task in report["tasks"]} >= {"check:models", "manifest", "commit"}


@pytest.mark.parametrize("reporter", ["console", "zero", "executed-only"])
@pytest.mark.parametrize("threads", [1, 4])
def test_other_reporters_run_clean(tmp_path, reporter, threads):
    root = fresh_clone(tmp_path, "clone")
    result = run_doit(root, "--reporter", reporter, "-n", str(threads), "-P", "thread")
    assert result.status == 0, result.text
    assert "Traceback" not in result.text
