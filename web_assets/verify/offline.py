"""`doit verify`: do the manifest and the lock file tell the truth about the files on disk?

Every file is read again (no cache is trusted) and hashed once, `hash_threads` at a time. Each
check is a function returning its problems; `verify` runs them all.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import Any, NamedTuple

from web_assets.config.settings import Settings
from web_assets.errors import PublishError
from web_assets.files.hashing import FileDigest, hash_file, parallel_map
from web_assets.records.lockfile import read_lock
from web_assets.records.manifest import SECTIONS, read_manifest, schema_problems, sri
from web_assets.records.uris import fields, pinned_commit, pins, render
from web_assets.store.upload import object_key
from web_assets.verify.pins import Pin, pin_problems

Entries = list[tuple[str, dict[str, Any]]]
GONE = ("file", "missing")
Digests = dict[str, FileDigest | None]


class Problem(NamedTuple):
    id: str
    file: str
    what: str
    expected: Any
    found: Any

    def line(self) -> str:
        if self.what == "live":  # check_uris words its own lines, entry first
            return str(self.found)
        if self.what == "pin":
            return f"{self.id}: {self.file}: {self.found}"
        return f"{self.id}: {self.file}: {self.what}: expected {self.expected}, found {self.found}"


def verify(settings: Settings, live: bool = False) -> tuple[list[Problem], int]:
    """Every problem found, and how many files were read (`live`: fetch every uri too)."""
    settings.require_uri_template()
    manifest_name = settings.relative(settings.manifest)
    lock_name = settings.relative(settings.lock_file)
    manifest, problems = _load(read_manifest, settings.manifest, "manifest", manifest_name)
    lock, lock_problems = _load(read_lock, settings.lock_file, "lock", lock_name)
    problems += lock_problems
    manifest = manifest or {}
    lock = lock or {"files": []}
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

    problems += [
        Problem("manifest", manifest_name, "schema", "valid", message)
        for message in schema_problems(manifest)
    ]
    problems += entry_problems(entries, digests, settings.uri_template, version, settings.s3_prefix)
    problems += lock_file_problems(lock["files"], digests)
    # A file in the object store need not be on disk (a fresh clone has none): `live` fetches it.
    stored = {entry["path"] for entry in lock["files"] if isinstance(entry.get("object"), dict)}
    problems = [p for p in problems if not (p.file in stored and (p.what, p.found) == GONE)]
    problems += agreement_problems(entries, lock, lock_name, version)
    problems += pinned_problems(settings, entries, version)
    if live:
        problems += live_problems(entries, settings.hash_threads)
    return problems, len(digests)


def entry_problems(
    entries: Entries, digests: Digests, template: str, version: Any, prefix: str | None = None
) -> list[Problem]:
    """Each manifest entry against its file: bytes, size, local_path, integrity, uri."""
    problems = []
    for section, entry in entries:
        label, path = f"{section}/{entry.get('id')}", str(entry.get("path"))
        problems += _file_problems(label, path, entry, digests)
        if entry.get("local_path") != path:
            problems.append(Problem(label, path, "local_path", path, entry.get("local_path")))
        if "integrity" in entry and entry.get("sha256"):
            expected = sri(entry["sha256"])
            if entry["integrity"] != expected:
                problems.append(Problem(label, path, "integrity", expected, entry["integrity"]))
        problems += _uri_problems(label, path, entry, template, version, prefix)
    return problems


def _uri_names(
    path: str, entry: dict[str, Any], template: str, version: Any, prefix: str | None
) -> dict[str, Any]:
    names = {"filename": PurePosixPath(path).name, "version": version, "id": str(entry.get("id"))}
    if "key" in fields(template):
        # The object's key follows from the entry's digest: `{prefix}/{sha256}/{filename}`.
        try:
            names["key"] = object_key(prefix or "", str(entry.get("sha256")), names["filename"])
        except PublishError:
            names["key"] = "<prefix>/<sha256>/<filename>"
    return names


def _uri_problems(
    label: str, path: str, entry: dict[str, Any], template: str, version: Any, prefix: str | None
) -> list[Problem]:
    names = _uri_names(path, entry, template, version, prefix)
    uri = entry.get("uri")
    if pins(template):
        # Offline, a pinned URI is checked for its form; `verify live=true` fetches it.
        if pinned_commit(template, uri, **names) is None:
            expected = render(template, **names, commit="<40-hex commit>")
            return [Problem(label, path, "uri", expected, uri)]
        return []
    expected = render(template, **names)
    return [] if uri == expected else [Problem(label, path, "uri", expected, uri)]


def pinned_problems(settings: Settings, entries: Entries, version: Any) -> list[Problem]:
    """Each `{commit}` pin the branch does not reach, or whose commit holds other bytes."""
    template = settings.uri_template
    if not pins(template):
        return []
    pinned = []
    for section, entry in entries:
        path = str(entry.get("path"))
        names = _uri_names(path, entry, template, version, settings.s3_prefix)
        names.pop("key", None)
        commit = pinned_commit(template, entry.get("uri"), **names)
        if commit is not None:
            label = f"{section}/{entry.get('id')}"
            pinned.append(Pin(label, path, commit, str(entry.get("sha256"))))
    found = pin_problems(settings.root, pinned)
    return [Problem(pin.label, pin.path, "pin", "", why) for pin, why in found]


def lock_file_problems(files: list[dict[str, Any]], digests: Digests) -> list[Problem]:
    """Each file the lock file lists against its bytes on disk."""
    return [
        problem
        for entry in files
        for problem in _file_problems(f"lock/{entry.get('id')}", entry["path"], entry, digests)
    ]


def agreement_problems(
    entries: Entries, lock: dict[str, Any], lock_name: str, version: Any
) -> list[Problem]:
    """The manifest and the lock file name the same files, digests and version."""
    problems = []
    locked = {entry["path"]: entry for entry in lock["files"]}
    for section, entry in entries:
        path, label = str(entry.get("path")), f"{section}/{entry.get('id')}"
        twin = locked.get(path)
        if twin is None:
            problems.append(Problem(label, path, "in the lock file", "an entry", "none"))
            continue
        for field in ("sha256", "size_bytes"):
            if twin.get(field) != entry.get(field):
                what = f"lock {field} agrees with manifest"
                problems.append(Problem(label, path, what, entry.get(field), twin.get(field)))
    listed = {str(entry.get("path")) for _, entry in entries}
    for entry in lock["files"]:
        if entry.get("kind") in ("model", "preprocessing") and entry["path"] not in listed:
            label = f"lock/{entry.get('id')}"
            problems.append(Problem(label, entry["path"], "in the manifest", "an entry", "none"))
    recorded = lock.get("dataset_version")
    if recorded is not None and str(recorded) != str(version):
        what = "dataset_version agrees with manifest"
        problems.append(Problem("lock", lock_name, what, version, recorded))
    return problems


def live_problems(entries: Entries, threads: int) -> list[Problem]:
    """What the web app would get from each entry's uri: status, size and SHA-256."""
    from web_assets.verify.live import LiveEntry, check_uris

    fetched = [
        LiveEntry(
            f"{section}/{entry.get('id')}",
            str(entry.get("uri")),
            str(entry.get("sha256")),
            int(entry.get("size_bytes") or 0),
        )
        for section, entry in entries
    ]
    return [Problem("live", "", "live", "", line) for line in check_uris(fetched, threads)]


def _load(reader, path: Path, label: str, name: str) -> tuple[dict[str, Any] | None, list[Problem]]:
    try:
        document = reader(path)
    except PublishError as err:
        return None, [Problem(label, name, "readable", "a valid file", str(err))]
    if document is None:
        return None, [Problem(label, name, "file", "present", "missing")]
    return document, []


def _digests(root: Path, paths: list[str], threads: int) -> Digests:
    def digest(path: str) -> FileDigest | None:
        target = root / path
        if not target.is_file() or not target.resolve().is_relative_to(root):
            return None
        return hash_file(target)

    return dict(zip(paths, parallel_map(digest, paths, threads), strict=True))


def _file_problems(label: str, path: str, entry: dict[str, Any], digests: Digests) -> list[Problem]:
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
