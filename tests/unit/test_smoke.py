"""Models run in ONNX Runtime on real fixtures before a publish: coverage, smoke test, shift."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import numpy as np
import pytest

from testing import onnx_builders as build
from testing.project import REPO, make_sample, retrain
from web_assets.errors import PublishError
from web_assets.modelcheck.features import FINANCIAL_FEATURES, coverage, derived_table
from web_assets.modelcheck.fixtures import Fixture, feature_matrix, load_fixtures
from web_assets.modelcheck.runtime import prediction_shift, run_model

RUN = REPO / "artifacts/run_export"
MAIN = REPO / "data/processed/Dataset_Version_7.csv"
FINANCIAL = REPO / "data/processed/financial_dataset.csv"
MODELS = ["financial_lens", "market_gradient_boost", "performance_dense"]


def header(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()[0].split(",")


def bundle_names(run_dir: Path, model_id: str) -> list[str]:
    return json.loads((run_dir / f"{model_id}_preprocessing.json").read_text())["feature_names"]


def write_csv(path: Path, rows: list[list[object]], line_end: str = "\r\n") -> Path:
    path.write_bytes(line_end.join(",".join(map(str, row)) for row in rows).encode() + b"\n")
    return path


@pytest.fixture(scope="module")
def sample():
    return load_fixtures(MAIN, FINANCIAL)


def smoke(tmp_path: Path, model, fixtures, width: int, model_id: str = "candidate"):
    path = build.save(model, tmp_path / f"{model_id}.onnx")
    matrix = np.ones((len(fixtures.rows), width), dtype=np.float32)
    return run_model(model_id, path, matrix, fixtures)


@pytest.mark.parametrize("model_id", MODELS)
def test_the_sample_models_run_on_the_latest_season_of_the_sample(model_id, sample):
    names = bundle_names(RUN, model_id)
    matrix = feature_matrix(sample, names, derived_table())
    latest = [line for line in MAIN.read_text().splitlines() if line.startswith("2024-2025,")]
    assert matrix.shape == (len(latest), len(names)) and matrix.dtype == np.float32
    probabilities = run_model(model_id, RUN / f"{model_id}.onnx", matrix, sample)
    assert probabilities.shape == (len(latest), 3)
    assert np.allclose(probabilities.sum(axis=1), 1.0) and (probabilities >= 0).all()
    assert len({tuple(row) for row in probabilities.round(6)}) > 1, "real rows, not zeros"


def test_the_sample_generator_names_only_features_its_csvs_supply(tmp_path):
    make_sample.write_sample(tmp_path, tmp_path / "run", seed=5)
    processed = tmp_path / "data/processed"
    main, financial = (
        header(processed / "Dataset_Version_7.csv"),
        header(processed / "financial_dataset.csv"),
    )
    for model_id in MODELS:
        names = bundle_names(tmp_path / "run", model_id)
        assert coverage(names, main, financial, derived_table()).missing == ()
    assert set(FINANCIAL_FEATURES) <= set(financial)


def test_the_committed_sample_supplies_every_feature_its_bundles_name():
    for model_id in MODELS:
        names = bundle_names(RUN, model_id)
        found = coverage(names, header(MAIN), header(FINANCIAL), derived_table())
        assert found.missing == (), model_id


def test_a_feature_no_csv_and_no_derivation_supplies_is_missing():
    table = derived_table()
    main = ["season", "home_team_name", "away_team_name", "forecast_home_win", "feature_001"]
    names = ["feature_001", "renamed_column", "prob_edge", "attGap", "squad_value_ratio"]
    found = coverage(names, main, ["season", "squad_value_ratio"], table)
    # prob_edge needs forecast_away_win too; the financial column is in the financial CSV.
    assert found.supplied == ("feature_001", "attGap", "squad_value_ratio")
    assert found.missing == ("renamed_column", "prob_edge")
    assert "squad_value_ratio" in coverage(["squad_value_ratio"], [], [], table).missing


def test_the_derived_features_setting_extends_or_replaces_the_table():
    extended = derived_table({"elo_gap": ["home_elo", "away_elo"]})
    assert extended["elo_gap"] == ("home_elo", "away_elo") and "prob_edge" in extended
    assert derived_table({"elo_gap": []}, replace=True) == {"elo_gap": ()}
    found = coverage(["elo_gap", "prob_edge"], ["home_elo", "away_elo"], [], extended)
    assert found == (("elo_gap",), ("prob_edge",))


def test_fixtures_are_the_last_rows_of_the_latest_season_with_their_financial_row(tmp_path):
    columns = [
        "season",
        "home_team_name",
        "away_team_name",
        "forecast_home_win",
        "forecast_away_win",
    ]
    columns += [
        "home_xg_for_last_5",
        "away_xg_for_last_5",
        "home_shots_for",
        "away_shots_for",
        "odd",
    ]
    rows = [
        ["2024/2025", "Arsenal", "Chelsea", 0.5, 0.2, 7.5, 5.0, 14, 9, "x"],
        ["2024/2025", "Everton", "Fulham", 0.4, 0.3, 5.0, 5.0, 10, 10, "1e999"],
        ["2023/2024", "Brentford", "Everton", 0.1, 0.1, 1, 1, 1, 1, 1],
        ["2024/2025", " Liverpool ", "Brighton", 0.6, 0.1, 10.0, 0.0, 20, 0, ""],
    ]
    main = write_csv(tmp_path / "main.csv", [columns, *rows])
    financial = write_csv(
        tmp_path / "fin.csv",
        [
            ["season", "home_team", "away_team", "squad_value_ratio", "wage_bill_diff"],
            ["2024/2025", "liverpool", "BRIGHTON ", 1.8, 40],
            ["2023/2024", "Everton", "Fulham", 9, 9],
        ],
        "\n",
    )
    fixtures = load_fixtures(main, financial, limit=2)
    assert fixtures.keys == (
        Fixture("2024/2025", "Everton", "Fulham"),
        Fixture("2024/2025", "Liverpool", "Brighton"),
    )
    names = ["prob_edge", "log_xg_ratio_avg5", "home_xg_for_avg5", "away_shots_allowed_avg3"]
    names += ["squad_value_ratio", "wageGap", "odd", "unknown", "home_recent_games_frac"]
    matrix = feature_matrix(fixtures, names, derived_table())
    expected = [[0.1, 0.0, 1.0, 10], [0.5, math.log((10 + 1e-6) / 1e-6), 2.0, 20]]
    np.testing.assert_allclose(matrix[:, :4], expected, rtol=1e-6)
    # Everton v Fulham has no financial row; a number too large for a float and an empty cell are 0.
    np.testing.assert_allclose(matrix[:, 4:], [[0, 0, 0, 0, 1], [1.8, 40, 0, 0, 1]], rtol=1e-6)


def test_a_main_dataset_without_its_key_columns_is_refused(tmp_path):
    main = write_csv(tmp_path / "main.csv", [["season", "home", "away"], ["2024-2025", "A", "B"]])
    with pytest.raises(
        PublishError, match=r"main.csv has no column home_team_name, away_team_name"
    ):
        load_fixtures(main, None)


def test_a_zipmap_model_is_refused_naming_zipmap_and_the_fix(tmp_path, sample):
    with pytest.raises(PublishError) as refused:
        smoke(tmp_path, build.zipmap(6), sample, 6, "performance_dense")
    message = str(refused.value)
    assert "\n" not in message and "model performance_dense" in message
    assert "ZipMap" in message and "zipmap=False" in message
    assert f"on fixture {sample.keys[0]}" in message


def test_a_model_that_outputs_nan_is_refused_naming_the_fixture(tmp_path, sample):
    with pytest.raises(PublishError) as refused:
        smoke(tmp_path, build.nan(4), sample, 4, "market_gradient_boost")
    message = str(refused.value)
    assert "\n" not in message and "model market_gradient_boost" in message
    assert str(sample.keys[0]) in message and "not all finite" in message


@pytest.mark.parametrize(
    ("values", "reason"),
    [
        ([0.7, -0.1, 0.4], "include a negative value"),
        ([0.0, 0.0, 0.0], "do not sum to a positive number"),
        ([0.6, 0.4], "no output is a tensor of 3 probabilities"),
    ],
)
def test_outputs_the_app_cannot_use_are_refused(tmp_path, sample, values, reason):
    with pytest.raises(PublishError, match=reason):
        smoke(tmp_path, build.constant(3, values), sample, 3)


def test_unnormalized_scores_come_back_normalized(tmp_path, sample):
    rows = smoke(tmp_path, build.constant(3, [2.0, 1.0, 1.0]), sample, 3)
    assert rows.tolist() == [[0.5, 0.25, 0.25]] * len(sample.rows)


def test_a_model_that_does_not_load_is_refused_with_the_runtime_error(tmp_path, sample):
    fuzzed = bytearray((RUN / "performance_dense.onnx").read_bytes())
    fuzzed[10:400] = bytes(range(256)) + bytes(134)
    path = tmp_path / "performance_dense.onnx"
    path.write_bytes(bytes(fuzzed))
    with pytest.raises(
        PublishError,
        match=r"^model performance_dense \(.*\) fails in ONNX Runtime when loading: .+",
    ):
        run_model("performance_dense", path, np.zeros((3, 24), np.float32), sample)


def test_a_model_with_another_input_name_is_refused(tmp_path, sample):
    with pytest.raises(
        PublishError, match=r"one input named 'input' .* but it takes x tensor\(float\)"
    ):
        smoke(tmp_path, build.constant(3, [1.0, 1.0, 1.0], name="x"), sample, 3)


def test_a_model_of_another_width_names_the_fixture_and_the_runtime_error(tmp_path, sample):
    with pytest.raises(PublishError, match=rf"on fixture {sample.keys[0]}: .*Got: 5 Expected: 8"):
        smoke(tmp_path, build.good(8), sample, 5)


def test_a_model_shifts_nothing_against_itself_and_a_retrained_one_shifts(tmp_path, sample):
    names = bundle_names(RUN, "performance_dense")
    matrix = feature_matrix(sample, names, derived_table())
    old = run_model("performance_dense", RUN / "performance_dense.onnx", matrix, sample)
    same = prediction_shift(old, old)
    assert same.mean_abs == (0.0, 0.0, 0.0) and same.changed_picks == 0
    shutil.copytree(RUN, tmp_path / "run")
    retrain(tmp_path / "run/performance_dense.onnx", seed=99)
    new = run_model("performance_dense", tmp_path / "run/performance_dense.onnx", matrix, sample)
    shift = prediction_shift(old, new)
    assert all(value > 0 for value in shift.mean_abs) and shift.fixtures == len(sample.rows)
    line = shift.line("performance_dense")
    assert line.startswith("performance_dense: mean |dp| 0.") and line.endswith(
        f"{shift.changed_picks} of {len(sample.rows)} fixtures change their pick"
    )
    record = json.loads(json.dumps(shift.record()))
    assert record["changed_picks"] == shift.changed_picks
    assert record["mean_abs_dp"] == round(sum(shift.mean_abs) / 3, 6) > 0


def test_a_model_taking_any_number_of_rows_gives_what_it_gives_one_at_a_time(tmp_path, sample):
    names = bundle_names(RUN, "market_gradient_boost")
    matrix = feature_matrix(sample, names, derived_table())
    one_at_a_time = run_model("m", RUN / "market_gradient_boost.onnx", matrix, sample)
    model = build.batched(build.load(RUN / "market_gradient_boost.onnx"))
    path = build.save(model, tmp_path / "batched.onnx")
    np.testing.assert_allclose(run_model("m", path, matrix, sample), one_at_a_time, rtol=1e-6)


def test_a_batched_model_failing_on_one_fixture_names_that_fixture(tmp_path, sample):
    path = build.save(build.sqrt_of_inputs(4), tmp_path / "sqrt.onnx")
    matrix = np.ones((len(sample.rows), 4), dtype=np.float32)
    assert run_model("sqrt", path, matrix, sample).shape == (len(sample.rows), 3)
    matrix[5, 1] = -1.0
    with pytest.raises(PublishError, match=rf"on fixture {sample.keys[5]}: .*not all finite"):
        run_model("sqrt", path, matrix, sample)


def test_quoted_fields_with_commas_and_line_breaks_are_read_as_csv(tmp_path):
    main = tmp_path / "main.csv"
    main.write_bytes(
        b"\xef\xbb\xbfseason,home_team_name,away_team_name,note,feature_001\r\n"
        b'2024-2025,"Brighton, Hove",Everton,"two\r\nlines",1.5\r\n'
        b"\r\n"
        b'2024-2025,Fulham,"Wolves",plain,"2.5"\r\n'
        b"2023-2024,Arsenal,Chelsea,old,9\r\n"
    )
    fixtures = load_fixtures(main, None)
    assert fixtures.keys == (
        Fixture("2024-2025", "Brighton, Hove", "Everton"),
        Fixture("2024-2025", "Fulham", "Wolves"),
    )
    assert fixtures.rows[0][3] == "two\r\nlines"
    assert feature_matrix(fixtures, ["feature_001"], {}).tolist() == [[1.5], [2.5]]
