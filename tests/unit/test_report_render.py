"""The release report rendered from a fixed release, by hand: golden files, byte for byte."""

from __future__ import annotations

import os
from pathlib import Path

from web_assets.records.summary import Summary
from web_assets.report.facts import report_facts
from web_assets.report.render import render_report

GOLDEN = Path(__file__).parent / "golden"
MOVE = {
    "fixture": "2024-2025 Brighton | Hove v Everton",
    "old": [0.5, 0.3, 0.2],
    "new": [0.1, 0.3, 0.6],
}

FOUND = {
    "missing_features": ["elo_gap"],
    "regression": [],
    "shift_line": "dense: mean |dp| 0.250; 3 of 19 fixtures change their pick",
    "shift_note": "",
}


def manifest(version: str, run_id: str, **extra) -> dict:
    entries = [{"id": "dense", "path": "artifacts/run_export/dense.onnx", "sha256": f"{version}a"}]
    return {"run_id": run_id, "dataset_version": version, "models": entries, **extra}


def lock(
    run_id: str, version: str, metrics: dict | None, shift: dict | None, missing: list[str]
) -> dict:
    model = {"path": "artifacts/run_export/dense.onnx", "kind": "model", "id": "dense"}
    model |= {"sha256": f"{version}a", "size_bytes": 10, "missing_features": missing}
    if shift:
        model["prediction_shift"] = shift
    data = {"path": f"web/public/data/Dataset_Version_{version}.csv", "kind": "dataset"}
    data |= {"id": "main", "sha256": version * 4, "size_bytes": 5}
    document = {"lock_format": 1, "dataset_version": version, "release": {"run_id": run_id}}
    return document | ({"metrics": metrics} if metrics else {}) | {"files": [model, data]}


def check(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(text)
    assert text == path.read_text(), "UPDATE_GOLDEN=1 writes the new report"


def test_a_pushed_release_against_the_live_one():
    shift = {"mean_abs_dp": 0.25, "changed_picks": 3, "fixtures": 19, "largest": [MOVE]}
    before = (
        manifest("7", "run_1", notes="old"),
        lock("run_1", "7", {"dense": {"log_loss": 0.98, "accuracy": 0.51}}, None, []),
    )
    after = (
        manifest("8", "run_2", notes="new"),
        lock("run_2", "8", {"dense": {"log_loss": 0.95, "accuracy": 0.51}}, shift, ["elo_gap"]),
    )
    summary = Summary(
        ran=["commit"],
        commit_step={"commit": "0123456789abcdef", "pushed": "origin main"},
        checks={"models": {"dense": FOUND}, "fixtures": 19, "season": "2024-2025"},
        app={"line": "the app serves version 8 (3 fixtures within 1e-4)"},
    )
    check("report_pushed.md", render_report(report_facts(before, after, summary)))


def test_a_first_release_without_metrics_or_a_shift():
    after = (manifest("7", "run_1"), lock("run_1", "7", None, None, []))
    summary = Summary(commit_step={"commit": "", "pushed": "", "reason": "commit=false"})
    check("report_first.md", render_report(report_facts((None, None), after, summary)))
