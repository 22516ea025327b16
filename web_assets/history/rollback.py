"""Roll back: publish an earlier release again, as a new commit, from git objects alone.

`plan_rollback` makes every refusal (reads only); `apply_rollback` writes, commits and pushes.
History is never rewritten: the rollback is a commit on top of the branch, like a publish.
"""

from __future__ import annotations

import hashlib
import sys
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from web_assets.config.converters import output_path
from web_assets.config.settings import Settings
from web_assets.errors import PublishError
from web_assets.files.atomic import WriteBatch
from web_assets.files.digests import cache_for
from web_assets.files.hashing import FileDigest
from web_assets.git import commit as gitcommit
from web_assets.git.objects import read_all, restore
from web_assets.git.run import is_work_tree, run, toplevel
from web_assets.history import rollback_journal as journal
from web_assets.history import rollback_store as store
from web_assets.history.log import PastRelease, list_releases
from web_assets.history.names import resolve
from web_assets.records.jsonio import parse_json
from web_assets.verify.pins import committed_pins, refuse_unserved

MESSAGE = "chore: roll back web assets to version {version} (commit {commit})"


@dataclass(frozen=True)
class Rollback:
    settings: Settings
    target: PastRelease
    current: PastRelease
    branch: str
    parent: str
    restored: list[str]  # root-relative paths written from the target's commit
    removed: list[str]  # the current release's files that the target does not have
    # storage = "s3": files fetched from the object store (not in git), and their (bucket, key)
    fetched: dict[str, tuple[str, str]] = field(default_factory=dict)

    @property
    def message(self) -> str:
        return MESSAGE.format(version=self.target.version, commit=self.target.commit[:8])


def plan_rollback(settings: Settings, to: str | None) -> Rollback:
    """The rollback `to` names, or a one-line PublishError; nothing is written (a killed
    rollback's leftovers aside: they are set right first)."""
    root = settings.root
    if not to or not to.strip():
        raise PublishError(
            "Name the release to roll back to: `doit rollback to=VERSION` or `to=COMMIT` "
            "(`doit releases` lists them)."
        )
    if not is_work_tree(root):
        raise PublishError(
            f"{root} is not in a git work tree: there is no release to roll back to."
        )
    gitcommit.repair_after_kill(root)
    repaired = journal.finish_killed_rollback(root)
    if repaired:
        print(repaired, file=sys.stderr)
    branch = gitcommit.refuse_unsafe_state(root, settings.branch)
    manifest, lock = settings.relative(settings.manifest), settings.relative(settings.lock_file)
    releases = list_releases(root, "HEAD", manifest, lock)
    if not releases:
        raise PublishError(
            f"No release on branch {branch}: there is nothing to roll back to. Nothing was written."
        )
    target = resolve(releases, to, root)
    if not target.has_lock:
        # Without its lock file a release names no dataset and no source: a plain `doit` after it
        # could not tell what is published, and `doit verify` would have nothing to check against.
        raise PublishError(
            f"Release {target.version} (commit {target.commit[:8]}) was made by hand, without a "
            f"lock file describing it: a rollback restores a release made by this tool. Known "
            f"versions: {', '.join(dict.fromkeys(r.version for r in releases if r.has_lock))}."
        )
    current = releases[0]
    if (target.manifest, target.lock) == (current.manifest, current.lock):
        raise PublishError(
            f"Version {target.version} (commit {target.commit[:8]}) is what is published now: "
            "there is nothing to roll back."
        )
    if settings.storage == "s3":
        store.refuse_missing_objects(settings, target)
    # A file kept in the object store is not in git: it is fetched from the store, not committed.
    fetched = store.object_paths(target.lock)
    stored = fetched.keys() | store.object_paths(current.lock).keys()
    restored = list(dict.fromkeys([*sorted(set(target.files) - stored), manifest, lock]))
    now = set(current.files) | _head_lock_files(root, lock)
    removed = sorted(now - set(restored) - stored)
    for path in [*restored, *removed, *fetched]:
        _inside(settings, path, target)
    _refuse_changes(root, [*restored, *removed])
    parent = gitcommit.head_commit(root) or ""
    return Rollback(settings, target, current, branch, parent, restored, removed, fetched)


def apply_rollback(plan: Rollback) -> dict[str, Any]:
    """Restore the target's files byte for byte, commit, then remove the others; push when asked.

    Recoverable at every point (rollback_journal.py): the plan is recorded before the first
    write, the commit before the branch moves to it, and a file the target lacks is removed only
    once the branch holds its removal. A failure before the branch moved puts HEAD's files back.
    """
    settings, root = plan.settings, plan.settings.root
    top = toplevel(root)
    files = {_top(root, top, path): root / path for path in plan.restored}
    removed = [_top(root, top, path) for path in plan.removed]
    journal.record_start(
        root, plan.parent, plan.restored, plan.removed, sorted(plan.fetched), plan.target.commit
    )
    try:
        written = _restore_all(plan)
        sha = _commit(plan, files, removed)
    except BaseException:
        # Left undone, the record makes the next command set it right.
        with suppress(PublishError, OSError):
            journal.set_right(root)
        raise
    for path in plan.removed:
        (root / path).unlink(missing_ok=True)
    gitcommit.sync_index(root, [*files, *removed])
    journal.record_done(root)
    cache = cache_for(root)
    for path, digest in written.items():
        cache.record_written(root / path, digest)
    pushed = _push(plan, sha or "") if settings.push else ""
    return {"commit": sha or "", "pushed": pushed, "written": sorted(written)}


