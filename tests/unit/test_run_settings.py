"""A run's settings, resolved once: the entry point's values, the recorded release, pyproject."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from web_assets.config.settings import resolve_settings
from web_assets.release.recorded import resolve_run


def project(root: Path, *, recorded: dict | None = None, lock_text: str | None = None) -> Path:
    root.mkdir()
    (root / "pyproject.toml").write_text(
        '[tool.web-assets]\ndataset = "data/seven.csv"\nversion = 7\n', encoding="utf-8"
    )
    if recorded is not None:
        lock = {"lock_format": 1, "dataset_version": "5", "release": recorded, "files": []}
        lock_text = json.dumps(lock)
    if lock_text is not None:
        (root / "web-assets.lock.json").write_text(lock_text, encoding="utf-8")
    return root


def test_the_recorded_release_comes_between_the_entry_point_and_pyproject(tmp_path):
    root = project(tmp_path / "p", recorded={"version": 5, "dataset": "data/five.csv"})
    plain = resolve_run(root, {}, environ={})
    assert (plain.settings.version, plain.settings.dataset) == (5, root / "data/five.csv")
    given = resolve_run(root, {"version": "9"}, environ={})
    assert (given.settings.version, given.settings.dataset) == (9, root / "data/five.csv")
    assert given.given == {"version": "9"}
    assert given.recorded == {"version": 5, "dataset": "data/five.csv"}


def test_settings_resolution_reads_no_lock_file_the_record_is_handed_in(tmp_path):
    root = project(tmp_path / "p", recorded={"version": 5})
    assert resolve_settings(root, environ={}).version == 7
    assert resolve_settings(root, recorded={"version": 5}, environ={}).version == 5


def test_typed_values_keep_their_python_types(tmp_path):
    root = project(tmp_path / "p")
    run = resolve_run(root, {"version": 8, "main_columns": ["season"], "push": True}, environ={})
    assert run.problem is None
    assert (run.settings.version, run.settings.main_columns, run.settings.push) == (
        8,
        ("season",),
        True,
    )


@pytest.mark.parametrize("source", ["publish()", "the flags", "the command line"])
def test_a_misspelt_name_is_refused_in_the_words_of_the_entry_point(tmp_path, source):
    root = project(tmp_path / "p")
    run = resolve_run(root, {"verison": "8"}, source=source, environ={})
    assert run.settings is None
    assert run.problem.startswith(f"Unknown setting 'verison' in {source}. Did you mean 'version'?")


def test_a_damaged_lock_file_is_a_problem_that_names_it(tmp_path):
    root = project(tmp_path / "p", lock_text="{not json")
    run = resolve_run(root, {}, environ={})
    assert run.settings is None
    assert "web-assets.lock.json" in run.problem
