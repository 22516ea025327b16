"""SHA-256 digests cached by file stat: a file is read again only when its stat says it changed.

The cache (`.web-assets/digests.json`) keys each file by path and holds its size, mtime, ctime
and inode with the digest, as git's index does. ctime cannot be set back by a user, so a file
whose bytes changed never matches an old entry. An entry hashed within RACY_NS of the file's
last change (its ctime) is used for the current run only and not saved (git's "racy" rule): a
write in the same clock tick could otherwise leave the stat unchanged.

The cache is read and written without following symlinks: a symlink at its path (or at the
`.web-assets` folder) is neither read nor written through, only named in one warning; the publish
goes on without a saved cache, since the cache only saves time.
"""

from __future__ import annotations

import errno
import json
import os
import stat
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from web_assets.errors import PublishError
from web_assets.files import publish_lock
from web_assets.files.atomic import partial_path
from web_assets.files.hashing import FileDigest, hash_file, parallel_map, stat_key
from web_assets.records.jsonio import parse_json

CACHE_FILE = Path(".web-assets") / "digests.json"
CACHE_FORMAT = 1
RACY_NS = 100_000_000


@dataclass(frozen=True)
class Entry:
    size: int
    mtime_ns: int
    ctime_ns: int
    inode: int
    sha256: str
    durable: bool = True

    @classmethod
    def of(cls, stat: os.stat_result, sha256: str, durable: bool) -> Entry:
        return cls(stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino, sha256, durable)

    def matches(self, stat: os.stat_result) -> bool:
        return (self.size, self.mtime_ns, self.ctime_ns, self.inode) == stat_key(stat)