def _push(plan: Rollback, sha: str) -> str:
    """Push the rollback's commit (HEAD when it made none); where it went."""
    settings, root = plan.settings, plan.settings.root
    tip, where = sha or plan.parent, f"{settings.remote} {plan.branch}"
    # A release made before pins were checked may pin a commit off the branch: never sent.
    manifest = settings.relative(settings.manifest)
    pinned = committed_pins(root, tip, manifest, settings.uri_template)
    try:
        refuse_unserved(root, tip, pinned, where)
    except PublishError as err:
        raise PublishError(
            f"The rollback is committed ({tip[:10]}) but not pushed. {err}"
        ) from None
    try:
        gitcommit.push(root, settings.remote, plan.branch, [sha] if sha else [])
    except PublishError as err:
        # The commit stays: history is never rewritten, and `git push` sends it later.
        raise PublishError(
            f"The rollback is committed ({sha[:10]}) but not pushed: push it with `git push "
            f"{settings.remote} {plan.branch}` once the remote takes it. {err}"
        ) from None
    return where


def _commit(plan: Rollback, files: dict[str, Path], removed: list[str]) -> str | None:
    """The rollback's commit, recorded, then the branch moved to it."""
    root = plan.settings.root
    top = toplevel(root)
    models = {_top(root, top, p) for p, ref in plan.target.files.items() if ref.kind == "model"}
    sha = gitcommit.build_commit(
        root, plan.parent, files, plan.message, incompressible=models, removed=removed
    )
    if sha:
        journal.record_commit(root, sha)
        gitcommit.advance_branch(
            root,
            plan.branch,
            sha,
            plan.parent,
            reflog=f"web-assets: roll back to version {plan.target.version}",
        )
    return sha


def _restore_all(plan: Rollback) -> dict[str, FileDigest]:
    """Every file streamed from git (or the object store) into one WriteBatch; none replaced
    until all are checked.

    The batch is committed once the last file is written and its digest matches the target's
    lock file: a mismatch (a lock edited by hand) or any failure replaces nothing.
    """
    root, expected = plan.settings.root, plan.target.files
    digests: dict[str, FileDigest] = {}
    batch = WriteBatch()

    def write(path: str, chunks) -> None:
        digest, size = hashlib.sha256(), 0
        with batch.writer(root / path) as stream:
            for chunk in chunks:
                stream.write(chunk)
                digest.update(chunk)
                size += len(chunk)
        digests[path] = FileDigest(digest.hexdigest(), size)
        ref = expected.get(path)
        if ref is not None and (ref.sha256, ref.size) != (digests[path].sha256, size):
            raise PublishError(
                f"Commit {plan.target.commit[:8]} holds other bytes for {path} than its lock "
                "file records: that release cannot be restored byte for byte. Nothing was "
                "written."
            )

    try:
        restore(root, plan.target.commit, plan.restored, write)
        store.fetch(plan.settings, plan.fetched, write)
    except BaseException:
        batch.abort()
        raise
    batch.commit()
    return digests


def _head_lock_files(root: Path, lock: str) -> set[str]:
    """The files HEAD's lock file names, also when it does not describe HEAD's manifest."""
    data = read_all(root, [f"HEAD:./{lock}"]).get(f"HEAD:./{lock}")
    try:
        files = parse_json(data, f"HEAD:{lock}")["files"] if data is not None else []
    except (ValueError, TypeError, KeyError):
        return set()
    return {
        entry["path"]
        for entry in (files if isinstance(files, list) else [])
        if isinstance(entry, dict) and isinstance(entry.get("path"), str)
    }


def _inside(settings: Settings, path: str, target: PastRelease) -> None:
    """A path from a lock file is written only inside the project, never in .git or via a link."""
    try:
        resolved = output_path(settings.root, "path", path)
    except PublishError:
        resolved = None
    if resolved is None or ".git" in Path(path).parts or resolved == settings.root:
        raise PublishError(
            f"Release {target.version} (commit {target.commit[:8]}) names {path!r}, which is not "
            "a file inside the project: it cannot be rolled back to. Nothing was written."
        )


def _refuse_changes(root: Path, paths: list[str]) -> None:
    """Refuse when a file the rollback writes or removes has uncommitted changes, or is untracked."""
    output = run(
        root,
        "status",
        "--porcelain",
        "-z",
        "--untracked-files=all",
        "--no-renames",
        "--",
        *paths,
        binary=True,
    ).stdout
    changed = sorted(
        {entry[3:] for entry in output.decode(errors="surrogateescape").split("\0") if entry}
    )
    if changed:
        raise PublishError(
            f"Uncommitted changes to published files: {', '.join(changed)}. Commit them, or "
            "discard them with `git checkout -- PATH` (remove untracked ones), then roll back "
            "again. Nothing was written."
        )


def _top(root: Path, top: Path, path: str) -> str:
    return (root / path).relative_to(top).as_posix()
