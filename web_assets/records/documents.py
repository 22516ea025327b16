"""The manifest and the lock file as documents: built from data alone, no I/O, no clock.

The steps (steps/records.py) read the files and digests, call these, check and write the result.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from web_assets.records.lockfile import build_lock, locked_file, recorded_release, same_models
from web_assets.records.manifest import ManifestUpdate, Published, update_manifest


@dataclass(frozen=True)
class RunFacts:
    """What a publish states of its run: the version, and the run id and time it was given."""

    version: int
    uri_template: str
    run_id: str | None  # given, or the run folder's `run_YYYYMMDD-HHMMSS` name
    trained_at: str | None  # given


@dataclass(frozen=True)
class Named:
    """A published file of the export folder as the lock file names it."""

    kind: str  # "model", "preprocessing", "external_data" or "other"
    id: str
    path: str  # project-relative


@dataclass(frozen=True)
class DatasetFile:
    """A copied dataset (or team cache file) as the lock file names it."""

    name: str  # "main", "financial", or the team cache file's name
    target: str  # project-relative
    columns: tuple[str, ...] | None  # a dataset's header; None for a team cache file


def manifest_document(
    current: dict[str, Any] | None,
    lock: dict[str, Any] | None,
    *,
    models: list[Published],
    bundles: list[Published],
    run: RunFacts,
    default_time: str,
    pin: str = "",
    holds: Callable[[str, str], bool] = lambda commit, path: True,
    metrics: dict[str, dict[str, float]] | None = None,
) -> ManifestUpdate:
    """The manifest `current` updated for this release; `lock` is the lock file as it stands.

    While the lock file records these model and bundle digests, its run id and training time are
    kept, whatever the version: a new dataset alone is no new training run, and the lock file, not
    a manifest a person may have edited, says which run the models are. New bytes are pinned to
    `pin`; an unchanged file keeps its commit while `holds` says so. The run's `metrics` replace
    its models' in the manifest's `metrics`; without any, the ones the last publish wrote go, and
    a manifest the tool never wrote metrics to keeps its field as it is.
    """
    run_id, trained_at = run.run_id, run.trained_at
    digests = {item.path: item.sha256 for item in models + bundles}
    if same_models(lock, digests):
        recorded = recorded_release(lock)
        if run_id in (None, recorded.get("run_id")):
            run_id = recorded.get("run_id")
            trained_at = trained_at or recorded.get("trained_at")
    update = update_manifest(
        current,
        models=models,
        bundles=bundles,
        version=run.version,
        uri_template=run.uri_template,
        run_id=run_id,
        trained_at=trained_at,
        default_time=default_time,
        pin=pin,
        recorded={entry["path"]: entry.get("sha256") for entry in (lock or {}).get("files", [])},
        holds=holds,
    )
    # The models whose metrics the last publish wrote are ours too: a run without them drops them.
    written = (lock or {}).get("metrics")
    written = set(written) if isinstance(written, dict) else set()
    if metrics or written:
        owned = {item.id for item in models} | written
        merged = with_metrics(update.manifest.get("metrics"), metrics or {}, owned)
        if merged:
            update.manifest["metrics"] = merged
        else:
            update.manifest.pop("metrics", None)
    return update


def with_metrics(
    current: Any, metrics: dict[str, dict[str, float]], model_ids: set[str]
) -> dict[str, Any]:
    """The manifest's `metrics` with this release's models' replaced; other keys (an ensemble's,
    a person's) kept, as every field the tool does not own is."""
    kept = {
        key: value
        for key, value in (current if isinstance(current, dict) else {}).items()
        if key not in model_ids
    }
    return {**kept, **metrics}


def lock_document(
    *,
    version: int,
    release: dict[str, Any],
    datasets: list[DatasetFile],
    copied: dict[str, dict[str, Any]],
    files: list[Named],
    digests: dict[str, dict[str, Any]],
    gathered: dict[str, dict[str, Any]] | None = None,
    checked: dict[str, dict[str, Any]] | None = None,
    stored: dict[str, dict[str, Any]] | None = None,
    metrics: dict[str, dict[str, float]] | None = None,
) -> dict[str, Any]:
    """The lock file: every published file with its digest and source.

    `copied` is the datasets step's values by target; `digests` each export file's `sha256` and
    `size_bytes` by path; `gathered` the gather step's values by target (a file not gathered is
    its own source); `checked` what the lock records of each model's checks, by id; `stored` each
    uploaded file's object (bucket, key, uri), by path; `metrics` the run's, by model.
    """
    gathered, checked, stored = gathered or {}, checked or {}, stored or {}
    entries = _dataset_entries(datasets, copied, stored)
    for file in files:
        digest = digests[file.path]
        source = gathered.get(file.path) or {"source": file.path, **digest}
        entries.append(
            locked_file(
                path=file.path,
                kind=file.kind,
                id=file.id,
                sha256=digest["sha256"],
                size=digest["size_bytes"],
                source=source["source"],
                source_sha256=source["sha256"],
                **(checked.get(file.id, {}) if file.kind == "model" else {}),
                **_stored(stored.get(file.path)),
            )
        )
    return build_lock(dataset_version=str(version), files=entries, release=release, metrics=metrics)


def _dataset_entries(
    datasets: list[DatasetFile],
    copied: dict[str, dict[str, Any]],
    stored: dict[str, dict[str, Any]],
) -> list[dict[str, Any]]:
    entries = []
    for dataset in datasets:
        values = copied[dataset.target]
        rows = {}
        if dataset.columns is not None:
            rows = {"rows": values["rows"], "columns": list(dataset.columns)}
        entries.append(
            locked_file(
                path=values["target"],
                kind="team_cache" if dataset.columns is None else "dataset",
                id=dataset.name,
                sha256=values["sha256"],
                size=values["size_bytes"],
                source=values["source"],
                source_sha256=values["sha256"],
                **rows,
                **_stored(stored.get(values["target"])),
            )
        )
    return entries


def _stored(uploaded: dict[str, Any] | None) -> dict[str, Any]:
    """How the lock file names an uploaded file's object."""
    if uploaded is None:
        return {}
    return {"object": {key: uploaded[key] for key in ("bucket", "key", "uri")}}
