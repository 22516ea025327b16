"""Two publishers on one bucket and prefix: a publish aborts only the multipart uploads a killed
run of its own left (or ones a day old), never another machine's upload in progress."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta

from testing.doit import run_doit
from testing.kill import Point, publish_killed_at
from testing.project import EXPORT
from testing.s3_project import use_bucket
from web_assets.config.storage import DEFAULT_PREFIX
from web_assets.store.pending import PendingUploads
from web_assets.store.upload import abort_stale_uploads

MiB = 1 << 20
THEIRS = f"{DEFAULT_PREFIX}/{'a' * 64}/their_model.onnx"


def start_theirs(client, bucket: str) -> tuple[str, bytes]:
    """Another machine's multipart upload, one part sent, not completed."""
    upload_id = client.create_multipart_upload(Bucket=bucket, Key=THEIRS)["UploadId"]
    part = os.urandom(5 * MiB)
    client.upload_part(Bucket=bucket, Key=THEIRS, UploadId=upload_id, PartNumber=1, Body=part)
    return upload_id, part


def in_progress(client, bucket: str) -> dict[str, str]:
    listed = client.list_multipart_uploads(Bucket=bucket).get("Uploads", [])
    return {upload["UploadId"]: upload["Key"] for upload in listed}


def test_our_killed_upload_is_aborted_and_another_publishers_survives(project, seaweedfs):
    bucket = seaweedfs.new_bucket()
    use_bucket(project, seaweedfs, bucket, "s3_threads = 1", "check_models = false")
    (project / EXPORT / "large_model.onnx").write_bytes(os.urandom(24 * MiB))
    client = seaweedfs.client()
    theirs, part = start_theirs(client, bucket)

    publish_killed_at(
        project, [], Point("web_assets.store.send:_send_part", "after", 2), env=seaweedfs.env()
    )
    recorded = json.loads((project / ".web-assets/uploads.json").read_text())["uploads"]
    ours = {entry["upload_id"] for entry in recorded}
    assert len(ours) == 1 and theirs not in ours
    assert set(in_progress(client, bucket)) == {theirs, *ours}

    result = run_doit(project, env=seaweedfs.env())
    assert result.status == 0, result.text
    assert in_progress(client, bucket) == {theirs: THEIRS}
    assert json.loads((project / ".web-assets/uploads.json").read_text()) == {"uploads": []}
    # The other machine finishes its upload as if we had never been there.
    etag = client.list_parts(Bucket=bucket, Key=THEIRS, UploadId=theirs)["Parts"][0]["ETag"]
    client.complete_multipart_upload(
        Bucket=bucket,
        Key=THEIRS,
        UploadId=theirs,
        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag}]},
    )
    assert client.get_object(Bucket=bucket, Key=THEIRS)["Body"].read() == part


def test_an_upload_over_a_day_old_is_aborted_whoever_started_it(seaweedfs, tmp_path, monkeypatch):
    for name, value in seaweedfs.env().items():
        monkeypatch.setenv(name, value)
    bucket = seaweedfs.new_bucket()
    store = seaweedfs.store(bucket, prefix=DEFAULT_PREFIX)
    client = seaweedfs.client()
    theirs, _ = start_theirs(client, bucket)
    pending = PendingUploads(tmp_path)

    assert abort_stale_uploads(store, pending=pending) == 0
    assert set(in_progress(client, bucket)) == {theirs}
    a_day_later = datetime.now(UTC) + timedelta(days=1, minutes=1)
    assert abort_stale_uploads(store, pending=pending, now=a_day_later) == 1
    assert in_progress(client, bucket) == {}
