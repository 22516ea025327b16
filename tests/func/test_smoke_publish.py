"""The models' run wired into a publish, through the real `doit`: refusals before any write,
missing features and prediction shifts in the summary, the lock file, `doit verify` and the page."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from testing import onnx_builders as build
from testing.browser import status_page
from testing.doit import run_doit
from testing.gitrepo import git
from testing.project import EXPORT, LOCK, NO_COMMIT, new_run, retrain, snapshot

RUN = "experiments/run_20251128-101500/export"
NEW_RUN = [f"run_dir={RUN}", "version=9", "dataset=data/processed/Dataset_Version_9.csv"]


def width(bundle: Path) -> int:
    return len(json.loads(bundle.read_text())["feature_names"])


def locked_models(root: Path) -> dict[str, dict]:
    lock = json.loads((root / LOCK).read_text())
    return {entry["id"]: entry for entry in lock["files"] if entry["kind"] == "model"}


def lines_naming(text: str, words: str) -> list[str]:
    return [line for line in text.splitlines() if words in line]


def refused_before_any_write(root: Path, tmp_path: Path, *args: str) -> str:
    """Run doit, expecting a refusal by the checks: nothing written, nothing committed."""
    before, head = snapshot(tmp_path), git(root, "rev-parse", "HEAD")
    result = run_doit(root, *args)
    assert result.status != 0
    assert set(result.ran) <= {"check:models", "check:datasets"}, result.ran
    assert "Traceback" not in result.text
    assert snapshot(tmp_path) == before
    assert git(root, "rev-parse", "HEAD") == head
    return result.text


@pytest.mark.parametrize(
    ("make", "words", "setting"),
    [
        (build.zipmap, "ZipMap", "check_models=false"),
        (build.nan, "not all finite", "smoke_fixtures=0"),
    ],
    ids=["zipmap", "nan"],
)
def test_a_model_the_runtime_cannot_use_is_refused_in_one_line(
    project, tmp_path, make, words, setting
):
    run_dir = new_run(project, version=9, seed=4)
    build.save(
        make(width(run_dir / "market_gradient_boost_preprocessing.json")),
        run_dir / "market_gradient_boost.onnx",
    )

    text = refused_before_any_write(project, tmp_path, *NEW_RUN)

    [line] = lines_naming(text, "market_gradient_boost")
    assert words in line and setting in line


def test_a_feature_nobody_supplies_is_named_recorded_and_can_be_refused(project, tmp_path):
    bundle = project / EXPORT / "financial_lens_preprocessing.json"
    data = json.loads(bundle.read_text())
    data["feature_names"][-1] = "ghost_feature"
    bundle.write_text(json.dumps(data, indent=2))

    text = refused_before_any_write(project, tmp_path, "max_missing_features=0")
    [line] = lines_naming(text, "financial_lens")
    assert "ghost_feature" in line and "max_missing_features=0" in line

    result = run_doit(project)
    assert result.status == 0, result.text
    assert "missing features financial_lens: 1 filled with 0 by the web app: ghost_feature" in (
        result.out
    )
    # The published model got every feature: the one replacing it does not.
    assert "REGRESSION financial_lens" in result.out
    models = locked_models(project)
    assert models["financial_lens"]["missing_features"] == ["ghost_feature"]
    assert models["performance_dense"]["missing_features"] == []

    verified = run_doit(project, "verify")
    assert verified.status == 0, verified.text
    [warning] = lines_naming(verified.out, "verify: warning:")
    assert "model financial_lens" in warning and "ghost_feature" in warning

    again = run_doit(project, "smoke_fixtures=10")
    assert "check:models" in again.ran
    assert "REGRESSION" not in again.out, "the published model is now the one missing it"
    assert "missing features financial_lens" in again.out


def test_a_retrained_model_shows_and_records_its_shift(project, tmp_path):
    retrain(project / EXPORT / "performance_dense.onnx", seed=3)

    text = refused_before_any_write(project, tmp_path, "max_prediction_shift=0.0001")
    [line] = lines_naming(text, "performance_dense")
    assert "max_prediction_shift=0.0001" in line and "mean |dp|" in line

    result = run_doit(project)
    assert result.status == 0, result.text
    [shift] = lines_naming(result.out, "shift performance_dense:")
    assert "mean |dp| 0." in shift and "of 20 fixtures change their pick" in shift
    assert not lines_naming(result.out, "shift market_gradient_boost")
    recorded = locked_models(project)["performance_dense"]["prediction_shift"]
    assert recorded["fixtures"] == 20 and recorded["mean_abs_dp"] > 0
    assert f"{recorded['mean_abs_dp']:.3f}" in shift
    assert "prediction_shift" not in locked_models(project)["market_gradient_boost"]
    # Committed: the next change of dataset keeps the shift this model made.
    assert git(project, "show", f"HEAD:{LOCK}").count('"prediction_shift"') == 1


def test_a_new_run_shifts_against_the_models_it_replaces(project):
    new_run(project, version=9, seed=5)
    result = run_doit(project, *NEW_RUN)
    assert result.status == 0, result.text
    for model_id in ("financial_lens", "market_gradient_boost", "performance_dense"):
        [shift] = lines_naming(result.out, f"shift {model_id}:")
        assert "fixtures change their pick" in shift
        assert locked_models(project)[model_id]["prediction_shift"]["fixtures"] > 0


def test_the_sample_publishes_as_committed(project):
    head = git(project, "rev-parse", "HEAD")
    result = run_doit(project)
    assert result.status == 0, result.text
    assert (
        "3 model(s) ran in ONNX Runtime on 20 dataset fixtures of 2024-2025; 3 of 3" in result.out
    )
    assert git(project, "rev-parse", "HEAD") == head, "the committed lock records these checks"
    assert all(entry["missing_features"] == [] for entry in locked_models(project).values())


def test_a_publish_with_nothing_changed_imports_neither_onnxruntime_nor_numpy(project):
    first = run_doit(project)
    assert "check:models" in first.ran
    second = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "doit"],
        cwd=project,
        capture_output=True,
        text=True,
    )
    assert second.returncode == 0, second.stderr
    assert "Nothing to publish" in second.stdout
    imported = {line.split("|")[-1].strip() for line in second.stderr.splitlines() if "|" in line}
    assert "web_assets.steps.records" in imported, "the probe sees the project's imports"
    assert not {name for name in imported if name.split(".")[0] in ("onnxruntime", "numpy")}

    changed = run_doit(project, "smoke_fixtures=5")
    assert "check:models" in changed.ran and "on 5 dataset fixtures" in changed.out


def test_the_status_page_shows_each_models_missing_features_and_shift(project, browser, served):
    bundle = project / EXPORT / "financial_lens_preprocessing.json"
    data = json.loads(bundle.read_text())
    data["feature_names"][0] = "ghost_feature"
    bundle.write_text(json.dumps(data, indent=2))
    retrain(project / EXPORT / "performance_dense.onnx", seed=3)
    assert run_doit(project, *NO_COMMIT).status == 0

    page = status_page(browser, served)
    found = {
        row.get_attribute("data-id"): (
            row.get_attribute("data-missing"),
            row.query_selector(".features").inner_text(),
        )
        for row in page.query_selector_all("tbody tr[data-section=models]")
    }
    page.close()
    assert found["financial_lens"] == ("1", "1 filled with 0: ghost_feature")
    missing, text = found["performance_dense"]
    shift = locked_models(project)["performance_dense"]["prediction_shift"]
    assert missing == "0" and text.startswith("every feature supplied; shift mean |dp| ")
    assert f"{shift['mean_abs_dp']:.3f}, {shift['changed_picks']} of 20 picks changed" in text
