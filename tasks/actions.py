"""What each doit step does to the files: the I/O edge. Each returns the values doit records."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from doit.exceptions import TaskFailed

from tasks import git, lock
from tasks.config import format_timestamp
from tasks.datasets import Copy
from tasks.digests import cache_for
from tasks.errors import PublishError
from tasks.files import atomic_write_bytes, copy_file, remove_partials
from tasks.manifest import (
    Published,
    read_manifest,
    render,
    run_id_from_path,
    update_manifest,
    validate,
)
from tasks.release import Release

COMMIT_MESSAGE = "chore: update web assets for version {version}"


def run_step(release: Release, step, *args: Any, **values: Any) -> dict[str, Any] | TaskFailed:
    """Run one step under the project lock; a PublishError becomes a clean task failure.

    The first step to take the lock first clears what an interrupted run left half-written.
    """
    try:
        if lock.acquire(release.settings.root):
            for folder in release.output_folders():
                remove_partials(folder)
        return step(*args, **values)
    except PublishError as err:
        return TaskFailed(str(err))


def publish_copy(root: Path, copy: Copy) -> dict[str, Any]:
    """Copy and hash in one read; both files' digests go to the cache, so neither is read again."""
    cache = cache_for(root)
    target = copy.target.relative_to(root).as_posix()
    before, started = os.stat(copy.source), time.time_ns()
    digest = copy_file(copy.source, copy.target, label=target)
    cache.record_read(copy.source, digest, before, started)
    cache.record_written(copy.target, digest)
    return {"target": target, "sha256": digest.sha256, "size_bytes": digest.size}


def record_digest(root: Path, path: Path) -> dict[str, Any]:
    digest = cache_for(root).digest(path)
    return {"sha256": digest.sha256, "size_bytes": digest.size}


def write_manifest(release: Release, digests: dict[str, dict[str, Any]]) -> dict[str, Any]:
    settings = release.settings

    def published(artefacts) -> list[Published]:
        return [
            Published(
                artefact.id,
                settings.relative(artefact.path),
                digests[artefact.path.name]["sha256"],
                digests[artefact.path.name]["size_bytes"],
            )
            for artefact in artefacts
        ]

    old = read_manifest(settings.manifest)
    update = update_manifest(
        old,
        models=published(release.export.models),
        bundles=published(release.export.bundles),
        version=settings.version,
        uri_template=settings.uri_template,
        run_id=settings.run_id or run_id_from_path(settings.relative(settings.run_dir)),
        trained_at=settings.trained_at,
        default_time=settings.source_date_epoch or format_timestamp(datetime.now(UTC)),
    )
    validate(update.manifest, settings.manifest)
    data = render(update.manifest)
    written = old is None or settings.manifest.read_bytes() != data
    if written:
        cache_for(settings.root).record_written(
            settings.manifest, atomic_write_bytes(settings.manifest, data)
        )
    return {
        "manifest": settings.relative(settings.manifest),
        "written": written,
        "run_id": update.manifest["run_id"],
        "dataset_version": str(settings.version),
        "old_version": update.old_version,
        "changes": [list(change) for change in update.changes],
    }


def commit_release(release: Release) -> dict[str, Any]:
    settings = release.settings
    root = settings.root
    sha, reason, pushed = "", "", ""
    if not settings.commit:
        reason = "commit=false"
    elif not git.is_work_tree(root):
        reason = f"{root} is not a git work tree"
    else:
        paths = [settings.relative(path) for path in release.published_files()]
        models = {settings.relative(artefact.path) for artefact in release.export.models}
        message = COMMIT_MESSAGE.format(version=settings.version)
        sha = git.commit_paths(root, paths, message, incompressible=models)
        reason = "" if sha else "the published files were already committed"
        if settings.push:
            branch = settings.branch or git.current_branch(root)
            git.push(root, settings.remote, branch)
            pushed = f"{settings.remote} {branch}"
    return {"commit": sha, "reason": reason, "pushed": pushed}
