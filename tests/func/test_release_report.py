"""`doit report=PATH`: the release report, as a fixed release writes it, byte for byte."""

from __future__ import annotations

import json
import os
from pathlib import Path

from testing.doit import doit_here
from testing.project import new_run

GOLDEN = Path(__file__).parent / "golden" / "release_report_v8.md"


def test_a_publish_writes_its_report_and_the_shift_points(project, tmp_path):
    run_dir = new_run(tmp_path / "scratch", version=8, seed=8)
    metrics = {"performance_dense": {"log_loss": 0.98, "accuracy": 0.51}}
    (run_dir / "metrics.json").write_text(json.dumps(metrics))
    dataset = run_dir.parents[2] / "data/processed/Dataset_Version_8.csv"
    report = tmp_path / "out/report.md"
    result = doit_here(
        project,
        f"run_dir={run_dir}",
        f"dataset={dataset}",
        "version=8",
        "commit=false",
        "uri_template=https://cdn.example.com/{filename}",
        f"report={report}",
    )
    assert result.status == 0, result.text
    assert f"Report: {report}" in result.out
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.write_text(report.read_text())
    assert report.read_text() == GOLDEN.read_text(), "UPDATE_GOLDEN=1 writes the new report"

    lock = json.loads((project / "web-assets.lock.json").read_text())
    shifts = {e["id"]: e["prediction_shift"] for e in lock["files"] if e["kind"] == "model"}
    assert all(len(shift["largest"]) == 5 for shift in shifts.values())
    points = json.loads((project / ".web-assets/shift-points.json").read_text())
    assert points["version"] == 8 and sorted(points["models"]) == sorted(shifts)
    dense = points["models"]["performance_dense"]
    assert len(dense["fixtures"]) == len(dense["old"]) == len(dense["new"]) == 19
    assert shifts["performance_dense"]["largest"][0]["fixture"] in dense["fixtures"]

    # A run with nothing to publish reports the release as it stands.
    again = doit_here(
        project,
        "commit=false",
        "uri_template=https://cdn.example.com/{filename}",
        f"report={report}",
    )
    assert again.status == 0, again.text
    assert "**Live:** unchanged: this run published nothing new" in report.read_text()
