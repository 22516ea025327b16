"""JSON read anywhere goes through one reader: over its depth or size limit, one line."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from web_assets.config.modelcheck import feature_table
from web_assets.errors import PublishError
from web_assets.history.log import list_releases
from web_assets.records import jsonio
from web_assets.records.lockfile import read_lock
from web_assets.records.manifest import read_manifest
from web_assets.release.checks import feature_names

DEEP = '{"models": ' + "[" * 100_000 + "]" * 100_000 + "}"


def one_line(err: pytest.ExceptionInfo, *parts: str) -> None:
    message = str(err.value)
    assert "\n" not in message
    for part in parts:
        assert part in message


@pytest.mark.parametrize("read", [read_manifest, read_lock])
def test_a_record_nested_100k_deep_is_one_line_naming_it_and_the_limit(tmp_path, read):
    path = tmp_path / "dev.json"
    path.write_text(DEEP)
    with pytest.raises(PublishError) as refused:
        read(path)
    one_line(refused, str(path), "more than 100 levels deep")


def test_nesting_at_the_limit_is_read(tmp_path):
    path = tmp_path / "dev.json"
    path.write_text('{"x": ' + "[" * 99 + "]" * 99 + "}")
    assert read_manifest(path) is not None


def test_a_bundle_nested_deep_names_the_bundle(tmp_path):
    bundle = tmp_path / "m_preprocessing.json"
    bundle.write_text('{"feature_names": ["a"], "scaler": ' + "[" * 5000 + "]" * 5000 + "}")
    with pytest.raises(PublishError) as refused:
        feature_names(bundle)
    one_line(refused, str(bundle), "more than 100 levels deep", "export the preprocessing bundle")


def test_a_file_over_the_size_limit_is_refused_having_read_one_byte_past_it(tmp_path, monkeypatch):
    monkeypatch.setattr(jsonio, "MAX_JSON_BYTES", 1000)
    path = tmp_path / "dev.json"
    path.write_text('{"models": [' + ", ".join(["{}"] * 1000) + "]}")
    with pytest.raises(PublishError) as refused:
        read_manifest(path)
    one_line(refused, str(path), "over 1,000 bytes")
    assert len(jsonio.read_limited(path)) == 1001


def test_a_setting_given_as_deep_json_is_one_line():
    with pytest.raises(PublishError) as refused:
        feature_table(Path("."), "derived_features", "[" * 100_000 + "]" * 100_000)
    one_line(refused, "`derived_features`", "more than 100 levels deep")


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def test_a_committed_deep_manifest_is_skipped_by_the_history(tmp_path):
    manifest = tmp_path / "web/public/fixtures/dev.json"
    manifest.parent.mkdir(parents=True)
    git(tmp_path, "init", "--quiet")
    manifest.write_text('{"dataset": {"version": "7"}, "models": []}\n')
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "--quiet", "-m", "good")
    manifest.write_text(DEEP)
    git(tmp_path, "commit", "--quiet", "-am", "deep")
    releases = list(list_releases(tmp_path))
    assert len(releases) == 1
