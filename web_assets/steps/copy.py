"""The steps that copy: the datasets, and a run's files as one batch with one durability barrier;
the digests the manifest reads; and what an interrupted copy left behind."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path
from stat import S_ISREG
from typing import Any

from web_assets.config.settings import relative_path, shown_path
from web_assets.files.atomic import PARTIAL_SUFFIX, WriteBatch, partial_path
from web_assets.files.digests import cache_for
from web_assets.files.hashed_copy import PARALLEL_COPY_MIN_SIZE, copy_file
from web_assets.files.hashing import FileDigest, LineCount, parallel_map
from web_assets.release.datasets import Copy
from web_assets.release.load import Release


def remove_partials(release: Release) -> None:
    """Clear what an interrupted run left half-written (run once the project lock is taken):
    this release's temp files, and those of any release in the export folder (a killed batch
    leaves one per file it had written) and of any dataset version in the data folder."""
    for path in [*release.published_files(), *release.object_files()]:
        partial_path(path).unlink(missing_ok=True)
    settings = release.settings
    for folder, ours in ((settings.export_dir, ANY_FILE), (settings.data_dir, DATASET_FILE)):
        for path in left_partials(folder, ours):
            path.unlink(missing_ok=True)


ANY_FILE = re.compile(r".+")
DATASET_FILE = re.compile(r"Dataset_Version_\d+\.csv|financial_dataset\.csv")


def left_partials(folder: Path, ours: re.Pattern[str]) -> list[Path]:
    """The temp files (`.NAME.partial`) in `folder` of files named like `ours`; no symlinks."""
    try:
        with os.scandir(folder) as listing:
            entries = list(listing)
    except (FileNotFoundError, NotADirectoryError):
        return []
    return [
        Path(entry.path)
        for entry in entries
        if entry.name.startswith(".")
        and entry.name.endswith(PARTIAL_SUFFIX)
        and ours.fullmatch(entry.name[1 : -len(PARTIAL_SUFFIX)])
        and entry.is_file(follow_symlinks=False)
    ]


def publish_copy(root: Path, copy: Copy, count_rows: bool = False) -> dict[str, Any]:
    """One copy (a dataset): see publish_copies. CSVs get their rows counted on the way."""
    target = relative_path(root, copy.target)
    return publish_copies(root, [copy], threads=1, count_rows=count_rows)[target]


def publish_copies(
    root: Path, copies: list[Copy], threads: int, count_rows: bool = False
) -> dict[str, dict[str, Any]]:
    """Copy each file whose target does not hold its source's bytes, `threads` at a time, as one
    batch with one durability barrier (atomic.WriteBatch). Values for every copy, by target.

    Each copy reads its source once, hashing it only if the cache does not know it yet; both
    files' digests go to the cache, so neither is read again. A target the cache knows to hold
    the source's bytes is not written: a retrained model rewrites its own copy only. Counting
    rows needs the bytes, so a CSV is always copied.
    """
    cache = cache_for(root)
    values: dict[str, dict[str, Any]] = {}
    pending = []
    for copy in copies:
        target = relative_path(root, copy.target)
        before, started = os.stat(copy.source), time.time_ns()
        known = cache.known(copy.source, before)
        if known is not None and not count_rows and _holds(cache, copy.target, before, known):
            values[target] = _copied(root, copy, target, known)
        else:
            pending.append((copy, target, before, started, known))
    batch = WriteBatch()

    def copy_one(item) -> tuple[Copy, str, FileDigest, LineCount | None]:
        copy, target, before, started, known = item
        lines = LineCount() if count_rows else None
        digest = copy_file(copy.source, copy.target, target, lines, known, batch, known_at=before)
        cache.record_read(copy.source, digest, before, started)
        return copy, target, digest, lines

    # Large files are bound by hashing and the disk, which threads share out; small ones by the
    # file system's work per file, which threads only contend for (1,000 files of 100 KiB here:
    # 0.57-0.75 s in one thread, 0.65-0.83 s in two).
    large = [item for item in pending if item[2].st_size >= PARALLEL_COPY_MIN_SIZE]
    small = [item for item in pending if item[2].st_size < PARALLEL_COPY_MIN_SIZE]
    try:
        done = parallel_map(copy_one, large, threads) + [copy_one(item) for item in small]
        batch.commit()
    except BaseException:
        batch.abort()
        raise
    for copy, target, digest, lines in done:
        cache.record_written(copy.target, digest)
        copied = _copied(root, copy, target, digest)
        if lines is not None:
            copied["rows"] = max(lines.lines - 1, 0)  # the header is not a row
        values[target] = copied
    return values


def _holds(cache, target: Path, source: os.stat_result, digest: FileDigest) -> bool:
    """Whether `target` is a file of its own that the cache knows to hold these bytes (a stat,
    no read). A symlink or a hard link to the source would change with it: it is replaced."""
    try:
        stat = os.lstat(target)
    except FileNotFoundError:
        return False
    own = S_ISREG(stat.st_mode) and (stat.st_dev, stat.st_ino) != (source.st_dev, source.st_ino)
    return own and cache.known(target, stat) == digest


def _copied(root: Path, copy: Copy, target: str, digest: FileDigest) -> dict[str, Any]:
    return {
        "target": target,
        "source": shown_path(root, copy.source),
        "sha256": digest.sha256,
        "size_bytes": digest.size,
    }


def digests_of(root: Path, paths: list[Path], threads: int) -> dict[str, dict[str, Any]]:
    """The SHA-256 and size of each file, by path relative to `root`: through the digest cache,
    which doit's file check filled for every changed input, so normally no file is read here."""
    found = cache_for(root).digest_all([relative_path(root, path) for path in paths], threads)
    return {
        path: {"sha256": digest.sha256, "size_bytes": digest.size} for path, digest in found.items()
    }
