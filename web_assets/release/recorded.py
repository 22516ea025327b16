"""The release the lock file records, checked against the disk: are its inputs and outputs still there?

A plain `doit` publishes the recorded inputs again: `resolve_run` reads them here and hands them to
the settings as data. When they are gone (a run folder deleted after its publish, or a rollback to
a release whose run is long gone), there is nothing to publish: the published files are kept, as
long as they still hold what the lock file records.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple

from web_assets.config.converters import input_path
from web_assets.config.settings import INPUTS, Settings, lock_file_setting, resolve_settings
from web_assets.config.spelling import Entry
from web_assets.errors import PublishError
from web_assets.files.digests import cache_for
from web_assets.records.lockfile import RECORDED_INPUTS, read_lock, recorded_inputs


class RunSettings(NamedTuple):
    """One run's settings, resolved once from what its entry point gave.

    A problem is kept, not raised: `doit list` and `doit verify` work with any inputs, and the
    check step reports it before anything is written.
    """

    given: dict[str, Any]
    settings: Settings | None
    # The inputs of the release the lock file records (empty when it records none).
    recorded: dict[str, Any]
    problem: str | None = None


def resolve_run(
    root: Path,
    given: Mapping[str, Any],
    *,
    source: Entry = Entry.DOIT,
    environ: Mapping[str, str] | None = None,
) -> RunSettings:
    """The settings `given` by an entry point (named in its words by `source`), with the record."""
    given = dict(given)
    recorded: dict[str, Any] = {}
    try:
        lock_file = lock_file_setting(root, given, source=source)
        recorded = recorded_inputs(read_lock(lock_file)) if lock_file else {}
        settings = resolve_settings(root, given, recorded=recorded, source=source, environ=environ)
    except PublishError as err:
        return RunSettings(given, None, recorded, str(err))
    return RunSettings(given, settings, recorded)


def gone_inputs(
    settings: Settings, given: Mapping[str, Any], recorded: Mapping[str, Any]
) -> list[str]:
    """`name=path` of each `recorded` input that no longer exists, when no input was given.

    Given inputs (any of them, or a version) mean a new publish: those are checked as usual.
    """
    if set(given) & set(RECORDED_INPUTS):
        return []
    return [
        f"{name}={recorded[name]}"
        for name in INPUTS
        if name in recorded and not input_path(settings.root, name, recorded[name]).exists()
    ]


def damaged_outputs(settings: Settings) -> list[str]:
    """The published files that do not hold the bytes the lock file records (missing included)."""
    lock = read_lock(settings.lock_file) or {"files": []}
    cache = cache_for(settings.root)
    damaged = []
    for entry in lock["files"]:
        try:
            digest = cache.digest(settings.root / entry["path"])
            if (digest.sha256, digest.size) != (entry.get("sha256"), entry.get("size_bytes")):
                damaged.append(entry["path"])
        except OSError:
            # An object in the store (storage = "s3") needs no local copy: a clone has none.
            if not isinstance(entry.get("object"), dict):
                damaged.append(entry["path"])
    return damaged


def changed_sources(settings: Settings) -> list[str]:
    """Sources the lock file names whose bytes are not those recorded (missing included).

    When none is, publishing the recorded inputs again writes exactly the published bytes.
    """
    lock = read_lock(settings.lock_file) or {"files": []}
    cache = cache_for(settings.root)
    changed = []
    for entry in lock["files"]:
        source = entry.get("source") if isinstance(entry.get("source"), dict) else {}
        path = source.get("path")
        if not isinstance(path, str):
            changed.append(entry["path"])
            continue
        full = Path(os.path.abspath(settings.root / path))
        try:
            if cache.digest(full).sha256 != source.get("sha256"):
                changed.append(path)
        except OSError:
            changed.append(path)
    return changed


class _NotRecorded(Exception):
    """HEAD holds other bytes than the lock file records for a path."""


def repair_from_head(settings: Settings) -> tuple[list[str], list[str]]:
    """Rewrite each damaged published file from HEAD, when HEAD holds the bytes the lock records.

    Returns the paths repaired and those that could not be (not in HEAD, or other bytes there).
    A file is replaced only once all of its bytes arrived and matched, through the atomic writer.
    """
    from web_assets.files.atomic import atomic_writer
    from web_assets.files.hashing import FileDigest
    from web_assets.git.objects import restore

    damaged = damaged_outputs(settings)
    lock = read_lock(settings.lock_file) or {"files": []}
    recorded = {entry["path"]: entry for entry in lock["files"]}
    cache = cache_for(settings.root)
    repaired: list[str] = []
    left: list[str] = []

    def write(path: str, chunks) -> None:
        sha, size = hashlib.sha256(), 0
        with atomic_writer(settings.root / path) as out:
            for chunk in chunks:
                out.write(chunk)
                sha.update(chunk)
                size += len(chunk)
            entry = recorded[path]
            if (sha.hexdigest(), size) != (entry.get("sha256"), entry.get("size_bytes")):
                raise _NotRecorded(path)
        cache.record_written(settings.root / path, FileDigest(sha.hexdigest(), size))
        repaired.append(path)

    for path in damaged:
        try:
            restore(settings.root, "HEAD", [path], write)
        except (PublishError, _NotRecorded):
            left.append(path)
    return repaired, left
