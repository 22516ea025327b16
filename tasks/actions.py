"""What each doit step does to the files: the I/O edge. Each returns the values doit records."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from doit.exceptions import TaskFailed

from tasks import checks, git, lock
from tasks.config import Settings, format_timestamp
from tasks.datasets import Copy
from tasks.digests import cache_for
from tasks.files import LineCount, atomic_write_bytes, copy_file, json_bytes, partial_path
from tasks.lockfile import build_lock, locked_file
from tasks.manifest import (
    Published,
    read_manifest,
    run_id_from_path,
    update_manifest,
    validate,
)
from tasks.release import Release
from tasks.verify import verify
from web_assets.errors import PublishError

COMMIT_MESSAGE = "chore: update web assets for version {version}"


def run_step(
    release: Release, step, *args: Any, dependencies: list[str], **values: Any
) -> dict[str, Any] | TaskFailed:
    """Run one step under the project lock; a PublishError becomes a clean task failure.

    The first step to take the lock first clears what an interrupted run left half-written.
    Then the step's inputs are hashed, in parallel, for doit's record of them: doit would
    otherwise hash each new input one after the other, in its main thread.
    """
    settings = release.settings
    try:
        lock.acquire(settings.root, first=lambda: _remove_partials(release))
        result = step(*args, **values)
        cache_for(settings.root).digest_all(dependencies, settings.hash_threads)
        return result
    except PublishError as err:
        return TaskFailed(str(err))


def _remove_partials(release: Release) -> None:
    for path in release.published_files():
        partial_path(path).unlink(missing_ok=True)


def publish_copy(root: Path, copy: Copy, count_rows: bool = False) -> dict[str, Any]:
    """Copy in one read, hashing only if the cache does not know the source yet; both files'
    digests go to the cache, so neither is read again. CSVs get their rows counted on the way."""
    cache = cache_for(root)
    target = copy.target.relative_to(root).as_posix()
    lines = LineCount() if count_rows else None
    before, started = os.stat(copy.source), time.time_ns()
    known = cache.known(copy.source, before)
    digest = copy_file(copy.source, copy.target, label=target, lines=lines, known=known)
    cache.record_read(copy.source, digest, before, started)
    cache.record_written(copy.target, digest)
    values = {
        "target": target,
        "source": copy.source.relative_to(root).as_posix(),
        "sha256": digest.sha256,
        "size_bytes": digest.size,
    }
    if lines is not None:
        values["rows"] = max(lines.lines - 1, 0)  # the header is not a row
    return values


def record_digest(root: Path, path: Path) -> dict[str, Any]:
    digest = cache_for(root).digest(path)
    return {"sha256": digest.sha256, "size_bytes": digest.size}


def check_models(release: Release) -> None:
    """Check what will be published: the run's files, before they are gathered."""
    sources = release.sources
    bundles = {bundle.id: sources[bundle.path] for bundle in release.export.bundles}
    checks.check_models(
        [(model.id, sources[model.path], bundles.get(model.id)) for model in release.export.models]
    )


def check_datasets(release: Release) -> None:
    settings = release.settings
    checks.check_financial_keys(
        settings.dataset,
        settings.main_columns,
        settings.financial_dataset,
        settings.financial_columns,
    )


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
    written = write_if_changed(settings.root, settings.manifest, json_bytes(update.manifest))
    return {
        "manifest": settings.relative(settings.manifest),
        "written": written,
        "run_id": update.manifest["run_id"],
        "dataset_version": str(settings.version),
        "old_version": update.old_version,
        "changes": [list(change) for change in update.changes],
    }


def write_lock(
    release: Release,
    datasets: dict[str, dict[str, Any]],
    gather: dict[str, dict[str, Any]],
    digests: dict[str, dict[str, Any]],
) -> dict[str, Any]:
    """Every published file with its digest and source, from what the other steps recorded."""
    settings = release.settings
    files = []
    for copy in release.datasets:
        copied = datasets[copy.name]
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
            )
        )
    for kind, artefacts in (
        ("model", release.export.models),
        ("preprocessing", release.export.bundles),
    ):
        for artefact in artefacts:
            digest = digests[artefact.path.name]
            gathered = gather.get(artefact.path.name)
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
                )
            )
    lock = build_lock(dataset_version=str(settings.version), files=files)
    written = write_if_changed(settings.root, settings.lock_file, json_bytes(lock))
    return {"lock_file": settings.relative(settings.lock_file), "written": written}


def write_if_changed(root: Path, path: Path, data: bytes) -> bool:
    """Write atomically unless the file already holds `data`; its digest goes to the cache."""
    try:
        if path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    cache_for(root).record_written(path, atomic_write_bytes(path, data))
    return True


def run_verify(settings: Settings) -> TaskFailed | None:
    """Print one line per problem and a summary; fail when there is any problem."""
    problems, files = verify(settings)
    for problem in problems:
        print(f"verify: {problem.line()}")
    if problems:
        return TaskFailed(
            f"verify: {len(problems)} problem(s) in {files} files; see the lines above."
        )
    print(f"verify: {files} files match the manifest and the lock file.")
    return None


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
