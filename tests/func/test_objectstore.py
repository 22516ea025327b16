"""Uploads to a real SeaweedFS: content-addressed, verified by the server, never overwritten."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from testing.project import REPO, make_sample
from testing.seaweedfs import SeaweedFS
from web_assets.errors import PublishError
from web_assets.files.hashing import stat_key
from web_assets.store.pending import PendingUploads
from web_assets.store.upload import Store, Upload, abort_stale_uploads, object_key, upload

MiB = 1 << 20
PART = 5 * MiB


@pytest.fixture
def server(seaweedfs, monkeypatch):
    """The session's server, its credentials in the environment as boto3's chain reads them."""
    for name, value in seaweedfs.env().items():
        monkeypatch.setenv(name, value)
    return seaweedfs


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        while chunk := source.read(MiB):
            digest.update(chunk)
    return digest.hexdigest()


def as_upload(store: Store, path: Path, sha256: str | None = None) -> Upload:
    digest = sha256 or sha256_of(path)
    return Upload(path, digest, path.stat().st_size, object_key(store.prefix, digest, path.name))


def run_files(folder: Path, seed: int = 1) -> list[Path]:
    """A model, its bundle, and a dataset large enough for a multipart upload."""
    folder.mkdir(parents=True, exist_ok=True)
    model = folder / "market_gradient_boost.onnx"
    model.write_bytes(make_sample.tree_ensemble(4, random.Random(seed)).SerializeToString())
    bundle = folder / "market_gradient_boost_preprocessing.json"
    bundle.write_text(json.dumps({"feature_names": ["a", "b", "c", "d"]}))
    dataset = folder / "Dataset_Version_7.csv"
    dataset.write_bytes(random.Random(seed).randbytes(2 * PART + 12345))
    return [model, bundle, dataset]


def anonymous_get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as reply:
        return reply.read()


def keys_under(server, bucket: str, prefix: str = "") -> list[str]:
    listing = server.client().list_objects_v2(Bucket=bucket, Prefix=prefix)
    return [entry["Key"] for entry in listing.get("Contents", [])]


def assert_one_line(error: PublishError, *, contains: str, secret: str | None = None) -> str:
    message = str(error)
    assert "\n" not in message and "Traceback" not in message
    assert contains in message
    if secret is not None:
        assert secret not in message
    return message


def test_published_objects_read_back_identical_through_s3_and_anonymous_http(server, tmp_path):
    store = server.store(server.new_bucket())
    items = [as_upload(store, path) for path in run_files(tmp_path / "run")]

    report = upload(store, items, part_size=PART)

    assert report.uploaded == [item.key for item in items] and report.skipped == []
    assert sorted(keys_under(server, store.bucket)) == sorted(item.key for item in items)
    for item in items:
        stored = server.client().get_object(Bucket=store.bucket, Key=item.key)["Body"].read()
        assert stored == item.path.read_bytes()
        assert anonymous_get(store.uri(item.key)) == item.path.read_bytes()
        assert item.key == f"models/{item.sha256}/{item.path.name}"


def test_publishing_again_uploads_nothing_and_a_changed_file_uploads_one(server, tmp_path):
    store = server.store(server.new_bucket())
    paths = run_files(tmp_path / "run")
    upload(store, [as_upload(store, path) for path in paths], part_size=PART)

    again = upload(store, [as_upload(store, path) for path in paths], part_size=PART)
    assert again.uploaded == [] and len(again.skipped) == 3

    paths[0].write_bytes(make_sample.tree_ensemble(4, random.Random(99)).SerializeToString())
    items = [as_upload(store, path) for path in paths]
    changed = upload(store, items, part_size=PART)
    assert changed.uploaded == [items[0].key]
    assert changed.skipped == [items[1].key, items[2].key]
    assert len(keys_under(server, store.bucket)) == 4


def test_relaxed_checksums_upload_read_back_and_skip_alike(server, tmp_path):
    store = server.store(server.new_bucket(), checksums="when_required")
    items = [as_upload(store, path) for path in run_files(tmp_path / "run")]

    assert upload(store, items, part_size=PART).uploaded == [item.key for item in items]
    assert upload(store, items, part_size=PART).skipped == [item.key for item in items]
    for item in items:
        assert anonymous_get(store.uri(item.key)) == item.path.read_bytes()
    with pytest.raises(PublishError, match="s3_checksums"):
        server.store(store.bucket, checksums="crc32")


def test_a_wrong_secret_key_is_one_line_naming_the_bucket_without_the_secret(
    server, tmp_path, monkeypatch
):
    store = server.store(server.new_bucket())
    wrong = "wrong-" + server.secret_key[6:]
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", wrong)

    with pytest.raises(PublishError) as caught:
        upload(store, [as_upload(store, path) for path in run_files(tmp_path / "run")])

    message = assert_one_line(caught.value, contains=store.bucket, secret=wrong)
    assert "AWS_SECRET_ACCESS_KEY" in message and server.secret_key not in message
    assert keys_under(server, store.bucket) == []


def test_a_missing_bucket_is_one_line_saying_so(server, tmp_path):
    store = server.store("no-such-bucket-here")
    with pytest.raises(PublishError) as caught:
        upload(store, [as_upload(store, path) for path in run_files(tmp_path / "run")])
    assert_one_line(caught.value, contains="'no-such-bucket-here'")
    assert "does not exist" in str(caught.value)


def test_a_stopped_server_is_one_line_naming_the_endpoint_and_a_restart_completes(
    tmp_path, monkeypatch
):
    with SeaweedFS(tmp_path / "short-lived") as short_lived:
        for name, value in short_lived.env().items():
            monkeypatch.setenv(name, value)
        store = short_lived.store(short_lived.new_bucket())
        items = [as_upload(store, path) for path in run_files(tmp_path / "run")]
        short_lived.stop()

        with pytest.raises(PublishError) as caught:
            upload(store, items, part_size=PART)

        message = assert_one_line(caught.value, contains=store.endpoint_url)
        assert "cannot reach" in message
        short_lived.restart()
        assert upload(store, items, part_size=PART).uploaded == [item.key for item in items]


def test_bytes_not_matching_the_given_sha256_are_refused_by_the_server(server, tmp_path):
    store = server.store(server.new_bucket())
    model = tmp_path / "model.onnx"
    model.write_bytes(b"the bytes on disk")
    claimed = hashlib.sha256(b"the bytes hashed!").hexdigest()

    with pytest.raises(PublishError) as caught:
        upload(store, [as_upload(store, model, sha256=claimed)])

    assert_one_line(caught.value, contains="do not match their SHA-256")
    assert keys_under(server, store.bucket) == []


def test_a_file_changed_after_hashing_is_refused_before_sending(server, tmp_path):
    store = server.store(server.new_bucket())
    model = run_files(tmp_path / "run")[0]
    item = as_upload(store, model)
    model.write_bytes(model.read_bytes()[:-1])

    with pytest.raises(PublishError) as caught:
        upload(store, [item])

    assert_one_line(caught.value, contains="changed after it was hashed")
    assert keys_under(server, store.bucket) == []


@pytest.mark.parametrize("checked_by", ["hash", "stat"])
def test_a_large_file_changed_after_hashing_is_refused_and_its_upload_aborted(
    server, tmp_path, checked_by
):
    store = server.store(server.new_bucket())
    dataset = run_files(tmp_path / "run")[2]
    item = as_upload(store, dataset)
    if checked_by == "stat":
        # As a publish uploads: the stat the digest was taken at, checked instead of a rehash.
        item = dataclasses.replace(item, hashed_at=stat_key(dataset.stat()))
    with dataset.open("r+b") as tamper:
        tamper.seek(PART + 7)
        tamper.write(b"!")

    with pytest.raises(PublishError) as caught:
        upload(store, [item], part_size=PART)

    assert_one_line(caught.value, contains="changed after it was hashed")
    assert keys_under(server, store.bucket) == []
    assert server.client().list_multipart_uploads(Bucket=store.bucket).get("Uploads", []) == []


@pytest.mark.parametrize("other", [b"shorter", None], ids=["other-size", "same-size"])
def test_an_object_with_other_bytes_under_the_key_is_reported(server, tmp_path, other):
    store = server.store(server.new_bucket())
    model = run_files(tmp_path / "run")[0]
    item = as_upload(store, model)
    foreign = other if other is not None else bytes(item.size)
    server.client().put_object(Bucket=store.bucket, Key=item.key, Body=foreign)

    with pytest.raises(PublishError) as caught:
        upload(store, [item])

    assert_one_line(caught.value, contains=item.key)
    assert "other bytes" in str(caught.value)
    assert server.client().get_object(Bucket=store.bucket, Key=item.key)["Body"].read() == foreign


CHILD = """
import json, sys
from pathlib import Path
from web_assets.store.pending import PendingUploads
from web_assets.store.upload import Store, Upload, upload
job = json.loads(sys.argv[1])
upload(Store(**job["store"]), [Upload(Path(job["path"]), job["sha256"], job["size"], job["key"])],
       threads=2, part_size=job["part_size"], pending=PendingUploads(Path(job["state"])))
