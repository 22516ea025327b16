"""A run's metrics: published in the manifest and the lock file, shown by `doit releases` and
`doit diff`, and gated against the live release."""

from __future__ import annotations

import json

from testing.doit import doit_here
from testing.gitrepo import git
from testing.project import LOCK, new_run

MANIFEST = "web/public/fixtures/dev.json"


def run_with(tmp_path, version: int, metrics: dict, *, name: str = "metrics.json"):
    run_dir = new_run(tmp_path / f"scratch{version}", version=version, seed=version)
    (run_dir / name).write_text(json.dumps(metrics))
    dataset = run_dir.parents[2] / f"data/processed/Dataset_Version_{version}.csv"
    return [f"run_dir={run_dir}", f"dataset={dataset}", f"version={version}"]


def test_metrics_reach_the_manifest_and_the_lock_file_and_the_history(project, tmp_path):
    first = {"performance_dense": {"log_loss": 0.98, "accuracy": 0.51}}
    published = doit_here(project, *run_with(tmp_path, 8, first))
    assert published.status == 0, published.text
    manifest = json.loads((project / MANIFEST).read_text())
    assert manifest["metrics"] == first
    assert json.loads((project / LOCK).read_text())["metrics"] == first

    # Upstream's per-model file: its notes are read past, its splits flattened.
    upstream = {"trainer": "xgboost", "feature_cols": ["a"], "test": {"logloss": 1.0}}
    args = run_with(tmp_path, 9, upstream, name="financial_lens_metrics.json")
    assert doit_here(project, *args).status == 0
    lock = json.loads((project / LOCK).read_text())
    assert lock["metrics"] == {"financial_lens": {"test.logloss": 1.0}}

    releases = doit_here(project, "releases")
    assert releases.status == 0, releases.text
    lines = releases.out.splitlines()
    assert lines[0].startswith("9 ") and lines[0].endswith("[test.logloss: financial_lens 1]")
    assert lines[1].startswith("8 ") and lines[1].endswith("[log_loss: performance_dense 0.98]")
    diff = doit_here(project, "diff", "from=8", "to=9")
    assert diff.status == 0, diff.text
    assert "metric performance_dense log_loss: 0.98 -> (absent)" in diff.out
    assert "metric financial_lens test.logloss: (absent) -> 1" in diff.out
    assert "manifest metrics changed" not in diff.out


def test_the_gate_refuses_a_worse_run_before_anything_is_written(project, tmp_path):
    live = {"performance_dense": {"log_loss": 0.98, "accuracy": 0.51}}
    assert doit_here(project, *run_with(tmp_path, 8, live)).status == 0
    head = git(project, "rev-parse", "HEAD")
    worse = {"performance_dense": {"log_loss": 1.04, "accuracy": 0.52}}
    args = run_with(tmp_path, 9, worse)
    refused = doit_here(project, *args, "max_metric_regression=log_loss:0.05")
    assert refused.status != 0
    assert (
        "model performance_dense: log_loss 1.04 is worse than the live release's 0.98 by 0.06 "
        "(lower is better), more than `max_metric_regression=log_loss:0.05` allows"
    ) in refused.err
    assert "Traceback" not in refused.text
    assert git(project, "rev-parse", "HEAD") == head
    assert git(project, "status", "--porcelain") == ""

    # Within the allowance, or on a metric that improved, the run publishes.
    allowed = doit_here(project, *args, "max_metric_regression=log_loss:0.1,accuracy:0.01")
    assert allowed.status == 0, allowed.text


def test_a_metrics_file_naming_a_model_and_another_name_is_refused_in_one_line(project, tmp_path):
    metrics = {"performance_dense": {"log_loss": 0.9}, "performance_dens": {"log_loss": 1.0}}
    refused = doit_here(project, *run_with(tmp_path, 8, metrics))
    assert refused.status != 0
    (line,) = [line for line in refused.err.splitlines() if line.startswith("ERROR")]
    assert "names 'performance_dens', no model of the run" in line
    assert "MODEL_metrics.json" in line


def test_a_run_without_metrics_writes_no_metrics_key(project, tmp_path):
    run_dir = new_run(tmp_path / "scratch", version=8, seed=8)
    dataset = run_dir.parents[2] / "data/processed/Dataset_Version_8.csv"
    assert doit_here(project, f"run_dir={run_dir}", f"dataset={dataset}", "version=8").status == 0
    assert "metrics" not in json.loads((project / MANIFEST).read_text())
    assert "metrics" not in json.loads((project / LOCK).read_text())


def test_the_script_takes_the_gate_and_the_report_as_flags(project, tmp_path, capsys):
    from web_assets_doit.cli import main

    live = {"performance_dense": {"accuracy": 0.51}}
    assert doit_here(project, *run_with(tmp_path, 8, live)).status == 0
    run_dir, dataset, _ = (
        arg.split("=", 1)[1]
        for arg in run_with(tmp_path, 9, {"performance_dense": {"accuracy": 0.4}})
    )
    flags = ["--run-dir", run_dir, "--dataset", dataset, "--version", "9"]
    report = tmp_path / "report.md"
    refused = main(
        [*flags, "--max-metric-regression", "accuracy:0.1", "--report", str(report)], project
    )
    assert refused == 1
    err = capsys.readouterr().err
    assert "more than `--max-metric-regression accuracy:0.1` allows" in err
    assert not report.exists()
    assert main([*flags, "--report", str(report)], project) == 0
    assert "| performance_dense | accuracy | 0.51 | 0.4 | -0.11 |" in report.read_text()
