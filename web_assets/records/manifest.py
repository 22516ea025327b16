"""The web app's manifest (`dev.json`): read it, update the fields we own (schema.py checks it)."""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any, NamedTuple

from web_assets.config.converters import TIMESTAMP_FORMAT
from web_assets.errors import PublishError
from web_assets.records.jsonio import is_records, read_json
from web_assets.records.schema import schema, schema_problems, validate  # noqa: F401 (re-exported)
from web_assets.records.uris import pinned_commit, render

SECTIONS = ("models", "preprocessing")
RUN_ID_PATTERN = re.compile(r"^run_(\d{8})-(\d{6})$")


class Published(NamedTuple):
    """A model or preprocessing bundle as the manifest will name it."""

    id: str
    path: str
    sha256: str
    size: int
    key: str = ""  # its object's key in the store (storage = "s3"): `{key}` in uri_template


class Change(NamedTuple):
    """One entry added (no old digest), changed, or removed (no new digest)."""

    section: str
    id: str
    old_sha256: str | None
    new_sha256: str | None
    old_size: int | None
    new_size: int | None


class Pins(NamedTuple):
    """How URIs are pinned: `new` bytes to that commit; an unchanged file (same digest in the old
    entry or the lock file `recorded`) keeps its commit while `holds(commit, path)`."""

    new: str
    recorded: dict[str, str]
    holds: Callable[[str, str], bool]


class ManifestUpdate(NamedTuple):
    manifest: dict[str, Any]
    changes: list[Change]
    old_version: str | None


def read_manifest(path: Path) -> dict[str, Any] | None:
    """The manifest as it is on disk, or None when there is none yet."""
    remedy = "fix it (see `git diff` on it), or move it away to have a new one written."
    manifest = read_json(path, "Manifest", remedy)
    if manifest is None:
        return None
    if not isinstance(manifest, dict):
        raise PublishError(
            f"Manifest {path} holds a JSON {type(manifest).__name__}, not an object: fix it, or move "
            "it away to have a new one written."
        )
    for section in SECTIONS:
        if not is_records(manifest.get(section, []), "id"):
            raise PublishError(
                f"Manifest {path}: `{section}` must be a list of objects that each have a string "
                "`id`: fix the file."
            )
        seen: dict[str, int] = {}
        for index, entry in enumerate(manifest.get(section, [])):
            if entry["id"] in seen:
                raise PublishError(
                    f"Manifest {path}: {section}[{seen[entry['id']]}] and {section}[{index}] both "
                    f"have id {entry['id']!r}: the web app would use only one. Remove or rename one."
                )
            seen[entry["id"]] = index
    return manifest


def run_id_from_path(relative_run_dir: str) -> str | None:
    """The training notebooks name runs `run_YYYYMMDD-HHMMSS`: the innermost such folder."""
    for part in reversed(PurePosixPath(relative_run_dir).parts):
        if RUN_ID_PATTERN.match(part):
            return part
    return None


def run_id_time(run_id: str) -> str | None:
    """`run_20251117-032023` -> `2025-11-17T03:20:23Z` (the notebooks stamp run ids in UTC)."""
    match = RUN_ID_PATTERN.match(run_id)
    if not match:
        return None
    try:
        moment = datetime.strptime("".join(match.groups()), "%Y%m%d%H%M%S")
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC).strftime(TIMESTAMP_FORMAT)


def _run_id_at(timestamp: str) -> str:
    """A run id in the notebooks' convention for a manifest that has none."""
    try:
        return datetime.strptime(timestamp, TIMESTAMP_FORMAT).strftime("run_%Y%m%d-%H%M%S")
    except ValueError:
        return "run_" + re.sub(r"[^a-zA-Z0-9._-]", "", timestamp)


def run_identity(
    *,
    run_id: str | None,
    trained_at: str | None,
    old_run_id: str | None,
    old_trained_at: str | None,
    content_changed: bool,
    default_time: str,
) -> tuple[str, str]:
    """The run id and training time a publish states: the one place both are decided.

    Given values win. A run id that carries a timestamp (`run_YYYYMMDD-HHMMSS`) is its training
    time. While no model or bundle changed, the manifest's pair is kept (a new dataset version
    alone is no new run); new models or bundles with neither given get `default_time` and a run
    id made from it, so the two always describe the same run.
    """
    if trained_at is None and run_id is not None:
        trained_at = run_id_time(run_id)
    if not content_changed:
        if trained_at is None and run_id in (None, old_run_id):
            trained_at = old_trained_at
        if run_id is None and trained_at is not None and trained_at == old_trained_at:
            run_id = old_run_id
    trained_at = trained_at or default_time
    return run_id or _run_id_at(trained_at), trained_at