"""


def test_a_killed_multipart_upload_leaves_no_object_and_the_next_run_completes(server, tmp_path):
    store = server.store(server.new_bucket())
    big = tmp_path / "big.onnx"
    big.write_bytes(random.Random(7).randbytes(64 * MiB))
    item = as_upload(store, big)
    # The child reads a pipe fed with one part and a bit: it is surely mid-upload when killed.
    pipe = tmp_path / "big.fifo"
    os.mkfifo(pipe)
    job = {
        "store": {name: getattr(store, name) for name in store.__dataclass_fields__},
        "path": str(pipe),
        "sha256": item.sha256,
        "size": item.size,
        "key": item.key,
        "part_size": 8 * MiB,
        "state": str(tmp_path),
    }
    child = subprocess.Popen([sys.executable, "-c", CHILD, json.dumps(job)], cwd=REPO)
    try:
        with pipe.open("wb") as feed, big.open("rb") as source:
            feed.write(source.read(9 * MiB))
            wait_for_first_part(server, store.bucket, child)
            child.send_signal(signal.SIGKILL)
            child.wait()
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()

    client = server.client()
    assert child.returncode == -signal.SIGKILL
    assert len(client.list_multipart_uploads(Bucket=store.bucket).get("Uploads", [])) == 1
    assert keys_under(server, store.bucket) == []
    with pytest.raises(urllib.error.HTTPError):
        anonymous_get(store.uri(item.key))

    # The killed upload was recorded as ours: it is aborted, not left for a day.
    report = upload(store, [item], part_size=8 * MiB, pending=PendingUploads(tmp_path))

    assert report.uploaded == [item.key] and report.aborted_stale == 1
    assert client.list_multipart_uploads(Bucket=store.bucket).get("Uploads", []) == []
    body = client.get_object(Bucket=store.bucket, Key=item.key)["Body"]
    assert hashlib.sha256(body.read()).hexdigest() == item.sha256
    assert abort_stale_uploads(store) == 0


def wait_for_first_part(server, bucket: str, child: subprocess.Popen) -> None:
    client = server.client()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and child.poll() is None:
        for pending in client.list_multipart_uploads(Bucket=bucket).get("Uploads", []):
            parts = client.list_parts(
                Bucket=bucket, Key=pending["Key"], UploadId=pending["UploadId"]
            )
            if parts.get("Parts"):
                return
        time.sleep(0.05)
    pytest.fail(f"the upload never sent its first part (child exit status {child.poll()})")
