"""The run a manifest names is the models' run: a new dataset version alone keeps it."""

from __future__ import annotations

from web_assets.records.documents import RunFacts, manifest_document
from web_assets.records.manifest import Published

EXPORT = "artifacts/run_export"
SHA_MODEL, SHA_BUNDLE, SHA_NEW = "a" * 64, "b" * 64, "c" * 64
NOW = "2026-01-02T03:04:05Z"
RUN_ID, TRAINED_AT = "run_20251117-032023", "2025-11-17T03:20:23Z"


def published(model_sha: str = SHA_MODEL) -> dict:
    models = [Published("dense", f"{EXPORT}/dense.onnx", model_sha, 10)]
    bundles = [Published("dense", f"{EXPORT}/dense_preprocessing.json", SHA_BUNDLE, 5)]
    return {"models": models, "bundles": bundles}


def manifest_of_seven() -> dict:
    entry = {"uri": "https://host.invalid/x", "sha256": SHA_MODEL, "size_bytes": 10}
    bundle = {"uri": "https://host.invalid/y", "sha256": SHA_BUNDLE, "size_bytes": 5}
    return {
        "run_id": RUN_ID,
        "dataset_version": "7",
        "trained_at": TRAINED_AT,
        "models": [{"id": "dense", "path": f"{EXPORT}/dense.onnx", **entry}],
        "preprocessing": [{"id": "dense", "path": f"{EXPORT}/dense_preprocessing.json", **bundle}],
        "attribution": [],
    }


def lock_of_seven(release: bool = True) -> dict:
    files = [
        {"path": f"{EXPORT}/dense.onnx", "kind": "model", "id": "dense", "sha256": SHA_MODEL},
        {
            "path": f"{EXPORT}/dense_preprocessing.json",
            "kind": "preprocessing",
            "id": "dense",
            "sha256": SHA_BUNDLE,
        },
        {"path": "web/public/data/Dataset_Version_7.csv", "kind": "dataset", "sha256": "d" * 64},
    ]
    lock = {"dataset_version": "7", "files": files}
    if release:
        lock["release"] = {"version": 7, "run_id": RUN_ID, "trained_at": TRAINED_AT}
    return lock


def publish(version: int, lock: dict, **files) -> dict:
    run = RunFacts(
        version=version, uri_template="https://h.invalid/{filename}", run_id=None, trained_at=None
    )
    update = manifest_document(
        manifest_of_seven(), lock, run=run, default_time=NOW, **(files or published())
    )
    return update.manifest


def test_a_new_dataset_version_alone_keeps_the_models_run():
    manifest = publish(8, lock_of_seven())
    assert manifest["dataset_version"] == "8"
    assert (manifest["run_id"], manifest["trained_at"]) == (RUN_ID, TRAINED_AT)


def test_a_lock_file_without_a_release_record_keeps_the_manifests_run():
    manifest = publish(8, lock_of_seven(release=False))
    assert (manifest["run_id"], manifest["trained_at"]) == (RUN_ID, TRAINED_AT)


def test_new_models_with_a_new_version_are_a_new_run():
    manifest = publish(8, lock_of_seven(), **published(SHA_NEW))
    assert (manifest["run_id"], manifest["trained_at"]) == ("run_20260102-030405", NOW)
