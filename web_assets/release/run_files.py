"""A release is the run's files, exactly: what else it publishes beside models and bundles, and
what of the previous release goes.

- External data: tensors an ONNX model keeps outside its file (`location`) are published with it
  (gathered from a separate run, hashed, locked as kind "external_data", committed). A model whose
  files are missing is refused at load, before anything is written.
- Other files gathered from a separate run (metrics.json) are locked as kind "other".
- When the run is not the export folder, the previous release's files that the run lacks are
  removed from the export folder (after the checks, by the `prune` step) and from the commit, and
  the lock file stops naming them; git keeps them in history.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, NamedTuple

from web_assets.config.settings import Settings
from web_assets.errors import PublishError
from web_assets.records.manifest import SECTIONS
from web_assets.release.app_rules import external_data
from web_assets.release.contained import refuse_outside_run
from web_assets.release.datasets import Copy
from web_assets.release.models import ExportPlan

EXTERNAL_DATA, OTHER = "external_data", "other"


class Extra(NamedTuple):
    """A published file of the export folder that is neither a model nor a bundle."""

    kind: str  # EXTERNAL_DATA or OTHER
    id: str  # the model's id for external data, the file's name for another file
    path: Path  # where it stands in the export folder


def with_extras(settings: Settings, export: ExportPlan) -> tuple[ExportPlan, list[Extra]]:
    """The plan with each model's external data gathered too, and the extras the lock lists."""
    sources = {copy.target: copy.source for copy in export.gathered}
    gathering = bool(export.gathered)
    extras: dict[Path, Extra] = {}
    copies: list[Copy] = []
    missing: list[str] = []
    for model in export.models:
        source = sources.get(model.path, model.path)
        try:
            locations = external_data(source)
        except PublishError:
            if settings.check_models:
                raise
            locations = []  # check_models=false: published as it is, unread
        for location in locations:
            refuse_outside_run(settings.run_dir, source.parent / location)
        absent = [name for name in locations if not (source.parent / name).is_file()]
        if absent:
            missing.append(f"model {model.id} ({source}) needs {', '.join(absent)}")
        for location in locations:
            target = Path(os.path.normpath(settings.export_dir / location))
            if target in extras:
                continue  # one data file shared by several models: listed once
            extras[target] = Extra(EXTERNAL_DATA, model.id, target)
            if gathering and target not in sources:
                copies.append(Copy(location, source.parent / location, target))
    if missing:
        raise PublishError(
            f"{'; '.join(missing)}: tensor data stored outside the model file, not found beside "
            "it. Copy the files the training run saved with the model into its folder, or export "
            "the model again with its weights inside (onnx.save_model without external data)."
        )
    artefacts = {artefact.path for artefact in export.models + export.bundles}
    for copy in export.gathered:
        if copy.target not in artefacts and copy.target not in extras:
            extras[copy.target] = Extra(OTHER, copy.target.name, copy.target)
    plan = export._replace(gathered=[*export.gathered, *copies])
    return plan, sorted(extras.values(), key=lambda extra: str(extra.path))


def stale_files(
    settings: Settings,
    kept: list[Path],
    manifest: dict[str, Any] | None,
    lock: dict[str, Any] | None,
) -> list[Path]:
    """The previous release's files in the export folder that this release does not publish.

    Only when the run is gathered from elsewhere: when the run is the export folder, every file in
    it is the run's. The previous release is what the lock file and the manifest name.
    """
    if settings.run_dir == settings.export_dir:
        return []
    named = [
        entry.get("path") for entry in (lock or {}).get("files") or [] if isinstance(entry, dict)
    ]
    named += [
        entry.get("path")
        for section in SECTIONS
        for entry in (manifest or {}).get(section) or []
        if isinstance(entry, dict)
    ]
    keep = {os.fspath(path) for path in kept}
    root, export_dir = os.fspath(settings.root), os.fspath(settings.export_dir)
    linked: dict[str, bool] = {}  # by folder: most named files share one
    stale = set()
    for path in named:
        if not isinstance(path, str) or not path or os.path.isabs(path):
            continue
        # String work, not pathlib: a release can name thousands of files.
        full = os.path.normpath(os.path.join(root, path))
        # Only inside the export folder, and never through a symlinked folder.
        inside = full.startswith(export_dir + os.sep)
        if inside and full not in keep and not _through_link(full, export_dir, linked):
            stale.add(full)
    return [Path(path) for path in sorted(stale)]


def _through_link(path: str, folder: str, linked: dict[str, bool]) -> bool:
    """Whether a folder between `folder` (itself included) and `path` is a symlink."""
    parent = os.path.dirname(path)
    if parent not in linked:
        inside = parent == folder or parent.startswith(folder + os.sep)
        linked[parent] = inside and (
            os.path.islink(parent) or _through_link(parent, folder, linked)
        )
    return linked[parent]


def remove_stale(root: Path, paths: list[Path]) -> dict[str, list[str]]:
    """Remove the previous release's files that the run lacks from the export folder (git keeps
    them); the names of those removed, for the summary."""
    for path in paths:
        path.unlink(missing_ok=True)
    return {"removed": [path.relative_to(root).as_posix() for path in paths]}
