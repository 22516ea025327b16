"""The release history: every commit that changed the manifest or the lock file, read from git objects.

Listing costs one `git log` and one `git cat-file --batch`, whatever the number of releases; no
checkout. A release whose lock file describes its manifest is read from the lock; any other (made
by hand, before this tool or beside it) from the manifest's model and preprocessing entries.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from web_assets.errors import PublishError
from web_assets.git.objects import read_all
from web_assets.git.run import run
from web_assets.git.tags import release_tags
from web_assets.history.branch import branch_tip
from web_assets.records.jsonio import parse_json

MANIFEST = "web/public/fixtures/dev.json"
LOCK = "web-assets.lock.json"
ARTEFACT_KINDS = ("model", "preprocessing")
DATASET_KINDS = ("dataset", "team_cache")


@dataclass(frozen=True)
class FileRef:
    sha256: str
    size: int
    kind: str
    id: str


@dataclass(frozen=True)
class PastRelease:
    """A release as the branch's history holds it: one commit's manifest and lock file."""

    version: str
    run_id: str
    trained_at: str
    commit: str
    date: str
    subject: str
    has_lock: bool
    files: dict[str, FileRef]
    manifest: dict[str, Any]
    lock: dict[str, Any] | None
    tags: tuple[str, ...] = ()  # its release tags (web-assets/vN), also those on its aliases


class ReleaseList(list):
    """Releases newest first, with what `resolve` needs to read refs and skipped duplicates.

    `aliases` maps the commit of each release left out as a duplicate to the commit listed for it;
    `shallow` says the clone lacks older history, so the oldest listed may not be the first.
    """

    def __init__(
        self,
        releases,
        root: Path,
        manifest: str,
        lock: str,
        aliases: dict[str, str],
        shallow: bool = False,
    ):
        super().__init__(releases)
        self.root, self.manifest_path, self.lock_path, self.aliases = root, manifest, lock, aliases
        self.shallow = shallow


def list_releases(
    root: Path, ref: str = "HEAD", manifest: str = MANIFEST, lock: str = LOCK
) -> ReleaseList:
    """Releases on `ref`'s first-parent history, newest first.

    A commit is a release when it changes `manifest` or `lock` and leaves a manifest that is a
    JSON object. Consecutive commits with equal manifest and lock content (a reformat, a mode
    change, URIs pinned anew to the same bytes) are one release, listed at the OLDEST of them:
    the commit that made it live, whose date is the release date; the newer ones are in `aliases`.
    """
    if ref.startswith("-"):
        raise PublishError(
            f"{ref!r} is not a branch, tag or commit: name one without a leading dash."
        )
    tip, shallow = branch_tip(root, ref)
    if tip is None:  # an orphan or new branch: no commit, so no release yet
        return ReleaseList([], root, manifest, lock, {}, shallow)
    snapshots = _snapshots(root, tip, [manifest, lock])
    blobs = read_all(
        root, sorted({oid for _, _, _, state in snapshots for oid in state.values() if oid})
    )
    parsed = {oid: _json(data) for oid, data in blobs.items()}
    kept: list[PastRelease] = []
    aliases: dict[str, str] = {}
    for commit, date, subject, state in reversed(snapshots):
        document = parsed.get(state[manifest])
        if not isinstance(document, dict):
            continue
        release = _release(commit, date, subject, document, parsed.get(state[lock]))
        previous = kept[-1] if kept else None
        if previous and same_content(previous, release):
            aliases[commit] = previous.commit
            continue
        kept.append(release)
    return ReleaseList(_tagged(root, kept, aliases), root, manifest, lock, aliases, shallow)


def _tagged(root: Path, kept: list[PastRelease], aliases: dict[str, str]) -> list[PastRelease]:
    """`kept`, newest first, each with the release tags that name it or one of its aliases."""
    named: dict[str, list[str]] = {}
    for commit, tags in release_tags(root).items():
        named.setdefault(aliases.get(commit, commit), []).extend(tags)
    return [replace(r, tags=tuple(sorted(named.get(r.commit, [])))) for r in reversed(kept)]


def same_content(older: PastRelease, newer: PastRelease) -> bool:
    """The same files, run and version: a manifest that differs only in its `uri`s counts as one."""

    def without_uris(manifest: dict[str, Any]) -> dict[str, Any]:
        return {
            key: [
                {name: v for name, v in entry.items() if name != "uri"}
                if isinstance(entry, dict)
                else entry
                for entry in value
            ]
            if key in ("models", "preprocessing") and isinstance(value, list)
            else value
            for key, value in manifest.items()
        }

    return older.lock == newer.lock and without_uris(older.manifest) == without_uris(newer.manifest)


def _snapshots(root: Path, ref: str, paths: list[str]) -> list[tuple[str, str, str, dict]]:
    """Commits changing `paths`, newest first: id, date, subject, each path's blob after it."""
    output = run(
        root,
        "log",
        "--first-parent",
        "--root",
        "--raw",
        "--relative",
        "--no-renames",
        "--no-abbrev",
        "--no-color",
        "--no-show-signature",
        "-z",
        "--format=%x01%H%x1f%cI%x1f%s",
        ref,
        "--",
        *paths,
        binary=True,
    ).stdout
    changed: list[tuple[str, str, str, dict[str, str | None]]] = []
    meta = None
    for token in output.decode(errors="surrogateescape").split("\0"):
        token = token.lstrip("\n")
        if token.startswith("\x01"):
            commit, date, subject = [*token[1:].split("\x1f", 2), "", ""][:3]
            changed.append((commit, date, subject, {}))
        elif token.startswith(":"):
            meta = token.split()
        elif meta is not None and changed:
            deleted = meta[4].startswith("D") or set(meta[3]) == {"0"}
            changed[-1][3][token] = None if deleted else meta[3]
            meta = None
    # Each commit lists only what it changed: carry the rest forward from older commits.
    state: dict[str, str | None] = dict.fromkeys(paths)
    snapshots = []
    for commit, date, subject, diff in reversed(changed):
        state = {**state, **{path: oid for path, oid in diff.items() if path in state}}
        snapshots.append((commit, date, subject, state))
    return snapshots[::-1]


