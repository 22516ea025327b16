"""What each step of a publish does to the files: the I/O edge. Each returns the values it records."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

from web_assets.config.converters import format_timestamp
from web_assets.files.atomic import atomic_write_bytes
from web_assets.files.digests import cache_for
from web_assets.git.publish import (
    FilesCommit,
    commit_files,
    commit_release,
    holds_same_bytes,
)
from web_assets.modelcheck.check import lock_fields, run_checks
from web_assets.records.jsonio import json_bytes
from web_assets.records.lockfile import (
    build_lock,
    locked_file,
    read_lock,
    recorded_release,
    same_content,
)
from web_assets.records.manifest import (
    Published,
    read_manifest,
    update_manifest,
    validate,
)
from web_assets.records.uris import pins
from web_assets.release import checks
from web_assets.release.load import Release
from web_assets.release.run_files import locked_extras, remove_stale
from web_assets.steps.copy import digests_of


def check_models(release: Release) -> dict[str, Any]:
    """Check what will be published: the run's files, before they are gathered. Returns, per
    model, its missing features and prediction shift (see modelcheck/check.py)."""
    sources = release.sources
    bundles = {bundle.id: sources[bundle.path] for bundle in release.export.bundles}
    checks.check_models(
        [(model.id, sources[model.path], bundles.get(model.id)) for model in release.export.models]
    )
    return run_checks(release)


def check_datasets(release: Release) -> None:
    settings = release.settings
    checks.check_financial_keys(
        settings.dataset,
        settings.main_columns,
        settings.financial_dataset,
        settings.financial_columns,
    )


def write_manifest(
    release: Release, uploads: dict[str, dict[str, Any]] | None = None
) -> dict[str, Any]:
    """The manifest from the models' and bundles' digests; with storage = "s3", from the uploaded
    objects' keys (`uploads`, by path: every upload is done before this runs). Its values carry
    the digests on to the lock file."""
    settings = release.settings
    uploads = uploads or {}
    artefacts = release.export.models + release.export.bundles
    digests = digests_of(settings.root, [item.path for item in artefacts], settings.hash_threads)

    def published(artefacts) -> list[Published]:
        return [
            Published(
                artefact.id,
                settings.relative(artefact.path),
                digests[settings.relative(artefact.path)]["sha256"],
                digests[settings.relative(artefact.path)]["size_bytes"],
                uploads.get(settings.relative(artefact.path), {}).get("key", ""),
            )
            for artefact in artefacts
        ]

    # Pinned URIs name the commit that holds the new bytes: it is made first (the branch moves
    # only once the manifest commit is made on top of it, in the commit step).
    files_commit = commit_files(release) if pins(settings.uri_template) else FilesCommit("", "", "")
    old = read_manifest(settings.manifest)
    models, bundles = published(release.export.models), published(release.export.bundles)
    run_id, trained_at = release.run_id, settings.trained_at
    # The lock file, not the manifest a person may have edited, says which run this content is.
    lock = read_lock(settings.lock_file)
    if same_content(lock, settings.version, {item.path: item.sha256 for item in models + bundles}):
        recorded = recorded_release(lock)
        if run_id in (None, recorded.get("run_id")):
            run_id = recorded.get("run_id")
            trained_at = trained_at or recorded.get("trained_at")
    update = update_manifest(
        old,
        models=models,
        bundles=bundles,
        version=settings.version,
        uri_template=settings.uri_template,
        run_id=run_id,
        trained_at=trained_at,
        default_time=settings.source_date_epoch or format_timestamp(datetime.now(UTC)),
        pin=files_commit.holder,
        recorded={entry["path"]: entry.get("sha256") for entry in (lock or {}).get("files", [])},
        holds=partial(holds_same_bytes, settings.root, files_commit.holder),
    )
    validate(update.manifest, settings.manifest)
    data = json_bytes(update.manifest)
    written = write_if_changed(settings.root, settings.manifest, data)
    return {
        "files_commit": files_commit._asdict(),
        "sha256": sha256_of(data),
        "manifest": settings.relative(settings.manifest),
        "written": written,
        "run_id": update.manifest["run_id"],
        "trained_at": update.manifest["trained_at"],
        "dataset_version": str(settings.version),
        "old_version": update.old_version,
        "changes": [list(change) for change in update.changes],
        "digests": digests,
    }


def write_lock(
    release: Release,
    datasets: dict[str, dict[str, Any]],
    manifest: dict[str, Any],
    gather: dict[str, dict[str, Any]] | None = None,
    check: dict[str, Any] | None = None,
    uploads: dict[str, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Every published file with its digest and source, from what the other steps recorded; a
    file in the object store also with its bucket, key and URI."""
    settings = release.settings
    gather = gather or {}
    digests = manifest["digests"]  # the manifest's run looked them up
    # The lock file stops naming them: they leave the export folder first (git keeps them).
    removed = [remove_stale(settings.root, path) for path in release.removed]
    stored = {path: stored_object(values) for path, values in (uploads or {}).items()}
    checked = ((check or {}).get("models") or {}).get("models") or {}
    files = []
    for copy in release.datasets:
        copied = datasets[settings.relative(copy.target)]
        is_dataset = copy.name in release.columns
        rows = {"rows": copied["rows"], "columns": release.columns[copy.name]} if is_dataset else {}
        files.append(
            locked_file(
                path=copied["target"],
                kind="dataset" if is_dataset else "team_cache",
                id=copy.name,
                sha256=copied["sha256"],
                size=copied["size_bytes"],
                source=copied["source"],
                source_sha256=copied["sha256"],
                **rows,
                **stored.get(copied["target"], {}),
            )
        )
    for kind, artefacts in (
        ("model", release.export.models),
        ("preprocessing", release.export.bundles),
    ):
        for artefact in artefacts:
            digest = digests[settings.relative(artefact.path)]
            gathered = gather.get(settings.relative(artefact.path))
            source = gathered or {"source": settings.relative(artefact.path), **digest}
            files.append(
                locked_file(
                    path=settings.relative(artefact.path),
                    kind=kind,
                    id=artefact.id,
                    sha256=digest["sha256"],
                    size=digest["size_bytes"],
                    source=source["source"],
                    source_sha256=source["sha256"],
                    **(lock_fields(checked.get(artefact.id)) if kind == "model" else {}),
                    **stored.get(settings.relative(artefact.path), {}),
                )
            )
    files += locked_extras(release, gather)
    record = {
        "version": settings.version,
        "run_id": manifest["run_id"],
        "trained_at": manifest["trained_at"],
        "run_dir": settings.shown(settings.run_dir),
        "dataset": settings.shown(settings.dataset),
        "financial_dataset": settings.shown(settings.financial_dataset),
        "team_cache": settings.shown(settings.team_cache) if settings.team_cache else None,
    }
    lock = build_lock(dataset_version=str(settings.version), files=files, release=record)
    data = json_bytes(lock)
    written = write_if_changed(settings.root, settings.lock_file, data)
    return {
        "lock_file": settings.relative(settings.lock_file),
        "written": written,
        "removed": removed,
        "sha256": sha256_of(data),
    }


def stored_object(uploaded: dict[str, Any]) -> dict[str, Any]:
    """How the lock file names an uploaded file's object."""
    return {
        "object": {key: uploaded[key] for key in ("bucket", "key", "uri")},
    }


def commit_step(release: Release, manifest: dict[str, Any] | None = None) -> dict[str, Any]:
    """The commit, with the size warnings found at load time for the summary."""
    return {**commit_release(release, manifest), "warnings": list(release.size_warnings)}


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
