"""`tags`: one setting in the table, taken as `tags=false`, `--no-tags` and `publish(tags=False)`."""

from __future__ import annotations

import pytest

from web_assets.config.settings import resolve_settings
from web_assets.config.spelling import Entry
from web_assets.errors import PublishError
from web_assets_doit.cli import parse_args

PYPROJECT = '[tool.web-assets]\nuri_template = "https://example.org/{commit}/{filename}"\n'


@pytest.fixture
def root(tmp_path):
    (tmp_path / "pyproject.toml").write_text(PYPROJECT)
    return tmp_path


def test_tags_are_on_by_default(root):
    assert resolve_settings(root, {}, environ={}).tags is True


@pytest.mark.parametrize(
    ("given", "source"),
    [({"tags": "false"}, Entry.DOIT), ({"tags": False}, Entry.PUBLISH)],
)
def test_tags_false_turns_them_off(root, given, source):
    assert resolve_settings(root, given, source=source, environ={}).tags is False


def test_the_script_takes_no_tags():
    assert parse_args(["--no-tags"]).tags is False
    assert parse_args([]).tags is None  # not given: the settings decide
    assert Entry.FLAGS.given("tags", False) == "`--no-tags`"


def test_a_bad_value_is_refused_in_one_line(root):
    with pytest.raises(PublishError, match="tags") as refused:
        resolve_settings(root, {"tags": "maybe"}, environ={})
    assert "\n" not in str(refused.value)
