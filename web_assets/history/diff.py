"""What differs between two releases: a one-line summary, and the full diff of files and fields."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from web_assets.git.objects import objects, read_all
from web_assets.history.log import ARTEFACT_KINDS, DATASET_KINDS, FileRef, PastRelease
from web_assets.history.recorded_lines import shift_lines, with_metric_lines
from web_assets.records.jsonio import parse_json

SECTIONS = ("models", "preprocessing", "attribution")
DIGEST_FIELDS = {"sha256", "size_bytes", "integrity"}


@dataclass(frozen=True)
class Changes:
    """What a release changed from the one before: model ids, dataset ids, other paths."""

    first: bool
    models_added: tuple[str, ...] = ()
    models_removed: tuple[str, ...] = ()
    models_changed: tuple[str, ...] = ()
    datasets_added: tuple[str, ...] = ()
    datasets_removed: tuple[str, ...] = ()
    datasets_changed: tuple[str, ...] = ()
    others_changed: tuple[str, ...] = ()

    def summary(self) -> str:
        parts = [
            f"{label}: {', '.join(names)}"
            for label, names in (
                ("models added", self.models_added),
                ("models removed", self.models_removed),
                ("models changed", self.models_changed),
                ("datasets added", self.datasets_added),
                ("datasets removed", self.datasets_removed),
                ("datasets changed", self.datasets_changed),
                ("other files changed", self.others_changed),
            )
            if names
        ]
        if self.first:
            return "first release" + (f": {'; '.join(parts)}" if parts else "")
        return "; ".join(parts) or "no published file changed"


def changes(older: PastRelease | None, newer: PastRelease) -> Changes:
    """Models (a model with its bundle), datasets and other files that differ, by id or path.

    Datasets are compared only when both releases have a lock file: a manifest names no dataset.
    """
    before = older.files if older else {}
    models_old, models_new = _groups(before, ARTEFACT_KINDS), _groups(newer.files, ARTEFACT_KINDS)
    compare_data = older is None or (older.has_lock and newer.has_lock)
    data_old = _groups(before, DATASET_KINDS) if compare_data else {}
    data_new = _groups(newer.files, DATASET_KINDS) if compare_data else {}
    others_old = _others(before) if compare_data else {}
    others_new = _others(newer.files) if compare_data else {}
    return Changes(
        older is None,
        *_compare(models_old, models_new),
        *_compare(data_old, data_new),
        tuple(
            p
            for p in sorted(others_old.keys() | others_new.keys())
            if others_old.get(p) != others_new.get(p)
        ),
    )


def release_line(release: PastRelease, changes: Changes | str) -> str:
    """One line: version, run id, trained_at, short commit, commit date, what changed."""
    said = changes if isinstance(changes, str) else changes.summary()
    run = (release.run_id or "-", release.trained_at or "-")
    line = "  ".join([release.version, *run, release.commit[:8], release.date[:10], said])
    return line if release.has_lock else f"{line}  (by hand, no lock file)"


def diff_lines(root: Path, older: PastRelease, newer: PastRelease) -> list[str]:
    """Readable lines from `older` to `newer`; bundles are read from git objects in one process."""
    lines = [f"from {_name(older)} to {_name(newer)}"]
    kept = _still_published(root, newer.commit, older.files, newer.files)
    models = {
        ref.id
        for path, ref in newer.files.items()
        if ref.kind == "model" and older.files.get(path) != ref
    }
    body = [
        *_file_lines(older.files, newer.files, kept),
        *_feature_lines(root, older, newer),
        *with_metric_lines(_manifest_lines(older.manifest, newer.manifest), older, newer),
        *shift_lines(newer.lock, models),
    ]
    return lines + (body or ["no difference"])


def short_size(size: int) -> str:
    if size < 0:
        return "size unknown"
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KiB"
    return f"{size / (1024 * 1024):.1f} MiB"


def _name(release: PastRelease) -> str:
    return f"{release.version} ({release.commit[:8]}, {release.run_id or 'no run id'})"


def _describe(ref: FileRef) -> str:
    return f"{ref.sha256[:8] or '?'} {short_size(ref.size)}"


def _file_lines(old: dict[str, FileRef], new: dict[str, FileRef], kept: set[str]) -> list[str]:
    lines = []
    for path in sorted(old.keys() | new.keys()):
        before, after = old.get(path), new.get(path)
        if before is None:
            lines.append(f"added    {path}  {_describe(after)}")
        elif after is None and path in kept:
            lines.append(
                f"kept     {path}  {_describe(before)}  (an older version, still published)"
            )
        elif after is None:
            lines.append(f"removed  {path}  {_describe(before)}")
        elif (before.sha256, before.size) != (after.sha256, after.size):
            lines.append(f"changed  {path}  {_describe(before)} -> {_describe(after)}")
    return lines


def _still_published(
    root: Path, commit: str, old: dict[str, FileRef], new: dict[str, FileRef]
) -> set[str]:
    """Datasets the newer lock no longer names that its commit still holds with the same bytes.

    An older version's dataset stays in the data folder beside the new one, where the web app can
    still load it: it is not removed.
    """
    gone = [p for p, ref in old.items() if p not in new and ref.kind in DATASET_KINDS]
    held: set[str] = set()
    names = [f"{commit}:./{path}" for path in gone]
    for name, size, chunks in objects(root, names) if names else ():
        digest, path = hashlib.sha256(), name.split(":./", 1)[1]
        for chunk in chunks:  # none when the commit has no such file
            digest.update(chunk)
        if (digest.hexdigest(), size) == (old[path].sha256, old[path].size):
            held.add(path)
    return held


def _bundles(release: PastRelease) -> dict[str, str]:
    """Each model id and its preprocessing bundle's path, from the manifest."""
    models = {entry.get("id") for entry in _entries(release.manifest, "models")}
    return {
        entry["id"]: entry["path"]
        for entry in _entries(release.manifest, "preprocessing")
        if entry.get("id") in models and isinstance(entry.get("path"), str)
    }


