"""The manifest and lock file as data: hand-set digests in, documents out, no file read."""

from __future__ import annotations

from web_assets.records.documents import (
    DatasetFile,
    Named,
    RunFacts,
    lock_document,
    manifest_document,
)
from web_assets.records.manifest import Published

SHA_A, SHA_B, SHA_C = "a" * 64, "b" * 64, "c" * 64
COMMIT_OLD, COMMIT_NEW = "1" * 40, "2" * 40
EXPORT = "artifacts/run_export"
PINNED = "https://host.invalid/{commit}/{filename}"
NOW = "2026-01-02T03:04:05Z"


def run(**kwargs) -> RunFacts:
    return RunFacts(
        **{"version": 7, "uri_template": PINNED, "run_id": None, "trained_at": None, **kwargs}
    )


def model(sha: str = SHA_A, size: int = 10) -> Published:
    return Published("dense", f"{EXPORT}/dense.onnx", sha, size)


def old_manifest(sha: str = SHA_A, commit: str = COMMIT_OLD) -> dict:
    return {
        "run_id": "run_20251117-032023",
        "dataset_version": "7",
        "trained_at": "2025-11-17T03:20:23Z",
        "models": [
            {
                "id": "dense",
                "view": "main",
                "uri": f"https://host.invalid/{commit}/dense.onnx",
                "sha256": sha,
                "size_bytes": 10,
            }
        ],
        "preprocessing": [],
        "attribution": [],
    }


def lock_of(sha: str, version: str = "7", run_id: str = "run_20251117-032023") -> dict:
    return {
        "dataset_version": version,
        "release": {"run_id": run_id, "trained_at": "2025-11-17T03:20:23Z"},
        "files": [{"path": f"{EXPORT}/dense.onnx", "kind": "model", "sha256": sha}],
    }


def test_a_new_manifest_pins_each_file_to_the_commit_given():
    update = manifest_document(
        None, None, models=[model()], bundles=[], run=run(), default_time=NOW, pin=COMMIT_NEW
    )
    entry = update.manifest["models"][0]
    assert entry["uri"] == f"https://host.invalid/{COMMIT_NEW}/dense.onnx"
    assert entry["integrity"].startswith("sha256-")
    assert (update.manifest["trained_at"], update.manifest["run_id"]) == (
        NOW,
        "run_20260102-030405",
    )
    assert list(update.manifest)[:3] == ["run_id", "dataset_version", "trained_at"]


def test_unchanged_bytes_keep_their_commit_and_the_lock_files_run():
    update = manifest_document(
        old_manifest(),
        lock_of(SHA_A),
        models=[model()],
        bundles=[],
        run=run(),
        default_time=NOW,
        pin=COMMIT_NEW,
    )
    assert update.changes == []
    assert update.manifest == {**old_manifest(), "models": [update.manifest["models"][0]]}
    assert update.manifest["models"][0]["uri"].endswith(f"/{COMMIT_OLD}/dense.onnx")
    assert update.manifest["run_id"] == "run_20251117-032023"


def test_the_lock_file_not_an_edited_manifest_says_which_run_the_content_is():
    edited = {**old_manifest(), "run_id": "run_20000101-000000", "trained_at": NOW}
    update = manifest_document(
        edited, lock_of(SHA_A), models=[model()], bundles=[], run=run(), default_time=NOW
    )
    assert update.manifest["run_id"] == "run_20251117-032023"
    assert update.manifest["trained_at"] == "2025-11-17T03:20:23Z"


def test_new_bytes_go_to_the_new_commit_and_a_new_run():
    update = manifest_document(
        old_manifest(),
        lock_of(SHA_A),
        models=[model(SHA_B, 12)],
        bundles=[],
        run=run(),
        default_time=NOW,
        pin=COMMIT_NEW,
    )
    entry = update.manifest["models"][0]
    assert entry["uri"].endswith(f"/{COMMIT_NEW}/dense.onnx")
    assert (entry["sha256"], entry["size_bytes"], entry["view"]) == (SHA_B, 12, "main")
    assert [(c.id, c.old_sha256, c.new_sha256) for c in update.changes] == [("dense", SHA_A, SHA_B)]
    assert update.manifest["trained_at"] == NOW


