"""Settings: precedence, types and the project boundary."""

from __future__ import annotations

import pytest

from tasks.config import load_settings
from web_assets.errors import PublishError

PYPROJECT = """
[tool.web-assets]
dataset = "data/main.csv"
financial_dataset = "data/financial.csv"
version = 7
push = true
"""


@pytest.fixture
def root(tmp_path):
    (tmp_path / "pyproject.toml").write_text(PYPROJECT)
    return tmp_path


def test_defaults_then_pyproject_then_command_line(root):
    settings = load_settings(root, {"version": "9", "push": "false"}, environ={})
    assert settings.version == 9
    assert settings.push is False
    assert settings.dataset == root / "data/main.csv"
    assert settings.manifest == root / "web/public/fixtures/dev.json"
    assert settings.run_dir == settings.export_dir == root / "artifacts/run_export"
    assert "{filename}" in settings.uri_template


def test_missing_required_setting_says_where_to_set_it(tmp_path):
    with pytest.raises(
        PublishError, match=r"No dataset given: set `dataset` in \[tool.web-assets\]"
    ):
        load_settings(tmp_path, environ={})


def test_unknown_setting_in_pyproject(root):
    (root / "pyproject.toml").write_text(PYPROJECT + "versoin = 3\n")
    with pytest.raises(PublishError, match=r"Unknown setting 'versoin' in pyproject\.toml"):
        load_settings(root, environ={})


@pytest.mark.parametrize("value", ["0", "-1", "8.5", "v8", "", True])
def test_version_must_be_a_positive_whole_number(root, value):
    with pytest.raises(PublishError):
        load_settings(root, {"version": value}, environ={})


def test_paths_inside_through_a_symlink_are_fine(root):
    (root / "real_data").mkdir()
    (root / "data").symlink_to(root / "real_data")
    assert load_settings(root, environ={}).dataset == root / "real_data/main.csv"


@pytest.mark.parametrize("value", ["../x.csv", "/etc/passwd", "data/../../x.csv"])
def test_paths_outside_the_project_are_refused(root, value):
    with pytest.raises(PublishError, match="outside the project"):
        load_settings(root, {"dataset": value}, environ={})


def test_timestamps_are_normalised_to_utc(root):
    settings = load_settings(
        root, {"trained_at": "2025-11-28T11:15:00+01:00"}, environ={"SOURCE_DATE_EPOCH": "86400"}
    )
    assert settings.trained_at == "2025-11-28T10:15:00Z"
    assert settings.source_date_epoch == "1970-01-02T00:00:00Z"


def test_run_id_follows_the_web_apps_pattern(root):
    with pytest.raises(PublishError, match="run_id"):
        load_settings(root, {"run_id": "run 1"}, environ={})
