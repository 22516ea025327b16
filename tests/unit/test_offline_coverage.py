"""The summary's lines about the offline model check: what it covers, and where the rest is checked."""

from __future__ import annotations

from web_assets.modelcheck.report import model_check_lines


def checks(*, fixtures: int, app_url: bool, missing: tuple[str, ...] = ()) -> dict:
    found = {
        "missing_features": list(missing),
        "regression": [],
        "shift_line": "",
        "shift_note": "",
    }
    models = {"a": dict(found), "b": {**found, "missing_features": []}}
    return {"models": models, "fixtures": fixtures, "season": "2024-2025", "app_url": app_url}


def test_the_run_names_the_dataset_fixtures_it_covers():
    lines = model_check_lines(checks(fixtures=200, app_url=False, missing=("prob_edge",)))
    assert (
        "  2 model(s) ran in ONNX Runtime on 200 dataset fixtures of 2024-2025; 1 of 2 get every "
        "feature they name there"
    ) in lines


def test_without_app_url_the_upcoming_fixtures_point_to_verify_app():
    last = model_check_lines(checks(fixtures=200, app_url=False))[-1]
    assert last.startswith("  upcoming fixtures (no dataset row) are not checked here")
    assert "`doit verify app=true` checks them" in last


def test_with_app_url_and_a_push_the_upcoming_fixtures_are_checked_in_the_app():
    last = model_check_lines(checks(fixtures=200, app_url=True))[-1]
    assert (
        last == "  upcoming fixtures (no dataset row): checked in the app at app_url after the push"
    )


def test_without_a_smoke_run_coverage_is_still_named_for_dataset_rows():
    lines = model_check_lines(checks(fixtures=0, app_url=False))
    assert "  on dataset rows 2 of 2 get every feature they name" in lines
    assert not any("ran in ONNX Runtime" in line for line in lines)
