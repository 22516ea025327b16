"""The checks end to end: a model or financial dataset the web app could not use stops the publish
before any write; its check setting lets it through."""

from __future__ import annotations

import json

from testing.doit import run_doit
from testing.project import NO_COMMIT, make_sample, snapshot


def test_a_financial_dataset_meeting_no_main_row_stops_the_publish_after_the_checks(project):
    # The missing column is refused as the release loads: tests/unit/test_refusals.py.
    keys = project / "data/processed/fin_keys.csv"
    keys.write_text("season,home_team,away_team\n1999,X,Y\n")
    before = snapshot(project)

    # Only the join keys are under test: the app's merged columns are not asked for here.
    refused = run_doit(
        project, "financial_dataset=data/processed/fin_keys.csv", "financial_app_columns="
    )
    assert refused.status != 0 and "would show no financial data" in refused.out
    assert "Traceback" not in refused.text
    assert sorted(refused.ran) == ["check:datasets", "check:models"]
    assert snapshot(project) == before

    relaxed = run_doit(
        project,
        "financial_dataset=data/processed/fin_keys.csv",
        "financial_app_columns=",
        "check_financial_keys=false",
        *NO_COMMIT,
    )
    assert relaxed.status == 0, relaxed.text


def test_a_bad_model_in_the_run_stops_the_publish_before_any_write(project):
    run_dir = project / "runs/run_20251128-101500"
    make_sample.write_sample(project, run_dir, version=9, seed=4)
    bundle = run_dir / "financial_lens_preprocessing.json"
    bundle.write_text(json.dumps({"feature_names": ["only", "two"]}))
    args = [
        "version=9",
        "run_dir=runs/run_20251128-101500",
        "dataset=data/processed/Dataset_Version_9.csv",
    ]
    before = snapshot(project)
    result = run_doit(project, *args)
    assert result.status != 0
    assert "model financial_lens: its input takes 8 features but" in result.out
    assert snapshot(project) == before

    relaxed = run_doit(project, *args, "check_models=false", *NO_COMMIT)
    assert relaxed.status == 0, relaxed.text