def release_of(manifest: dict, lock: Any, commit: str = "") -> PastRelease:
    """A release from its manifest and lock file as documents (one not committed yet, say)."""
    return _release(commit, "", "", manifest, lock)


def _release(commit: str, date: str, subject: str, manifest: dict, lock: Any) -> PastRelease:
    described = isinstance(lock, dict) and _describes(lock, manifest)
    lock = lock if described else None
    files = _lock_files(lock) if lock else _manifest_files(manifest)
    run = lock.get("release") if lock and isinstance(lock.get("release"), dict) else {}
    return PastRelease(
        version=_version(
            run.get("version"), (lock or {}).get("dataset_version"), manifest.get("dataset_version")
        ),
        run_id=str(manifest.get("run_id") or run.get("run_id") or ""),
        trained_at=str(manifest.get("trained_at") or run.get("trained_at") or ""),
        commit=commit,
        date=date,
        subject=subject,
        has_lock=described,
        files=files,
        manifest=manifest,
        lock=lock,
    )


def _describes(lock: dict, manifest: dict) -> bool:
    """Whether the lock file is this manifest's: same digests, run and dataset version where named."""
    if not isinstance(lock.get("files"), list):
        return False
    locked = _lock_files(lock)
    for path, ref in _manifest_files(manifest).items():
        if path not in locked or locked[path].sha256 != ref.sha256:
            return False
    run = lock.get("release") if isinstance(lock.get("release"), dict) else {}
    if run.get("run_id") not in (None, manifest.get("run_id")):
        return False
    version, named = lock.get("dataset_version"), manifest.get("dataset_version")
    return version is None or named is None or str(version) == str(named)


def _lock_files(lock: dict) -> dict[str, FileRef]:
    return {
        entry["path"]: _ref(entry, str(entry.get("kind", "")))
        for entry in lock.get("files") or []
        if isinstance(entry, dict) and isinstance(entry.get("path"), str)
    }


def _manifest_files(manifest: dict) -> dict[str, FileRef]:
    files = {}
    for section, kind in (("models", "model"), ("preprocessing", "preprocessing")):
        for entry in manifest.get(section) or []:
            if isinstance(entry, dict) and isinstance(entry.get("path"), str):
                files[entry["path"]] = _ref(entry, kind)
    return files


def _ref(entry: dict, kind: str) -> FileRef:
    size = entry.get("size_bytes")
    return FileRef(
        sha256=str(entry.get("sha256", "")).lower(),
        size=size if isinstance(size, int) else -1,
        kind=kind,
        id=str(entry.get("id", "")),
    )


def _version(*candidates: Any) -> str:
    for value in candidates:
        if value is not None and value != "" and not isinstance(value, bool | dict | list):
            return str(value)
    return "?"


def _json(data: bytes | None) -> Any:
    try:
        return parse_json(data, "a committed manifest or lock file") if data is not None else None
    except ValueError:
        return None
