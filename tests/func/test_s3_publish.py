"""storage = "s3": a publish through the real `doit` to a real SeaweedFS, objects before the manifest."""

from __future__ import annotations

import hashlib
import json
import os
import re
import tomllib
import urllib.request
from pathlib import Path

import pytest

from testing.doit import run_doit
from testing.gitrepo import git
from testing.kill import Point, publish_killed_at
from testing.project import (
    EXPORT,
    LOCK,
    MANIFEST,
    REPO,
    retrain,
    snapshot,
    without_git_template,
)
from testing.s3_project import use_bucket
from web_assets.config.settings import resolve_settings

MiB = 1 << 20


@pytest.fixture
def published(project, seaweedfs):
    """The sample published once to a fresh public bucket."""
    bucket = seaweedfs.new_bucket()
    use_bucket(project, seaweedfs, bucket)
    result = run_doit(project, env=seaweedfs.env())
    assert result.status == 0, result.text
    return project, bucket


def lock_objects(project: Path) -> dict[str, dict]:
    lock = json.loads((project / LOCK).read_text())
    return {entry["path"]: entry["object"] for entry in lock["files"] if "object" in entry}


def keys(server, bucket: str) -> list[str]:
    listed = server.client().list_objects_v2(Bucket=bucket)
    return sorted(item["Key"] for item in listed.get("Contents", []))


def test_every_model_and_bundle_is_in_the_bucket_and_only_the_manifest_is_committed(
    published,
    seaweedfs,
):
    project, bucket = published
    objects = lock_objects(project)
    files = sorted(path.relative_to(project).as_posix() for path in (project / EXPORT).iterdir())
    assert sorted(objects) == files
    for path, stored in objects.items():
        body = seaweedfs.client().get_object(Bucket=bucket, Key=stored["key"])["Body"].read()
        assert body == (project / path).read_bytes()
        assert stored["bucket"] == bucket
    assert keys(seaweedfs, bucket) == sorted(stored["key"] for stored in objects.values())
    manifest = json.loads((project / MANIFEST).read_text())
    for entry in manifest["models"] + manifest["preprocessing"]:
        # Anonymously, as the web app fetches it.
        with urllib.request.urlopen(entry["uri"], timeout=10) as response:
            assert response.read() == (project / entry["path"]).read_bytes()
        assert entry["uri"] == objects[entry["path"]]["uri"]
    committed = git(project, "show", "--name-only", "--format=", "HEAD").splitlines()
    assert sorted(committed) == [LOCK, MANIFEST]
    assert git(project, "status", "--porcelain") == ""
    verified = run_doit(project, "verify", "live=true")
    assert verified.status == 0, verified.text


def test_a_republish_sends_no_request_even_with_the_server_stopped(published, seaweedfs):
    project, _ = published
    seaweedfs.stop()
    try:
        result = run_doit(project, env=seaweedfs.env())
    finally:
        seaweedfs.start()
    assert result.status == 0, result.text
    assert result.ran == []
    assert "Nothing to publish" in result.out


def test_one_changed_model_uploads_one_object(published, seaweedfs):
    project, bucket = published
    before = keys(seaweedfs, bucket)
    model = project / EXPORT / "market_gradient_boost.onnx"
    retrain(model, seed=5)
    result = run_doit(project, env=seaweedfs.env())
    assert result.status == 0, result.text
    assert [name for name in result.ran if name.startswith("upload:")] == [
        f"upload:{EXPORT}/market_gradient_boost.onnx"
    ]
    after = keys(seaweedfs, bucket)
    added = sorted(set(after) - set(before))
    assert len(after) == len(before) + 1
    assert added == [lock_objects(project)[f"{EXPORT}/market_gradient_boost.onnx"]["key"]]
    assert "uploaded 1 object(s)" in result.out


def assert_refused_untouched(project: Path, result, message: str, before, head) -> None:
    assert result.status != 0
    assert message in result.text
    assert "Traceback" not in result.text
    assert sum(message in line for line in result.text.splitlines()) == 1
    assert not {"manifest", "lockfile", "commit"} & set(result.ran)
    assert snapshot(project) == before
    assert git(project, "rev-parse", "HEAD") == head


@pytest.fixture
def unpublished(project, seaweedfs):
    """The project set up for a bucket that holds nothing yet: the first publish must upload."""
    bucket = seaweedfs.new_bucket()
    use_bucket(project, seaweedfs, bucket)
    return project, bucket, snapshot(project), git(project, "rev-parse", "HEAD")


def test_wrong_credentials_are_one_line_and_change_nothing(unpublished, seaweedfs):
    project, bucket, before, head = unpublished
    env = {**seaweedfs.env(), "AWS_SECRET_ACCESS_KEY": "not-the-secret"}
    result = run_doit(project, env=env)
    assert_refused_untouched(project, result, "refused the credentials", before, head)
    assert "not-the-secret" not in result.text
    assert keys(seaweedfs, bucket) == []