class DigestCache:
    """Digests of the files below `root`, persisted across runs."""

    def __init__(self, root: Path):
        self.root = root
        self._root_text = os.fspath(root)
        self._root_prefix = self._root_text.rstrip("/") + "/"
        self.path = root / CACHE_FILE
        self.bytes_hashed = 0
        self._lock = threading.Lock()
        self._hashing: dict[str, threading.Lock] = {}  # one lock per file being hashed
        self._warned = False
        self._entries = self._load()
        self._dirty = False

    def _symlinked(self) -> bool:
        """Whether the cache's folder or file is a symlink (said once, on stderr)."""
        for path in (self.path.parent, self.path):
            if path.is_symlink():
                if not self._warned:
                    self._warned = True
                    print(
                        f"warning: {path} is a symlink: the digest cache is not read or saved "
                        f"through it (files are hashed again each run). Remove it: `rm {path}`.",
                        file=sys.stderr,
                    )
                return True
        return False

    def _load(self) -> dict[str, Entry]:
        if self._symlinked():
            return {}
        try:
            data = parse_json(_read_no_follow(self.path), str(self.path))
            if data["format"] != CACHE_FORMAT:
                return {}
            return {
                key: Entry(int(size), int(mtime), int(ctime), int(inode), str(sha))
                for key, (size, mtime, ctime, inode, sha) in data["entries"].items()
                if isinstance(sha, str) and len(sha) == 64
            }
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            # A missing or damaged cache (or one swapped for a symlink just now) is never
            # trusted, only rebuilt.
            return {}

    def _key(self, path: str | os.PathLike[str]) -> str:
        # String work, not pathlib: this runs for every file_dep of every task.
        text = os.path.normpath(os.fspath(path))
        if os.path.isabs(text):
            # relpath calls getcwd twice: a path below the root only loses its prefix.
            inside = text.startswith(self._root_prefix)
            text = (
                text[len(self._root_prefix) :] if inside else os.path.relpath(text, self._root_text)
            )
        return text

    def _full(self, path: str | os.PathLike[str]) -> str:
        """The path to open: relative ones are below the root (string work, as _key)."""
        return os.path.join(self._root_text, path)

    def known(self, path: str | os.PathLike[str], stat: os.stat_result) -> FileDigest | None:
        """The file's digest if the cache holds it for this very stat; never reads the file."""
        with self._lock:
            entry = self._entries.get(self._key(path))
        if entry is not None and entry.matches(stat):
            return FileDigest(entry.sha256, entry.size)
        return None

    def digest(
        self, path: str | os.PathLike[str], stat: os.stat_result | None = None
    ) -> FileDigest:
        """The file's digest: from the cache when its stat is unchanged, else read once."""
        key = self._key(path)
        stat = stat or os.stat(self._full(key))
        known = self.known(key, stat)
        if known is not None:
            return known
        # Two steps running at once (check:models and check:datasets) may ask for one file: the
        # second waits for the first's digest instead of reading the bytes again.
        with self._lock:
            hashing = self._hashing.setdefault(key, threading.Lock())
        with hashing:
            known = self.known(key, stat)
            if known is not None:
                return known
            started = time.time_ns()
            digest = hash_file(self.root / key, label=key)
            with self._lock:
                self.bytes_hashed += digest.size
            self.record_read(key, digest, stat, started)
        return digest

    def digest_all(self, paths: list[str], threads: int) -> dict[str, FileDigest]:
        """Each file's digest, by path: one stat each, and the files the cache does not know yet
        hashed `threads` at a time (hashlib drops the GIL)."""
        found: dict[str, FileDigest] = {}
        unknown: list[tuple[str, os.stat_result]] = []
        for path in paths:
            stat = os.stat(self._full(path))
            known = self.known(path, stat)
            if known is None:
                unknown.append((path, stat))
            else:
                found[path] = known
        hashed = parallel_map(lambda item: self.digest(*item), unknown, threads)
        found.update((path, digest) for (path, _), digest in zip(unknown, hashed, strict=True))
        return {path: found[path] for path in paths}

    def record_read(
        self, path: str | os.PathLike[str], digest: FileDigest, before: os.stat_result, started: int
    ) -> None:
        """Remember the digest of bytes just read, if the file did not change while they were."""
        key = self._key(path)
        after = os.stat(self._full(key))
        if stat_key(after) == stat_key(before) and after.st_size == digest.size:
            # ctime, set by the kernel on every change, is what a later write must move.
            racy = after.st_ctime_ns >= started - RACY_NS
            with self._lock:
                self._store(key, Entry.of(after, digest.sha256, durable=not racy))

    def record_written(self, path: str | os.PathLike[str], digest: FileDigest) -> None:
        """Remember the digest of a file we just wrote, so nothing reads it back to hash it."""
        key = self._key(path)
        stat = os.stat(self._full(key))
        if stat.st_size == digest.size:
            with self._lock:
                self._store(key, Entry.of(stat, digest.sha256, durable=True))

    def _store(self, key: str, entry: Entry) -> None:
        if self._entries.get(key) != entry:
            self._entries[key] = entry
            self._dirty = True

    def save(self) -> None:
        """Write the durable entries of files that still exist, atomically, if anything changed.

        Only under the project lock: while another publish runs, it is the one that saves.
        """
        with self._lock:
            if not self._dirty:
                return
            try:
                publish_lock.take(self.root)
            except PublishError:
                return
            entries = {
                key: [entry.size, entry.mtime_ns, entry.ctime_ns, entry.inode, entry.sha256]
                for key, entry in sorted(self._entries.items())
                if entry.durable and (self.root / key).exists()
            }
            if self._symlinked():
                return
            self._dirty = False
        data = json.dumps({"format": CACHE_FORMAT, "entries": entries}, indent=0)
        _write_no_follow(self.path, data.encode("utf-8"))


def _read_no_follow(path: Path) -> bytes:
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    with os.fdopen(fd, "rb") as stream:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a regular file", str(path))
        return stream.read()


def _write_no_follow(path: Path, data: bytes) -> None:
    """Write atomically, refusing to open the temp file through a symlink planted there.

    The rename replaces whatever is at `path` itself, a symlink included, never its target.
    """
    temp = partial_path(path)
    try:
        fd = os.open(
            temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644
        )
    except OSError as err:
        if err.errno != errno.ELOOP:
            raise
        temp.unlink()  # a symlink: removing it touches only the link
        fd = os.open(
            temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644
        )
    try:
        with os.fdopen(fd, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fdatasync(stream.fileno())
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


_caches: dict[Path, DigestCache] = {}
_caches_lock = threading.Lock()


def cache_for(root: Path) -> DigestCache:
    """The one cache of a project in this process."""
    root = Path(os.path.abspath(root))
    with _caches_lock:
        if root not in _caches:
            _caches[root] = DigestCache(root)
        return _caches[root]


def save_caches() -> None:
    with _caches_lock:
        caches = list(_caches.values())
    for cache in caches:
        cache.save()


def close_cache(root: Path) -> None:
    """Save and forget a project's cache: the next run reads it afresh from disk."""
    with _caches_lock:
        cache = _caches.pop(Path(os.path.abspath(root)), None)
    if cache is not None:
        cache.save()
