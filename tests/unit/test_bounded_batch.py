"""Models sent to the bounded child all at once: each still meets its own limits, in order, and
the models after one stopped at a limit run in a new child as they run in-process."""

from __future__ import annotations

import numpy as np

from testing import onnx_builders as build
from web_assets.errors import PublishError
from web_assets.modelcheck.bounded import BoundedRuntime
from web_assets.modelcheck.fixtures import Fixture, Fixtures
from web_assets.modelcheck.runtime import run_model

WIDTH = 5
FIXTURES = Fixtures(
    tuple(Fixture("2024-2025", f"Home {i}", f"Away {i}") for i in range(40)), (), (), (), ()
)
# 40 fixtures of 2,000 features: each request is larger than a pipe's buffer.
WIDE = 2000
SECONDS, MEMORY = 2.0, 512 << 20


def test_a_batch_answers_in_order_each_model_within_its_own_limits(tmp_path):
    good = build.save(build.good(WIDTH), tmp_path / "good.onnx")
    endless = build.save(build.endless_loop(WIDTH), tmp_path / "endless.onnx")
    greedy = build.save(build.huge_constant(WIDTH), tmp_path / "greedy.onnx")
    matrix = np.random.default_rng(3).random((40, WIDTH), dtype=np.float32)
    expected = run_model("good", good, matrix, FIXTURES)
    batch = [
        (f"{model.stem} {index}", model, matrix)
        for index, model in enumerate([good, endless, good, greedy, good])
    ]

    with BoundedRuntime(SECONDS, MEMORY) as runtime:
        results = list(runtime.run_all(batch, FIXTURES))

    assert [type(result).__name__ for result in results] == [
        "ndarray",
        "PublishError",
        "ndarray",
        "PublishError",
        "ndarray",
    ]
    assert "endless 1" in str(results[1]) and "model_time_limit=2 s" in str(results[1])
    assert "greedy 3" in str(results[3]) and "model_memory_limit=512MiB" in str(results[3])
    for result in results[::2]:
        assert np.array_equal(result, expected)


def test_requests_larger_than_a_pipe_cannot_hold_the_deadline_back(tmp_path):
    endless = build.save(build.endless_loop(WIDE), tmp_path / "endless.onnx")
    good = build.save(build.good(WIDE), tmp_path / "good.onnx")
    matrix = np.ones((40, WIDE), dtype=np.float32)
    assert matrix.nbytes > 1 << 16
    batch = [("endless", endless, matrix)] + [(f"good {i}", good, matrix) for i in range(8)]

    with BoundedRuntime(SECONDS, MEMORY) as runtime:
        results = list(runtime.run_all(batch, FIXTURES))

    assert isinstance(results[0], PublishError) and "model_time_limit" in str(results[0])
    assert all(isinstance(result, np.ndarray) for result in results[1:])
