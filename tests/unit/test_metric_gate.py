"""Run metrics as files give them, the gate's setting, and the gate itself."""

from __future__ import annotations

import json

import pytest

from web_assets.config.metric_gate import MetricGate, metric_gates
from web_assets.config.spelling import Entry
from web_assets.errors import PublishError
from web_assets.records.documents import with_metrics
from web_assets.release.metrics import read_metrics, refuse_regression

IDS = ["financial_lens", "performance_dense"]


def test_a_loss_or_an_error_is_better_lower_anything_else_higher_unless_told(tmp_path):
    gates = metric_gates(tmp_path, "max_metric_regression", "log_loss:0.05, accuracy:0.02")
    assert gates == (MetricGate("log_loss", 0.05, False), MetricGate("accuracy", 0.02, True))
    (told,) = metric_gates(tmp_path, "x", ["top1_error:0.1:higher"])
    assert told == MetricGate("top1_error", 0.1, True) and told.spec() == "top1_error:0.1:higher"


@pytest.mark.parametrize("value", ["log_loss", "log_loss:-1", "log_loss:nan", "a:1:up", ":1"])
def test_a_bad_gate_is_one_line_naming_the_setting(tmp_path, value):
    with pytest.raises(PublishError, match=r"^Setting `max_metric_regression`: .* \(such as"):
        metric_gates(tmp_path, "max_metric_regression", value)


def test_upstreams_per_model_file_gives_its_numbers_and_splits(tmp_path):
    upstream = {"trainer": "xgboost", "feature_cols": ["a"], "best_iteration": 40}
    upstream |= {"test": {"accuracy": 0.5, "logloss": 1.01}, "class_mapping": {"0": "home"}}
    (tmp_path / "financial_lens_metrics.json").write_text(json.dumps(upstream))
    (tmp_path / "metrics.json").write_text(json.dumps({"performance_dense": {"log_loss": 0.9}}))
    assert read_metrics(tmp_path, IDS) == {
        "financial_lens": {"best_iteration": 40, "test.accuracy": 0.5, "test.logloss": 1.01},
        "performance_dense": {"log_loss": 0.9},
    }


@pytest.mark.parametrize(
    ("files", "said"),
    [
        ({"metrics.json": "[1]"}, "holds a JSON list, not an object"),
        ({"metrics.json": '{"performance_dense": 0.9}'}, "'performance_dense' holds a JSON float"),
        ({"metrics.json": '{"performance_dense": {"log_loss": NaN}}'}, "log_loss is nan"),
        ({"metrics.json": "{"}, "is not valid JSON"),
        (
            {"metrics.json": '{"financial_lens": {}}', "financial_lens_metrics.json": "{}"},
            "Metrics of model financial_lens are in both",
        ),
    ],
)
def test_bad_metrics_are_refused_in_one_line_naming_the_file(tmp_path, files, said):
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    with pytest.raises(PublishError, match="--run-dir") as caught:
        read_metrics(tmp_path, IDS, Entry.FLAGS)
    assert said in str(caught.value) and "\n" not in str(caught.value)


def test_a_metrics_file_keyed_by_no_model_is_the_runs_own(tmp_path):
    (tmp_path / "metrics.json").write_text('{"accuracy": 0.5, "test": {"logloss": 1.0}}')
    assert read_metrics(tmp_path, IDS) == {}


def test_the_gate_names_model_metric_and_both_values_in_the_entry_points_words(tmp_path):
    live = {"performance_dense": {"accuracy": 0.51, "log_loss": 0.98}}
    worse = {"performance_dense": {"accuracy": 0.48, "log_loss": 0.90}}
    gates = metric_gates(tmp_path, "max_metric_regression", "log_loss:0.05,accuracy:0.02")
    with pytest.raises(PublishError) as caught:
        refuse_regression(gates, live, worse, Entry.FLAGS)
    assert str(caught.value).startswith(
        "model performance_dense: accuracy 0.48 is worse than the live release's 0.51 by 0.03 "
        "(higher is better), more than `--max-metric-regression accuracy:0.02` allows"
    )
    refuse_regression(gates, live, {"performance_dense": {"accuracy": 0.5}})  # within 0.02
    refuse_regression(gates, {}, worse)  # nothing live to compare with


def test_the_manifest_keeps_metrics_it_does_not_own():
    current = {"ensemble": {"log_loss": 0.9}, "dense": {"old": 1}, "gone": {"x": 2}}
    new = with_metrics(current, {"dense": {"log_loss": 0.8}}, {"dense", "gone"})
    assert new == {"ensemble": {"log_loss": 0.9}, "dense": {"log_loss": 0.8}}


def test_a_run_without_metrics_drops_only_those_the_last_publish_wrote():
    from web_assets.records.documents import RunFacts, manifest_document
    from web_assets.records.manifest import Published

    models = [Published("dense", "artifacts/run_export/dense.onnx", "ab" * 32, 10)]
    current = {"run_id": "run_1", "dataset_version": "7", "trained_at": "2025-01-01T00:00:00Z"}
    current |= {"models": [], "preprocessing": [], "attribution": []}
    current["metrics"] = {"ensemble": {"log_loss": 0.9}, "dense": {"log_loss": 0.8}}
    run = RunFacts(8, "https://cdn.example.com/{filename}", None, None)
    time = "2025-02-01T00:00:00Z"

    def published(lock):
        document = manifest_document(
            current, lock, models=models, bundles=[], run=run, default_time=time
        )
        return document.manifest.get("metrics")

    written = {"lock_format": 1, "files": [], "metrics": {"dense": {"log_loss": 0.8}}}
    assert published(written) == {"ensemble": {"log_loss": 0.9}}
    assert published({"lock_format": 1, "files": []}) == current["metrics"]
