"""`doit verify`: do the manifest and the lock file tell the truth about the files on disk?

Every file is read again (no cache is trusted) and hashed once, `hash_threads` at a time.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path, PurePosixPath
from typing import Any, NamedTuple

from web_assets.errors import PublishError
from web_assets.hashing import FileDigest, hash_file
from web_assets.lockfile import read_lock
from web_assets.manifest import SECTIONS, read_manifest, schema_problems, sri, uri_for
from web_assets.settings import Settings


class Problem(NamedTuple):
    id: str
    file: str
    what: str
    expected: Any
    found: Any

    def line(self) -> str:
        return f"{self.id}: {self.file}: {self.what}: expected {self.expected}, found {self.found}"


def verify(settings: Settings) -> tuple[list[Problem], int]:
    """Every problem found, and how many files were read."""
    manifest_name = settings.relative(settings.manifest)
    lock_name = settings.relative(settings.lock_file)
    manifest, problems = _load(read_manifest, settings.manifest, "manifest", manifest_name)
    lock, lock_problems = _load(read_lock, settings.lock_file, "lock", lock_name)
    problems += lock_problems
    manifest = manifest or {}
    lock = lock or {"files": []}

    problems += [
        Problem("manifest", manifest_name, "schema", "valid", message)
        for message in schema_problems(manifest)
    ]
    entries = [
        (section, entry)
        for section in SECTIONS
        for entry in manifest.get(section, [])
        if isinstance(entry, dict)
    ]
    paths = {str(entry.get("path")) for _, entry in entries} | {
        entry["path"] for entry in lock["files"]
    }
    digests = _digests(settings.root, sorted(paths), settings.hash_threads)

    version = manifest.get("dataset_version")
    for section, entry in entries:
        id_, path = str(entry.get("id")), str(entry.get("path"))
        problems += _file_problems(f"{section}/{id_}", path, entry, digests)
        if entry.get("local_path") != path:
            problems.append(
                Problem(f"{section}/{id_}", path, "local_path", path, entry.get("local_path"))
            )
        if (
            "integrity" in entry
            and entry.get("sha256")
            and entry["integrity"] != sri(entry["sha256"])
        ):
            problems.append(
                Problem(
                    f"{section}/{id_}", path, "integrity", sri(entry["sha256"]), entry["integrity"]
                )
            )
        filename = PurePosixPath(path).name
        expected_uri = uri_for(settings.uri_template, filename=filename, version=version, id=id_)
        if entry.get("uri") != expected_uri:
            problems.append(
                Problem(f"{section}/{id_}", path, "uri", expected_uri, entry.get("uri"))
            )

    locked = {entry["path"]: entry for entry in lock["files"]}
    for entry in lock["files"]:
        problems += _file_problems(f"lock/{entry.get('id')}", entry["path"], entry, digests)
    for section, entry in entries:
        path = str(entry.get("path"))
        twin = locked.get(path)
        label = f"{section}/{entry.get('id')}"
        if twin is None:
            problems.append(Problem(label, path, "in the lock file", "an entry", "none"))
            continue
        for field in ("sha256", "size_bytes"):
            if twin.get(field) != entry.get(field):
                problems.append(
                    Problem(
                        label,
                        path,
                        f"lock {field} agrees with manifest",
                        entry.get(field),
                        twin.get(field),
                    )
                )
    listed = {str(entry.get("path")) for _, entry in entries}
    for entry in lock["files"]:
        if entry.get("kind") in ("model", "preprocessing") and entry["path"] not in listed:
            problems.append(
                Problem(
                    f"lock/{entry.get('id')}", entry["path"], "in the manifest", "an entry", "none"
                )
            )
    if lock.get("dataset_version") is not None and str(lock.get("dataset_version")) != str(version):
        problems.append(
            Problem(
                "lock",
                lock_name,
                "dataset_version agrees with manifest",
                version,
                lock.get("dataset_version"),
            )
        )
    return problems, len(digests)


def _load(reader, path: Path, label: str, name: str) -> tuple[dict[str, Any] | None, list[Problem]]:
    try:
        document = reader(path)
    except PublishError as err:
        return None, [Problem(label, name, "readable", "a valid file", str(err))]
    if document is None:
        return None, [Problem(label, name, "file", "present", "missing")]
    return document, []


def _digests(root: Path, paths: list[str], threads: int) -> dict[str, FileDigest | None]:
    def digest(path: str) -> FileDigest | None:
        target = root / path
        if not target.is_file() or not target.resolve().is_relative_to(root):
            return None
        return hash_file(target)

    with ThreadPoolExecutor(threads) as pool:
        return dict(zip(paths, pool.map(digest, paths), strict=True))


def _file_problems(
    label: str, path: str, entry: dict[str, Any], digests: dict[str, FileDigest | None]
) -> list[Problem]:
    found = digests.get(path)
    if found is None:
        return [Problem(label, path, "file", "present", "missing")]
    problems = []
    if entry.get("size_bytes") != found.size:
        problems.append(Problem(label, path, "size_bytes", entry.get("size_bytes"), found.size))
    if entry.get("sha256") != found.sha256:
        problems.append(
            Problem(label, path, "sha256", _short(entry.get("sha256")), _short(found.sha256))
        )
    return problems


def _short(digest: Any) -> str:
    return str(digest)[:12] if digest else str(digest)


def missing_feature_warnings(settings: Settings) -> list[str]:
    """The models the lock file records as missing features: published so on purpose (the report-only
    default of max_missing_features), so a warning, not a problem."""
    try:
        lock = read_lock(settings.lock_file)
    except PublishError:
        return []  # verify() reports an unreadable lock file
    warnings = []
    for entry in (lock or {"files": []})["files"]:
        missing = entry.get("missing_features")
        if entry.get("kind") == "model" and isinstance(missing, list) and missing:
            warnings.append(
                f"model {entry.get('id')}: the web app fills {len(missing)} feature(s) with 0 "
                f"(recorded in {settings.relative(settings.lock_file)}): {', '.join(map(str, missing))}"
            )
    return warnings