def update_manifest(
    old: dict[str, Any] | None,
    *,
    models: list[Published],
    bundles: list[Published],
    version: int,
    uri_template: str,
    run_id: str | None,
    pin: str = "",
    recorded: dict[str, str] | None = None,
    holds: Callable[[str, str], bool] = lambda commit, path: True,
    trained_at: str | None,
    default_time: str,
) -> ManifestUpdate:
    """The manifest with our fields set, every other field kept; `run_identity` decides the run."""
    manifest = dict(old) if old is not None else {}
    changes: list[Change] = []
    for section, published in (("models", models), ("preprocessing", bundles)):
        entries, section_changes = _update_section(
            section,
            manifest.get(section, []),
            published,
            uri_template,
            version,
            Pins(pin, recorded or {}, holds),
        )
        manifest[section] = entries
        changes += section_changes
    manifest.setdefault("attribution", [])

    old_version = manifest.get("dataset_version")
    manifest["dataset_version"] = _same_json_type(old_version, version)
    # The run is the models': a new dataset version alone keeps the run id and training time.
    content_changed = old is None or bool(changes)

    manifest["run_id"], manifest["trained_at"] = run_identity(
        run_id=run_id,
        trained_at=trained_at,
        old_run_id=manifest.get("run_id"),
        old_trained_at=manifest.get("trained_at"),
        content_changed=content_changed,
        default_time=default_time,
    )
    return ManifestUpdate(
        _ordered(manifest, fresh=old is None),
        changes,
        None if old_version is None else str(old_version),
    )


def _same_json_type(old_version: Any, version: int) -> int | str:
    """The version as the manifest already types it (the real one stores a string)."""
    is_number = isinstance(old_version, int | float) and not isinstance(old_version, bool)
    return version if is_number else str(version)


def _update_section(
    section: str,
    old_entries: list[dict[str, Any]],
    published: list[Published],
    uri_template: str,
    version: int,
    pins: Pins,
) -> tuple[list[dict[str, Any]], list[Change]]:
    by_id = {item.id: item for item in published}
    entries: list[dict[str, Any]] = []
    changes: list[Change] = []
    for old_entry in old_entries:
        item = by_id.pop(old_entry["id"], None)
        old_sha, old_size = old_entry.get("sha256"), old_entry.get("size_bytes")
        if item is None:
            changes.append(Change(section, old_entry["id"], old_sha, None, old_size, None))
            continue
        entry = dict(old_entry)
        # The lock file also vouches for the bytes: a hand-edited digest does not move the pin.
        unchanged = (old_sha, old_size) == (item.sha256, item.size) or pins.recorded.get(
            item.path
        ) == item.sha256
        # An unchanged file keeps the commit its URI is pinned to; new bytes go to `pin`.
        kept = unchanged and pinned_commit(
            uri_template,
            old_entry.get("uri"),
            filename=PurePosixPath(item.path).name,
            version=version,
            id=item.id,
        )
        if kept and not pins.holds(kept, item.path):
            kept = None  # that commit is not in this repository, or holds other bytes
        entry.update(_owned_fields(item, uri_template, version, kept or pins.new))
        entries.append(entry)
        if (old_sha, old_size) != (item.sha256, item.size):
            changes.append(Change(section, item.id, old_sha, item.sha256, old_size, item.size))
    for item in by_id.values():
        entry: dict[str, Any] = {"id": item.id}
        if section == "models":
            entry["format"] = "onnx"
        entry.update(_owned_fields(item, uri_template, version, pins.new))
        entries.append(entry)
        changes.append(Change(section, item.id, None, item.sha256, None, item.size))
    return entries, changes


def sri(sha256: str) -> str:
    """The W3C Subresource Integrity string for a SHA-256 hex digest: `fetch(uri, {integrity})`."""
    return "sha256-" + base64.b64encode(bytes.fromhex(sha256)).decode("ascii")


def _owned_fields(item: Published, uri_template: str, version: int, commit: str) -> dict[str, Any]:
    names = {"filename": PurePosixPath(item.path).name, "version": version, "id": item.id}
    return {
        "uri": render(uri_template, **names, commit=commit, key=item.key),
        "path": item.path,
        "local_path": item.path,
        "sha256": item.sha256,
        "integrity": sri(item.sha256),
        "size_bytes": item.size,
    }


def _ordered(manifest: dict[str, Any], *, fresh: bool) -> dict[str, Any]:
    if not fresh:
        return manifest
    first = ("run_id", "dataset_version", "trained_at", "models", "preprocessing", "attribution")
    return {key: manifest[key] for key in first} | manifest
