"""The record of a project's multipart uploads in progress, and which uploads count as abandoned."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from web_assets.errors import PublishError
from web_assets.store.collect import lock_objects, object_paths
from web_assets.store.pending import PendingUploads, abandoned
from web_assets.store.upload import Store


def store(bucket: str = "b", endpoint: str | None = "http://127.0.0.1:9") -> Store:
    return Store(bucket, "p", endpoint, "us-east-1", "https://cdn.example/b")


def test_an_upload_is_ours_from_its_record_until_it_is_forgotten(tmp_path):
    pending = PendingUploads(tmp_path)
    pending.add(store(), "p/x/a.onnx", "id-1")
    pending.add(store(), "p/y/b.onnx", "id-2")
    pending.add(store(bucket="other"), "p/z/c.onnx", "id-3")

    # A new process reads the same record: a killed run's uploads are still known.
    again = PendingUploads(tmp_path)
    assert again.ids(store()) == {"id-1", "id-2"}
    assert again.ids(store(bucket="other")) == {"id-3"}
    assert again.ids(store(endpoint=None)) == set()
    again.remove({"id-1", "id-3"})
    assert PendingUploads(tmp_path).ids(store()) == {"id-2"}


def test_a_damaged_record_is_one_line_naming_it(tmp_path):
    (tmp_path / ".web-assets").mkdir()
    (tmp_path / ".web-assets/uploads.json").write_text('{"uploads": [1]}')
    with pytest.raises(PublishError, match=r"uploads\.json is damaged: .* Remove it") as caught:
        PendingUploads(tmp_path).ids(store())
    assert "\n" not in str(caught.value)


def test_an_upload_is_abandoned_only_after_a_day():
    now = datetime(2026, 12, 3, 12, tzinfo=UTC)
    assert abandoned({"Initiated": now - timedelta(days=1, seconds=1)}, now)
    assert not abandoned({"Initiated": now - timedelta(hours=23)}, now)
    assert not abandoned({}, now)


def test_a_lock_files_objects_by_path():
    lock = {
        "files": [
            {"path": "a.onnx", "object": {"bucket": "b", "key": "p/1/a.onnx", "uri": "u"}},
            {"path": "data.csv"},
            {"path": "bad.onnx", "object": {"bucket": 3}},
            "not an entry",
        ]
    }
    assert object_paths(lock) == {"a.onnx": ("b", "p/1/a.onnx")}
    assert lock_objects(lock) == {("b", "p/1/a.onnx")}
    assert object_paths(None) == {} and object_paths({"files": "x"}) == {}