def test_a_stopped_server_is_one_line_and_changes_nothing(unpublished, seaweedfs):
    project, bucket, before, head = unpublished
    seaweedfs.stop()
    try:
        result = run_doit(project, env=seaweedfs.env())
    finally:
        seaweedfs.start()
    assert_refused_untouched(project, result, "cannot reach", before, head)
    # The server back, the same command publishes.
    assert run_doit(project, env=seaweedfs.env()).status == 0
    assert len(keys(seaweedfs, bucket)) == 6


def test_a_tampered_object_is_caught_by_verify_live(published, seaweedfs):
    project, bucket = published
    stored = lock_objects(project)[f"{EXPORT}/performance_dense.onnx"]
    # The same size, other bytes: only the streamed SHA-256 tells them apart.
    tampered = (project / EXPORT / "performance_dense.onnx").read_bytes()[::-1]
    seaweedfs.client().put_object(Bucket=bucket, Key=stored["key"], Body=tampered)
    result = run_doit(project, "verify", "live=true")
    assert result.status != 0
    assert "models/performance_dense: wrong bytes" in result.out
    assert run_doit(project, "verify").status == 0  # the local files are as published


def test_datasets_go_to_the_bucket_with_s3_datasets(project, seaweedfs):
    bucket = seaweedfs.new_bucket()
    use_bucket(project, seaweedfs, bucket, "s3_datasets = true")
    result = run_doit(project, env=seaweedfs.env())
    assert result.status == 0, result.text
    objects = lock_objects(project)
    assert "web/public/data/Dataset_Version_7.csv" in objects
    assert len(keys(seaweedfs, bucket)) == 8


def test_a_killed_upload_leaves_no_partial_object_and_the_next_run_completes(
    project,
    seaweedfs,
):
    bucket = seaweedfs.new_bucket()
    # One thread: the parts are sent one after another.
    use_bucket(project, seaweedfs, bucket, "s3_threads = 1", "check_models = false")
    big = project / EXPORT / "large_model.onnx"
    big.write_bytes(os.urandom(64 * MiB))
    client = seaweedfs.client()
    # Killed once two of its parts are sent: the upload is surely in the middle.
    second_part = Point("web_assets.store.send:_send_part", "after", 2)
    publish_killed_at(project, [], second_part, env=seaweedfs.env())
    uploads = client.list_multipart_uploads(Bucket=bucket).get("Uploads", [])
    assert len(uploads) == 1
    assert not [key for key in keys(seaweedfs, bucket) if key.endswith("large_model.onnx")]
    for key in keys(seaweedfs, bucket):
        # Whatever is visible is whole: its bytes hash to the SHA-256 its key names.
        body = client.get_object(Bucket=bucket, Key=key)["Body"].read()
        assert hashlib.sha256(body).hexdigest() == key.split("/")[-2]

    result = run_doit(project, env=seaweedfs.env())
    assert result.status == 0, result.text
    stored = lock_objects(project)[f"{EXPORT}/large_model.onnx"]
    body = client.get_object(Bucket=bucket, Key=stored["key"])["Body"].read()
    assert body == big.read_bytes()
    assert client.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []


def readme_examples() -> list[str]:
    """The `toml` blocks of README's "When models outgrow git"."""
    text = (REPO / "README.md").read_text()
    section = text.split("## When models outgrow git", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```toml\n(.*?)```", section, re.S)


def test_the_readme_examples_resolve_and_the_r2_one_publishes(project, seaweedfs):
    aws, r2 = readme_examples()
    pyproject = project / "pyproject.toml"
    pyproject.write_text(without_git_template(pyproject.read_text()))
    for example in (aws, r2):
        settings = resolve_settings(project, tomllib.loads(example))
        assert settings.uri_template == f"{settings.public_base_url}/{{key}}"
    # The R2 example as written (region "auto", path-style endpoint), but for the local server.
    bucket = seaweedfs.new_bucket()
    local = (
        r2.replace('"my-models"', f'"{bucket}"')
        .replace("https://<account>.r2.cloudflarestorage.com", seaweedfs.endpoint_url)
        .replace("https://pub-<id>.r2.dev", f"{seaweedfs.public_base_url}/{bucket}")
    )
    pyproject.write_text(pyproject.read_text().replace("version = 7\n", f"version = 7\n{local}"))
    env = {**seaweedfs.env(), "AWS_DEFAULT_REGION": ""}
    result = run_doit(project, env=env)
    assert result.status == 0, result.text
    assert run_doit(project, "verify", "live=true").status == 0


def test_verify_needs_no_local_copy_of_a_stored_object(published, seaweedfs):
    project, _ = published
    for path in (project / EXPORT).iterdir():
        path.unlink()  # as in a fresh clone, once the export folder is no longer committed
    assert run_doit(project, "verify").status == 0
    assert run_doit(project, "verify", "live=true").status == 0
