"""Settings: precedence, types, inputs from anywhere and outputs inside the project."""

from __future__ import annotations

import pytest

from web_assets.config.settings import resolve_settings
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
    settings = resolve_settings(root, {"version": "9", "push": "false"}, environ={})
    assert settings.version == 9
    assert settings.push is False
    assert settings.dataset == root / "data/main.csv"
    assert settings.manifest == root / "web/public/fixtures/dev.json"
    assert settings.run_dir == settings.export_dir == root / "artifacts/run_export"
    assert settings.uri_template == ""  # not a GitHub clone: nothing to derive it from


def test_missing_required_setting_says_where_to_set_it(tmp_path):
    with pytest.raises(
        PublishError,
        match=r"No dataset given: pass `dataset=...` on the command line, or set `dataset` in \[tool.web-assets\]",
    ):
        resolve_settings(tmp_path, environ={}).require_inputs()


def test_unknown_setting_in_pyproject(root):
    (root / "pyproject.toml").write_text(PYPROJECT + "versoin = 3\n")
    with pytest.raises(PublishError, match=r"Unknown setting 'versoin' in pyproject\.toml"):
        resolve_settings(root, environ={})


@pytest.mark.parametrize("value", ["0", "-1", "8.5", "v8", True, "²", "٣"])
def test_version_must_be_a_positive_whole_number(root, value):
    with pytest.raises(PublishError):
        resolve_settings(root, {"version": value}, environ={})


def test_an_empty_version_is_no_version(root):
    with pytest.raises(PublishError, match="No version given"):
        resolve_settings(root, {"version": ""}, environ={}).require_inputs()


def test_inputs_through_a_symlink_are_fine(root):
    (root / "real_data").mkdir()
    (root / "data").symlink_to(root / "real_data")
    assert resolve_settings(root, environ={}).dataset == root / "data/main.csv"


@pytest.mark.parametrize("value", ["../x.csv", "/data/runs/x.csv", "data/../../x.csv"])
def test_inputs_may_live_outside_the_project(root, value):
    settings = resolve_settings(root, {"dataset": value}, environ={})
    assert settings.dataset == (root / value).resolve()


def test_inputs_expand_the_home_folder(root, monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    settings = resolve_settings(root, {"run_dir": "~/runs/run_1/export"}, environ={})
    assert settings.run_dir == tmp_path / "home/runs/run_1/export"


@pytest.mark.parametrize("value", ["../x.json", "/etc/x.json", "web/../../x.json"])
def test_outputs_outside_the_project_are_refused(root, value):
    with pytest.raises(PublishError, match="outside the project"):
        resolve_settings(root, {"manifest": value}, environ={})


def test_outputs_through_a_symlink_are_refused(root, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    (root / "web").symlink_to(elsewhere)
    with pytest.raises(PublishError, match="symlink"):
        resolve_settings(root, environ={})


@pytest.mark.parametrize(
    "template", ["x/{filename:>99999999999}", "x/{filename!r}", "x/{filename.real}", "x/{nope}"]
)
def test_uri_templates_take_plain_fields_only(root, template):
    with pytest.raises(PublishError, match="uri_template"):
        resolve_settings(root, {"uri_template": template}, environ={})


@pytest.mark.parametrize("value", ["9999-12-31T23:59:59-01:00", "last tuesday", "2025-11-28T10:15"])
def test_bad_timestamps_are_one_line(root, value):
    with pytest.raises(PublishError, match="trained_at"):
        resolve_settings(root, {"trained_at": value}, environ={})


def test_timestamps_are_normalised_to_utc(root):
    settings = resolve_settings(
        root, {"trained_at": "2025-11-28T11:15:00+01:00"}, environ={"SOURCE_DATE_EPOCH": "86400"}
    )
    assert settings.trained_at == "2025-11-28T10:15:00Z"
    assert settings.source_date_epoch == "1970-01-02T00:00:00Z"


def test_run_id_follows_the_web_apps_pattern(root):
    with pytest.raises(PublishError, match="run_id"):
        resolve_settings(root, {"run_id": "run 1"}, environ={})