def test_a_commit_that_no_longer_holds_the_bytes_is_not_kept():
    update = manifest_document(
        old_manifest(),
        lock_of(SHA_A),
        models=[model()],
        bundles=[],
        run=run(),
        default_time=NOW,
        pin=COMMIT_NEW,
        holds=lambda commit, path: False,
    )
    assert update.manifest["models"][0]["uri"].endswith(f"/{COMMIT_NEW}/dense.onnx")


def test_a_given_run_id_outranks_the_lock_file():
    update = manifest_document(
        old_manifest(),
        lock_of(SHA_A),
        models=[model()],
        bundles=[],
        run=run(run_id="run_20990101-000000"),
        default_time=NOW,
    )
    assert update.manifest["run_id"] == "run_20990101-000000"
    assert update.manifest["trained_at"] == "2099-01-01T00:00:00Z"


COPIED = {
    "web/public/data/Dataset_Version_7.csv": {
        "target": "web/public/data/Dataset_Version_7.csv",
        "source": "data/processed/Dataset_Version_7.csv",
        "sha256": SHA_C,
        "size_bytes": 300,
        "rows": 4,
    }
}
DATASETS = [DatasetFile("main", "web/public/data/Dataset_Version_7.csv", ("season", "home"))]
DENSE = Named("model", "dense", f"{EXPORT}/dense.onnx")
DIGESTS = {f"{EXPORT}/dense.onnx": {"sha256": SHA_A, "size_bytes": 10}}


def lock(**kwargs) -> dict:
    arguments = {
        "version": 7,
        "release": {"version": 7, "run_id": "run_1"},
        "datasets": DATASETS,
        "copied": COPIED,
        "files": [DENSE],
        "digests": DIGESTS,
    }
    return lock_document(**{**arguments, **kwargs})


def test_the_lock_names_every_file_in_path_order_with_its_source():
    assert lock() == {
        "lock_format": 1,
        "dataset_version": "7",
        "release": {"version": 7, "run_id": "run_1"},
        "files": [
            {
                "path": f"{EXPORT}/dense.onnx",
                "kind": "model",
                "id": "dense",
                "sha256": SHA_A,
                "size_bytes": 10,
                "source": {"path": f"{EXPORT}/dense.onnx", "sha256": SHA_A},
            },
            {
                "path": "web/public/data/Dataset_Version_7.csv",
                "kind": "dataset",
                "id": "main",
                "sha256": SHA_C,
                "size_bytes": 300,
                "source": {"path": "data/processed/Dataset_Version_7.csv", "sha256": SHA_C},
                "rows": 4,
                "columns": ["season", "home"],
            },
        ],
    }


def test_a_gathered_file_names_the_runs_copy_and_a_model_its_checks():
    gathered = {f"{EXPORT}/dense.onnx": {"source": "runs/run_1/dense.onnx", "sha256": SHA_A}}
    entry = lock(gathered=gathered, checked={"dense": {"missing_features": ["x"]}})["files"][0]
    assert entry["source"] == {"path": "runs/run_1/dense.onnx", "sha256": SHA_A}
    assert entry["missing_features"] == ["x"]


def test_checks_are_recorded_for_models_only_and_objects_for_uploaded_files():
    bundle = Named("preprocessing", "dense", f"{EXPORT}/dense_preprocessing.json")
    digests = {**DIGESTS, bundle.path: {"sha256": SHA_B, "size_bytes": 5}}
    uploaded = {"bucket": "b", "key": f"{SHA_B}/x.json", "uri": "https://s3/x", "sent": True}
    document = lock(
        files=[DENSE, bundle],
        digests=digests,
        checked={"dense": {"missing_features": []}},
        stored={bundle.path: uploaded},
    )
    entries = {entry["path"]: entry for entry in document["files"]}
    assert "missing_features" not in entries[bundle.path]
    assert entries[bundle.path]["object"] == {
        "bucket": "b",
        "key": f"{SHA_B}/x.json",
        "uri": "https://s3/x",
    }
    assert "object" not in entries[DENSE.path]


def test_a_team_cache_file_has_no_rows_or_columns():
    target = "web/public/data/team_cache/EPL_2024.json"
    copied = {
        target: {
            "target": target,
            "source": "cache/EPL_2024.json",
            "sha256": SHA_B,
            "size_bytes": 9,
        }
    }
    document = lock(datasets=[DatasetFile("EPL_2024.json", target, None)], copied=copied)
    entry = next(entry for entry in document["files"] if entry["path"] == target)
    assert entry["kind"] == "team_cache" and "rows" not in entry and "columns" not in entry
