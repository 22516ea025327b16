"""Each model's predictions on the latest fixtures, kept in `.web-assets/predictions/` so that a
publish runs again only the models whose bytes, features, fixtures or runtime changed.

A file per result, named by the SHA-256 of what it depends on: the model's bytes, its bundle's
feature names, and the context (the datasets' bytes, the fixture settings, the derived-feature
table, the onnxruntime version and the code that builds the features and reads the outputs).
Only results that passed every check are kept, so a model that failed or ran past a limit runs
again every time. A file that does not read back exactly as written (its own digest, its key, its
shape, probabilities that sum to 1) is ignored and replaced; the folder holds at most MAX_FILES.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import stat
from pathlib import Path
from typing import Any, NamedTuple

from web_assets.files.publish_lock import state_dir
from web_assets.modelcheck.fixtures import Fixture, Fixtures

FOLDER = "predictions"
FORMAT = 1
MAX_FILES = 4096
FIXTURES_PREFIX = "fixtures-"
# A result is 24 bytes a fixture: far below this for any fixture count a CSV row limit allows.
MAX_FILE_SIZE = 64 << 20
# The modules whose code decides the numbers: a change to them is a change to every result.
CODE = ("fixtures.py", "derive.py", "features.py", "runtime.py")


class Cached(NamedTuple):
    """A result read back: probabilities float64 [fixtures, 3], and the fixtures' season."""

    probabilities: Any
    season: str


