"""Each model runs in a child process under a time limit and a memory limit: a hostile model is
refused in one line naming the model and the limit, in bounded time, and the next model still runs."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from tasks.checks import model_check_settings
from testing import onnx_builders as build
from web_assets.config.settings import resolve_settings
from web_assets.errors import PublishError
from web_assets.modelcheck.bounded import BoundedRuntime
from web_assets.modelcheck.fixtures import Fixture, Fixtures
from web_assets.modelcheck.runtime import run_model

WIDTH = 5
FIXTURES = Fixtures((Fixture("2024-2025", "Home", "Away"),), (), (), (), ())
MATRIX = np.ones((1, WIDTH), dtype=np.float32)
# Small limits, so a refusal costs seconds.
SECONDS, MEMORY = 2.0, 512 << 20


def saved(tmp_path: Path, name: str, model) -> Path:
    return build.save(model, tmp_path / f"{name}.onnx")


def gone(pid: int) -> bool:
    """No such process, or one that has exited and waits to be reaped."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return True
    return state in ("Z", "X")


def cpu_ticks(pid: int) -> int:
    """User and system CPU time of a process, in clock ticks (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return 0
    return int(fields[11]) + int(fields[12])


def wait_until(condition, seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def test_a_loop_of_a_trillion_trips_is_stopped_at_the_time_limit(tmp_path):
    model = saved(tmp_path, "endless", build.endless_loop(WIDTH))
    started = time.monotonic()
    with BoundedRuntime(SECONDS, MEMORY) as runtime, pytest.raises(PublishError) as refused:
        runtime.run("endless", model, MATRIX, FIXTURES)
    message = str(refused.value)
    assert "\n" not in message
    assert message.startswith(f"model endless ({model})")
    assert "model_time_limit=2 s" in message and "raise model_time_limit" in message
    assert time.monotonic() - started < 60, "bounded by the limit, not by the model"


def test_a_tiny_model_asking_for_gigabytes_is_refused_at_the_memory_limit(tmp_path):
    model = saved(tmp_path, "greedy", build.huge_constant(WIDTH))
    assert model.stat().st_size < 500
    with BoundedRuntime(SECONDS, MEMORY) as runtime, pytest.raises(PublishError) as refused:
        runtime.run("greedy", model, MATRIX, FIXTURES)
    message = str(refused.value)
    assert "\n" not in message
    assert message.startswith(f"model greedy ({model})")
    assert "model_memory_limit=512MiB" in message and "raise model_memory_limit" in message


def test_after_a_refusal_the_next_model_runs_as_it_does_in_process(tmp_path):
    good = saved(tmp_path, "good", build.good(WIDTH))
    expected = run_model("good", good, MATRIX, FIXTURES)
    hostile = [
        saved(tmp_path, "endless", build.endless_loop(WIDTH)),
        saved(tmp_path, "greedy", build.huge_constant(WIDTH)),
    ]
    with BoundedRuntime(SECONDS, MEMORY) as runtime:
        for model in hostile:
            with pytest.raises(PublishError):
                runtime.run(model.stem, model, MATRIX, FIXTURES)
            assert np.array_equal(runtime.run("good", good, MATRIX, FIXTURES), expected)


def test_a_model_the_runtime_refuses_keeps_its_own_message(tmp_path):
    model = saved(tmp_path, "nan", build.nan(WIDTH))
    with BoundedRuntime(SECONDS, MEMORY) as runtime, pytest.raises(PublishError) as refused:
        runtime.run("nan", model, MATRIX, FIXTURES)
    assert "on fixture 2024-2025 Home v Away" in str(refused.value)
    assert "not all finite" in str(refused.value)


def test_no_child_outlives_the_check_or_a_parent_killed_mid_run(tmp_path):
    model = saved(tmp_path, "endless", build.endless_loop(WIDTH))
    with BoundedRuntime(SECONDS, MEMORY) as runtime:
        runtime.start()
        pid = runtime._child.pid
    assert gone(pid)
    # A parent killed while the model runs cannot stop its child: the child's CPU limit does.
    script = (
        "import sys, numpy as np; from pathlib import Path\n"
        "from web_assets.modelcheck.bounded import BoundedRuntime\n"
        "from web_assets.modelcheck.fixtures import Fixture, Fixtures\n"
        f"runtime = BoundedRuntime(1.0, {MEMORY}); runtime.start(); runtime._await_ready()\n"
        "print(runtime._child.pid, flush=True)\n"
        f"runtime.run('endless', Path(sys.argv[1]), np.ones((1, {WIDTH}), np.float32),\n"
        "            Fixtures((Fixture('s', 'h', 'a'),), (), (), (), ()))\n"
    )
    parent = subprocess.Popen(
        [sys.executable, "-c", script, str(model)], stdout=subprocess.PIPE, text=True
    )
    child = int(parent.stdout.readline())
    idle = cpu_ticks(child)
    # A waiting child uses no CPU: once it has used some, it runs the model. On a loaded machine
    # it may use its whole CPU limit, and be gone, before this looks: that too ends the wait.
    assert wait_until(lambda: cpu_ticks(child) > idle + 10 or gone(child))
    parent.kill()
    parent.wait()
    parent.stdout.close()
    if not wait_until(lambda: gone(child)):
        os.kill(child, 9)
        pytest.fail("the child of a killed parent kept running the model")


def test_the_limits_are_settings_with_defaults_of_60_s_and_2_gib(tmp_path):
    settings = resolve_settings(tmp_path, {})
    assert (settings.model_time_limit, settings.model_memory_limit) == (60.0, 2 << 30)
    raised = resolve_settings(tmp_path, {"model_time_limit": "600", "model_memory_limit": "8GiB"})
    assert (raised.model_time_limit, raised.model_memory_limit) == (600.0, 8 << 30)
    assert resolve_settings(tmp_path, {"model_memory_limit": 512}).model_memory_limit == MEMORY
    checked = model_check_settings(raised)
    assert checked["model_time_limit"] == 600.0 and checked["model_memory_limit"] == 8 << 30


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("model_time_limit", "0"),
        ("model_time_limit", "soon"),
        ("model_memory_limit", "100MiB"),
        ("model_memory_limit", "1.5GiB"),
        ("model_memory_limit", "2TB"),
    ],
)
def test_a_limit_that_cannot_work_is_refused_in_one_line(tmp_path, name, value):
    with pytest.raises(PublishError, match=f"^Setting `{name}` must be .* got '{value}'.$"):
        resolve_settings(tmp_path, {name: value})
