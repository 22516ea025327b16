"""A publish runs again only the models whose bytes, features, fixtures or runtime changed; the
others keep their predictions from the last check. A kept result is never trusted blindly, and a
hostile model is never kept: it meets its limits on every publish."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from testing import onnx_builders as build
from testing.doit import DoitRun, doit_here, run_doit
from testing.project import MODELS, NO_COMMIT, new_run, retrain
from web_assets.modelcheck import predictions

RUN = "experiments/run_20251128-101500/export"
NEW_RUN = [f"run_dir={RUN}", "version=9", "dataset=data/processed/Dataset_Version_9.csv"]
KEPT = "prediction(s) kept from an earlier check"


def kept_line(result: DoitRun) -> str:
    """The summary's line on kept results; empty when every model ran."""
    assert result.status == 0, result.text
    return "\n".join(line.strip() for line in result.out.splitlines() if KEPT in line)


@pytest.fixture
def published_run(project) -> Path:
    """A new run published beside the sample (every model and the one it replaces ran)."""
    run_dir = new_run(project, version=9, seed=5)
    assert kept_line(run_doit(project, *NEW_RUN, *NO_COMMIT)) == ""
    return run_dir


def test_one_retrained_model_is_the_only_model_loaded(project, published_run):
    retrain(published_run / "performance_dense.onnx", seed=8)

    result = run_doit(project, *NEW_RUN, *NO_COMMIT)

    # The two unchanged models, and the published model the retrained one replaces.
    assert kept_line(result).startswith("3 prediction(s) kept")
    assert kept_line(result).endswith("loaded only performance_dense")
    [shift] = [line for line in result.out.splitlines() if "shift performance_dense:" in line]
    assert "fixtures change their pick" in shift


def test_a_changed_bundle_runs_its_model_again(project, published_run):
    bundle = published_run / "market_gradient_boost_preprocessing.json"
    data = json.loads(bundle.read_text())
    data["feature_names"].reverse()
    bundle.write_text(json.dumps(data, indent=2))

    result = run_doit(project, *NEW_RUN, *NO_COMMIT)

    assert kept_line(result).endswith("loaded only market_gradient_boost")


def test_other_fixtures_run_every_model_again(project, published_run):
    data = project / "data/processed"
    rows = (data / "Dataset_Version_9.csv").read_text().splitlines(keepends=True)
    # The latest fixture's row changed: the fixtures are no longer those the results were run on.
    fields = rows[-1].split(",")
    fields[-1] = "7" + fields[-1]
    (data / "Dataset_Version_10.csv").write_text("".join([*rows[:-1], ",".join(fields)]))
    retrain(published_run / "performance_dense.onnx", seed=8)

    result = run_doit(
        project, f"run_dir={RUN}", "version=10", "dataset=data/processed/Dataset_Version_10.csv"
    )

    assert kept_line(result) == ""


def test_another_onnxruntime_runs_every_model_again(project, published_run, monkeypatch):
    retrain(published_run / "performance_dense.onnx", seed=8)
    upgraded = predictions.runtime_version() + " (upgraded)"
    monkeypatch.setattr(predictions, "runtime_version", lambda: upgraded)

    result = doit_here(project, *NEW_RUN, *NO_COMMIT)

    assert kept_line(result) == ""


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[:-1] + bytes([data[-1] ^ 1]),  # one bit of a probability
        lambda data: data[: len(data) // 2],  # cut short
        lambda data: b"not a result",
    ],
    ids=["bit-flip", "truncated", "garbage"],
)
def test_a_damaged_result_is_run_again_not_trusted(project, published_run, damage):
    folder = project / ".web-assets/predictions"
    results = sorted(folder.iterdir())
    # Each model's predictions and the published one's, and the fixtures they ran on.
    assert len(results) == 2 * len(MODELS) + 1
    for path in results:
        path.write_bytes(damage(path.read_bytes()))
    retrain(published_run / "performance_dense.onnx", seed=8)

    assert kept_line(run_doit(project, *NEW_RUN, *NO_COMMIT)) == ""


def test_a_missing_results_folder_only_costs_a_run(project, published_run):
    shutil.rmtree(project / ".web-assets/predictions")
    retrain(published_run / "performance_dense.onnx", seed=8)

    assert kept_line(run_doit(project, *NEW_RUN, *NO_COMMIT)) == ""


def test_a_hostile_model_meets_its_limit_on_every_publish(project, published_run):
    bundle = published_run / "market_gradient_boost_preprocessing.json"
    width = len(json.loads(bundle.read_text())["feature_names"])
    build.save(build.endless_loop(width), published_run / "market_gradient_boost.onnx")

    for _ in range(2):
        result = run_doit(project, *NEW_RUN, *NO_COMMIT, "model_time_limit=2")
        assert result.status != 0
        [line] = [line for line in result.text.splitlines() if "market_gradient_boost" in line]
        assert "model_time_limit=2 s" in line
