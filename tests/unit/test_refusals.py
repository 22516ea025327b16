"""Each refusal of bad settings or inputs, where it happens: as the release loads, before a write.

What a user sees of them (one line, no traceback, nothing written, git untouched) is proved end
to end, twice per kind, in tests/func/test_bad_input.py.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from testing.project import MANIFEST, snapshot
from testing.refusals import INPUTS, SETTINGS
from web_assets.config.settings import resolve_settings
from web_assets.errors import PublishError
from web_assets.release.load import load_release


def release(root: Path, args: list[str] | dict[str, str]):
    """What dodo.py loads for `doit ARGS`: the settings, then the release they name."""
    given = args if isinstance(args, dict) else dict(arg.split("=", 1) for arg in args)
    return load_release(resolve_settings(root, given))


@pytest.mark.parametrize("case", [*SETTINGS, *INPUTS])
def test_bad_settings_and_inputs_are_refused_as_the_release_loads(project, case):
    make, message = {**SETTINGS, **INPUTS}[case]
    args = make(project)
    before = snapshot(project.parent)
    with pytest.raises(PublishError, match=re.escape(message)) as refused:
        release(project, args)
    assert "\n" not in str(refused.value).strip()
    assert snapshot(project.parent) == before


def test_the_sample_release_loads(project):
    assert release(project, []).settings.version == 7


def test_a_bad_source_date_epoch_is_refused(project, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "tomorrow")
    with pytest.raises(PublishError, match="SOURCE_DATE_EPOCH"):
        release(project, [])


def test_a_missing_financial_column_is_refused(project):
    (project / "data/processed/fin_cols.csv").write_text("season,home,away_team\n2024-2025,A,B\n")
    with pytest.raises(PublishError, match="has no column 'home_team'"):
        release(project, ["financial_dataset=data/processed/fin_cols.csv"])


def without_column(path: Path, column: str) -> None:
    lines = path.read_text().splitlines()
    keep = [index for index, name in enumerate(lines[0].split(",")) if name != column]
    path.write_text(
        "\n".join(",".join(line.split(",")[index] for index in keep) for line in lines) + "\n"
    )


def test_a_financial_dataset_without_an_app_column_is_refused(project):
    without_column(project / "data/processed/financial_dataset.csv", "wage_bill_diff")
    with pytest.raises(
        PublishError,
        match=r"wage_bill_diff.*financial_app_columns|financial_app_columns.*wage_bill_diff",
    ):
        release(project, [])
    assert release(project, ["financial_app_columns="]).settings.financial_app_columns == ()


def test_a_model_entry_the_app_would_not_run_is_refused(project):
    document = json.loads((project / MANIFEST).read_text())
    document["models"][0]["format"] = "heuristic"
    (project / MANIFEST).write_text(json.dumps(document, indent=2) + "\n")
    with pytest.raises(PublishError, match=r"heuristic.*check_format=false"):
        release(project, ["version=8"])
    release(project, ["version=8", "check_format=false"])


def test_a_versioned_financial_file_in_the_data_folder_is_refused_and_kept(project):
    stale = project / "web/public/data/financial_dataset_v8.csv"
    stale.write_text("season,home_team,away_team\n")
    with pytest.raises(
        PublishError, match=re.escape("financial_dataset_v8.csv, which the web app loads instead")
    ):
        release(project, [])
    assert stale.exists(), "never ours to delete"
    release(project, ["check_stale_financial=false"])


def test_commit_false_with_a_pinned_template_is_refused(project):
    with pytest.raises(PublishError, match=r"\{commit\}.*commit=true"):
        release(project, ["commit=false"])
