"""What the manifest and lock file steps do: read, build the document (records/documents.py),
check it, write it atomically. Each takes the fields it reads and returns the values it records."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from web_assets.config.converters import format_timestamp
from web_assets.config.settings import relative_path
from web_assets.files.atomic import atomic_write_bytes
from web_assets.files.digests import cache_for
from web_assets.git.publish import holds_same_bytes
from web_assets.modelcheck.check import lock_fields
from web_assets.records.documents import (
    DatasetFile,
    Named,
    RunFacts,
    lock_document,
    manifest_document,
)
from web_assets.records.jsonio import json_bytes
from web_assets.records.lockfile import read_lock
from web_assets.records.manifest import Published, read_manifest, validate
from web_assets.steps.copy import digests_of


@dataclass(frozen=True)
class ManifestInputs:
    """What the manifest step reads: where the files are, the models and bundles, the run."""

    root: Path
    manifest: Path
    lock_file: Path
    hash_threads: int
    artefacts: tuple[Named, ...]  # models ("model") and bundles ("preprocessing")
    run: RunFacts
    source_date_epoch: str | None  # the time new content states when none is given
    metrics: dict[str, dict[str, float]] = field(default_factory=dict)  # the run's, by model


@dataclass(frozen=True)
class LockInputs:
    """What the lock file step reads: the release record and every file the lock names."""

    root: Path
    lock_file: Path
    version: int
    # The paths a plain `doit` publishes again (lockfile.RECORDED_INPUTS), as the lock shows them.
    inputs: dict[str, str | None]
    datasets: tuple[DatasetFile, ...]
    artefacts: tuple[Named, ...]  # models and bundles: the manifest step looked up their digests
    extras: tuple[Named, ...]  # external data and other gathered files
    metrics: dict[str, dict[str, float]] = field(default_factory=dict)  # the run's, by model


def write_manifest(
    inputs: ManifestInputs,
    files: dict[str, str] | None = None,
    uploads: dict[str, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The manifest from the models' and bundles' digests; new bytes pinned to the commit that
    `files` (the files commit's values) says holds them; with storage = "s3", from the uploaded
    objects' keys (`uploads`, by path). Its values carry the digests on to the lock file."""
    root, uploads = inputs.root, uploads or {}
    paths = [root / item.path for item in inputs.artefacts]
    digests = digests_of(root, paths, inputs.hash_threads)
    published = {
        kind: [
            Published(
                item.id,
                item.path,
                digests[item.path]["sha256"],
                digests[item.path]["size_bytes"],
                uploads.get(item.path, {}).get("key", ""),
            )
            for item in inputs.artefacts
            if item.kind == kind
        ]
        for kind in ("model", "preprocessing")
    }
    holder = (files or {}).get("holder", "")
    update = manifest_document(
        read_manifest(inputs.manifest),
        read_lock(inputs.lock_file),
        models=published["model"],
        bundles=published["preprocessing"],
        run=inputs.run,
        default_time=inputs.source_date_epoch or format_timestamp(datetime.now(UTC)),
        pin=holder,
        holds=holds_same_bytes(root, holder),
        metrics=inputs.metrics,
    )
    validate(update.manifest, inputs.manifest)
    data = json_bytes(update.manifest)
    return {
        "sha256": sha256_of(data),
        "manifest": relative_path(root, inputs.manifest),
        "written": write_if_changed(root, inputs.manifest, data),
        "run_id": update.manifest["run_id"],
        "trained_at": update.manifest["trained_at"],
        "dataset_version": str(inputs.run.version),
        "old_version": update.old_version,
        "changes": [list(change) for change in update.changes],
        "digests": digests,
    }


def write_lock(
    inputs: LockInputs,
    datasets: dict[str, dict[str, Any]],
    manifest: dict[str, Any],
    gather: dict[str, dict[str, Any]] | None = None,
    check: dict[str, Any] | None = None,
    uploads: dict[str, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Every published file with its digest and source, from what the other steps recorded; a
    file in the object store also with its bucket, key and URI."""
    root = inputs.root
    # The manifest's run looked up the models' and bundles' digests; the gather step put the
    # extras' in the cache: a stat each, not a read.
    cache = cache_for(root)
    digests = dict(manifest["digests"])
    for extra in inputs.extras:
        digest = cache.digest(root / extra.path)
        digests[extra.path] = {"sha256": digest.sha256, "size_bytes": digest.size}
    checked = ((check or {}).get("models") or {}).get("models") or {}
    lock = lock_document(
        version=inputs.version,
        release={
            "version": inputs.version,
            "run_id": manifest["run_id"],
            "trained_at": manifest["trained_at"],
            **inputs.inputs,
        },
        datasets=list(inputs.datasets),
        copied=datasets,
        files=[*inputs.artefacts, *inputs.extras],
        digests=digests,
        gathered=gather,
        checked={name: lock_fields(found) for name, found in checked.items()},
        stored=uploads,
        metrics=inputs.metrics,
    )
    data = json_bytes(lock)
    return {
        "lock_file": relative_path(root, inputs.lock_file),
        "written": write_if_changed(root, inputs.lock_file, data),
        "sha256": sha256_of(data),
    }


def write_if_changed(root: Path, path: Path, data: bytes) -> bool:
    """Write atomically unless the file already holds `data`; its digest goes to the cache."""
    try:
        if path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    cache_for(root).record_written(path, atomic_write_bytes(path, data))
    return True


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
