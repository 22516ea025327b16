"""`uri_template` must address each file, over https (issue 20, item 6)."""

from __future__ import annotations

import pytest

from web_assets.config.settings import resolve_settings
from web_assets.errors import PublishError


@pytest.fixture
def root(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.web-assets]\nversion = 7\n")
    return tmp_path


def template_of(root, template: str) -> str:
    return resolve_settings(root, {"uri_template": template}, environ={}).uri_template


@pytest.mark.parametrize(
    "template",
    [
        "https://cdn.example.com/models/v{version}.onnx",
        "https://raw.githubusercontent.com/o/r/{commit}/artifacts/run_export/model.onnx",
        "https://cdn.example.com/latest",
        # A model and its bundle share their id.
        "https://cdn.example.com/{version}/{id}.onnx",
    ],
)
def test_a_template_that_names_no_file_is_refused_in_one_line(root, template):
    with pytest.raises(PublishError, match=r"names no file.*\{filename\}") as err:
        template_of(root, template)
    assert "\n" not in str(err.value)


@pytest.mark.parametrize(
    "template",
    [
        "http://cdn.example.com/{filename}",
        "ftp://cdn.example.com/{filename}",
        "file:///srv/models/{filename}",
        "javascript:alert(1)//{filename}",
        "cdn.example.com/{filename}",
        "//cdn.example.com/{filename}",
        "https:///{filename}",
        "http://127.0.0.1.example.com/{filename}",
    ],
)
def test_a_template_that_is_not_https_is_refused(root, template):
    with pytest.raises(PublishError, match=r"does not give https:// URLs"):
        template_of(root, template)


@pytest.mark.parametrize(
    "template",
    [
        "https://cdn.example.com/models/{filename}",
        "HTTPS://cdn.example.com/{version}/{id}/{filename}",
        "http://127.0.0.1:8123/o/r/{commit}/{filename}",
        "http://localhost:8123/{filename}",
    ],
)
def test_https_and_local_http_templates_that_name_the_file_are_kept(root, template):
    assert template_of(root, template) == template


def test_an_object_store_template_names_each_object_by_its_key(root):
    given = {"storage": "s3", "s3_bucket": "b", "public_base_url": "http://cdn.example.com"}
    with pytest.raises(PublishError, match="does not give https://"):
        resolve_settings(root, given, environ={})
    given["public_base_url"] = "https://cdn.example.com"
    settings = resolve_settings(root, given, environ={})
    assert settings.uri_template == "https://cdn.example.com/{key}"