def _feature_lines(root: Path, older: PastRelease, newer: PastRelease) -> list[str]:
    old, new = _bundles(older), _bundles(newer)
    pairs = {}
    for model in sorted(old.keys() & new.keys()):
        before, after = older.files.get(old[model]), newer.files.get(new[model])
        if old[model] != new[model] or before is None or after is None or before != after:
            pairs[model] = (f"{older.commit}:./{old[model]}", f"{newer.commit}:./{new[model]}")
    if not pairs:
        return []
    contents = read_all(root, [name for pair in pairs.values() for name in pair])
    lines = []
    for model, (before, after) in pairs.items():
        names_before, names_after = _features(contents[before]), _features(contents[after])
        if names_before is None or names_after is None:
            unread = before if names_before is None else after
            lines.append(f"{model} feature_names: no readable bundle at {unread[:8]}{unread[40:]}")
            continue
        added = [name for name in names_after if name not in set(names_before)]
        removed = [name for name in names_before if name not in set(names_after)]
        said = [
            f"{label} {', '.join(names)}"
            for label, names in (("added", added), ("removed", removed))
            if names
        ]
        if said:
            lines.append(f"{model} feature_names: {'; '.join(said)}")
        elif names_before != names_after:
            lines.append(f"{model} feature_names: same names, new order")
    return lines


def _features(data: bytes | None) -> list[str] | None:
    try:
        names = (
            parse_json(data, "a committed bundle")["feature_names"] if data is not None else None
        )
    except (ValueError, TypeError, KeyError):
        return None
    return [str(name) for name in names] if isinstance(names, list) else None


def _manifest_lines(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    lines = []
    for key in sorted((old.keys() | new.keys()) - set(SECTIONS)):
        before, after = old.get(key), new.get(key)
        if before == after:
            continue
        if _scalar(before) and _scalar(after):
            lines.append(f"manifest {key}: {_show(key, old)} -> {_show(key, new)}")
        else:
            lines.append(f"manifest {key} changed")
    for section in SECTIONS:
        before = {entry.get("id"): entry for entry in _entries(old, section)}
        after = {entry.get("id"): entry for entry in _entries(new, section)}
        for entry_id in sorted(before.keys() - after.keys(), key=str):
            lines.append(f"manifest {section}: {entry_id} removed")
        for entry_id in sorted(after.keys() - before.keys(), key=str):
            lines.append(f"manifest {section}: {entry_id} added")
        for entry_id in sorted(before.keys() & after.keys(), key=str):
            a, b = before[entry_id], after[entry_id]
            for field in sorted((a.keys() | b.keys()) - DIGEST_FIELDS):
                if a.get(field) != b.get(field):
                    lines.append(
                        f"manifest {section}[{entry_id}].{field}: {_show(field, a)} -> {_show(field, b)}"
                    )
    return lines


def _entries(manifest: dict[str, Any], section: str) -> list[dict[str, Any]]:
    entries = manifest.get(section)
    return (
        [entry for entry in entries if isinstance(entry, dict)] if isinstance(entries, list) else []
    )


def _scalar(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


def _show(key: str, mapping: dict[str, Any]) -> str:
    return json.dumps(mapping[key], ensure_ascii=False) if key in mapping else "(absent)"


def _groups(files: dict[str, FileRef], kinds: tuple[str, ...]) -> dict[str, set]:
    groups: dict[str, set] = {}
    for path, ref in files.items():
        if ref.kind in kinds:
            groups.setdefault(ref.id or path, set()).add((path, ref.sha256))
    return groups


def _others(files: dict[str, FileRef]) -> dict[str, str]:
    known = ARTEFACT_KINDS + DATASET_KINDS
    return {path: ref.sha256 for path, ref in files.items() if ref.kind not in known}


def _compare(old: dict, new: dict) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    added = tuple(sorted(new.keys() - old.keys()))
    removed = tuple(sorted(old.keys() - new.keys()))
    changed = tuple(sorted(key for key in old.keys() & new.keys() if old[key] != new[key]))
    return added, removed, changed
