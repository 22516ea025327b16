"""Object keys and the URIs the web app fetches them from."""

from __future__ import annotations

import pytest

from web_assets.errors import PublishError
from web_assets.store.upload import Store, object_key


def test_keys_are_content_addressed_and_uris_percent_encoded():
    digest = "ab" * 32
    assert object_key("", digest, "m.onnx") == f"{digest}/m.onnx"
    assert object_key("/runs/v7/", digest, "m.onnx") == f"runs/v7/{digest}/m.onnx"
    store = Store("b", "runs", None, "eu-west-1", "https://cdn.example/assets/")
    key = object_key("runs", digest, "model v2+ä.onnx")
    assert store.uri(key) == f"https://cdn.example/assets/runs/{digest}/model%20v2%2B%C3%A4.onnx"
    with pytest.raises(PublishError):
        object_key("runs", digest, "a/b.onnx")
    with pytest.raises(PublishError):
        object_key("runs", "not-a-digest", "m.onnx")