def result_key(context: str, model_sha256: str, names: list[str]) -> str:
    """The name of a result: what the model's predictions depend on, hashed."""
    text = json.dumps([FORMAT, context, model_sha256, names], separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def context_digest(parts: dict[str, Any]) -> str:
    """The context of a check's results: `parts` (datasets, settings), the runtime and the code."""
    here = Path(__file__).parent
    code = hashlib.sha256(b"".join((here / name).read_bytes() for name in CODE)).hexdigest()
    text = json.dumps(
        {**parts, "onnxruntime": runtime_version(), "code": code},
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def runtime_version() -> str:
    """The installed onnxruntime's version, without importing it (that costs 0.1-0.2 s)."""
    from importlib.metadata import PackageNotFoundError, distribution
    from importlib.util import find_spec

    spec = find_spec("onnxruntime")
    where = str(spec.origin) if spec is not None else "none"
    for name in ("onnxruntime", "onnxruntime-gpu", "onnxruntime-openvino", "ort-nightly"):
        try:
            return f"{name} {distribution(name).version} {where}"
        except PackageNotFoundError:
            continue
    return f"unknown {where}"


class PredictionStore:
    """The results of one project's model checks; `get` and `put` by key, files written atomically."""

    def __init__(self, root: Path) -> None:
        self.folder = state_dir(root) / FOLDER
        self.written = 0
        self._readable: bool | None = None
        self._writable: bool | None = None

    def get(self, key: str) -> Cached | None:
        """The result named `key`, or None when there is none or it does not read back intact."""
        found = self._read(key)
        return _decode(found[0], found[1]) if found is not None else None

    def put(self, key: str, probabilities, season: str) -> None:
        """Keep a result; a cache that cannot be written only costs the next publish a run."""
        import numpy as np

        payload = np.ascontiguousarray(probabilities, dtype="<f8").tobytes()
        self._write(key, {"rows": len(probabilities), "season": season}, payload)

    def get_fixtures(self, context: str) -> Fixtures | None:
        """The fixtures picked in `context`, as kept by put_fixtures: the CSVs are not read."""
        found = self._read(FIXTURES_PREFIX + context)
        return _fixtures(found[1]) if found is not None else None

    def put_fixtures(self, context: str, fixtures: Fixtures) -> None:
        payload = json.dumps(fixtures, separators=(",", ":")).encode("utf-8")
        self._write(FIXTURES_PREFIX + context, {}, payload)

    def _read(self, key: str) -> tuple[dict[str, Any], bytes] | None:
        """A file's header and payload, if it names `key` and its payload has its digest."""
        if self._readable is None:
            self._readable = _plain_folder(self.folder, make=False)
        if not self._readable:
            return None
        try:
            head, _, payload = _read_no_follow(self.folder / key, MAX_FILE_SIZE).partition(b"\n")
            header = json.loads(head)
            if header["format"] != FORMAT or header["key"] != key:
                return None
            if hashlib.sha256(payload).hexdigest() != header["sha256"]:
                return None
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return header, payload

    def _write(self, key: str, fields: dict[str, Any], payload: bytes) -> None:
        header = {**fields, "format": FORMAT, "key": key}
        header["sha256"] = hashlib.sha256(payload).hexdigest()
        data = json.dumps(header, sort_keys=True).encode("utf-8") + b"\n" + payload
        try:
            if self._writable is None:
                self._writable = _plain_folder(self.folder)
            if not self._writable:
                return
            _write_no_follow(self.folder / key, data)
        except OSError:
            return
        self.written += 1

    def prune(self) -> None:
        """Remove the oldest results beyond MAX_FILES, and temp files a crash left."""
        if not self.written or not _plain_folder(self.folder, make=False):
            return
        try:
            entries = [
                entry for entry in os.scandir(self.folder) if entry.is_file(follow_symlinks=False)
            ]
            for entry in entries:
                if entry.name.endswith(".partial"):
                    os.unlink(entry.path)
            kept = [entry for entry in entries if not entry.name.endswith(".partial")]
            if len(kept) <= MAX_FILES:
                return
            kept.sort(key=lambda entry: entry.stat().st_mtime_ns, reverse=True)
            for entry in kept[MAX_FILES:]:
                os.unlink(entry.path)
        except OSError:
            return


def _decode(header: dict[str, Any], payload: bytes) -> Cached | None:
    import numpy as np

    try:
        rows, season = int(header["rows"]), str(header["season"])
    except (ValueError, KeyError, TypeError):
        return None
    if rows <= 0 or len(payload) != rows * 24:
        return None
    values = np.frombuffer(payload, dtype="<f8").reshape(rows, 3).astype(np.float64)
    sane = np.isfinite(values).all() and (values >= 0).all()
    if not sane or not np.allclose(values.sum(axis=1), 1.0, rtol=0, atol=1e-9):
        return None
    return Cached(values, season)


def _fixtures(payload: bytes) -> Fixtures | None:
    """Fixtures from their JSON, or None unless every part has its shape."""
    try:
        keys, columns, rows, financial_columns, financial = json.loads(payload)
        fixtures = Fixtures(
            tuple(Fixture(*_texts(key)) for key in keys),
            _texts(columns),
            tuple(_texts(row) for row in rows),
            _texts(financial_columns),
            tuple(None if row is None else _texts(row) for row in financial),
        )
    except (ValueError, TypeError):
        return None
    if not fixtures.keys or not len(fixtures.keys) == len(fixtures.rows) == len(financial):
        return None
    return fixtures


def _texts(values: Any) -> tuple[str, ...]:
    if not isinstance(values, list) or not all(isinstance(value, str) for value in values):
        raise TypeError("not a list of strings")
    return tuple(values)


def _plain_folder(folder: Path, make: bool = True) -> bool:
    """Whether the folder is a real folder (made if need be), not a symlink to write through."""
    if folder.is_symlink() or folder.parent.is_symlink():
        return False
    if make:
        folder.mkdir(parents=True, exist_ok=True)
    return folder.is_dir()


def _read_no_follow(path: Path, limit: int) -> bytes:
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    with os.fdopen(fd, "rb") as stream:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
            raise OSError(errno.EINVAL, "not a result file", str(path))
        return stream.read(limit + 1)


def _write_no_follow(path: Path, data: bytes) -> None:
    """Atomic (a temp file renamed over it) but not flushed: a torn file fails its digest."""
    temp = path.with_name(f".{path.name}.partial")
    # O_NOFOLLOW: a symlink planted at the temp path fails the write, never has its target cut.
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
    try:
        with os.fdopen(fd, "wb") as stream:
            stream.write(data)
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
