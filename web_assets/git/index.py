"""The one write to the user's index, made so that a kill at any moment never leaves a blocking lock.

How: a file of ours, named after our pid, is hard-linked to `index.lock` (atomic, and fails when git
holds the lock), so the lock's inode is recorded before the lock exists. The new index is built from a
copy of the user's index, written into that inode, fsynced and renamed over `index`. A later run that
finds `index.lock` sharing its inode with the file of a dead pid knows the lock is ours and removes it;
any other lock belongs to git and is never touched.

Moving the branch and refreshing the index are one recoverable step: before the move, a record of
ours says which paths of the index must match which commit; it is removed after the refresh. A run
that finds the record of a killed process finishes the refresh while HEAD is still at that commit.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from web_assets.errors import PublishError
from web_assets.git.run import (
    PRIVATE_DIR,
    git_path,
    owner_alive,
    private_dir,
    private_name,
    run,
    toplevel,
)
from web_assets.git.tags import tag_release

HOLDER = "index-lock"
REF_MARKER = "ref-lock"
PENDING = "index-sync"
# The records this process is moving a branch for: an in-process publish (a notebook) outlives
# one, so a record of our own pid that is not listed here was left by a failure, not a run.
_ACTIVE: set[str] = set()


def same_file(a: Path, b: Path) -> bool:
    """Whether `a` and `b` are one file (a hard link, or one path); False when either is missing."""
    try:
        return a.samefile(b)
    except OSError:
        return False


def repair_after_kill(root: Path) -> list[str]:
    """Set right what a killed publish of ours left: finish an index refresh after a branch move,
    remove private files and our own `index.lock`.

    Returns the removed paths. A lock taken by a git process, or files of a running publish, stay.
    PublishError when an index refresh is due and git holds the index lock.
    """
    removed = _remove_leftovers(root)
    _finish_syncs(root)
    return removed


def _remove_leftovers(root: Path) -> list[str]:
    try:
        folder = git_path(root, PRIVATE_DIR)
        lock = Path(f"{git_path(root, 'index')}.lock")
    except PublishError:
        return []
    if not folder.is_dir():
        return []
    removed = []
    for leftover in sorted(folder.iterdir()):
        if owner_alive(leftover.name) or leftover.name.startswith(PENDING + "."):
            continue
        if leftover.name.startswith(HOLDER + ".") and same_file(leftover, lock):
            lock.unlink()
            removed.append(str(lock))
        if leftover.name.startswith(REF_MARKER + "."):
            removed += _ref_locks(leftover)
        leftover.unlink(missing_ok=True)
        removed.append(str(leftover))
    return removed


@contextmanager
def index_follows(
    root: Path,
    commit: str,
    paths: list[str],
    tag: dict[str, Any] | None = None,
    base: str | None = None,
) -> Iterator[None]:
    """Record, for the block that moves the branch from `base` to `commit` and then runs
    `sync_index(paths)` (and `tag_release(**tag)`), that the index must follow and the tag be
    made; a kill inside it is finished by the next `repair_after_kill`. `base` is "" for a branch
    with no commit; None refreshes every path, whatever the user staged since."""
    folder = private_dir(root)
    record = folder / private_name(PENDING)
    staged = folder / private_name("pending")
    wanted = {"base": base, "commit": commit, "paths": sorted(paths), "tag": tag}
    data = json.dumps(wanted, sort_keys=True)
    with open(staged, "w", encoding="utf-8") as stream:
        stream.write(data + "\n")
        stream.flush()
        os.fsync(stream.fileno())
    _ACTIVE.add(record.name)
    try:
        os.replace(staged, record)
        _fsync_dir(folder)
        yield
        record.unlink()
    except BaseException:
        # Here the branch did not move (compare-and-swap refused) or git holds the index lock:
        # the record stays only if the move happened, for the next run to finish the refresh.
        if _head(root) != commit:
            record.unlink(missing_ok=True)
        raise
    finally:
        _ACTIVE.discard(record.name)


def _head(root: Path) -> str:
    return run(root, "rev-parse", "--verify", "--quiet", "HEAD", check=False).stdout.strip()


def _abandoned(name: str) -> bool:
    mine = name.split(".")[1:2] == [str(os.getpid())]
    return name not in _ACTIVE and (mine or not owner_alive(name))


def _finish_syncs(root: Path) -> None:
    """Refresh the index for each record a killed publish left while HEAD is at its commit;
    drop the others (the branch never moved, or the user has moved on since)."""
    try:
        folder = git_path(root, PRIVATE_DIR)
    except PublishError:
        return
    if not folder.is_dir():
        return
    for record in sorted(folder.glob(PENDING + ".*")):
        if not _abandoned(record.name):
            continue
        try:
            wanted = json.loads(record.read_text(encoding="utf-8"))
            commit, paths = str(wanted["commit"]), [str(path) for path in wanted["paths"]]
            tag = wanted.get("tag")
            tag = (
                {"version": int(tag["version"]), "lines": list(map(str, tag["lines"]))}
                if tag
                else None
            )
        except (OSError, ValueError, TypeError, KeyError):
            commit, paths, tag = "", [], None
        if commit and paths and _head(root) == commit:
            if isinstance(wanted.get("base"), str):
                paths = _as_left(root, wanted["base"], paths)
            sync_index(root, paths)
            if tag:
                # A tag that cannot be made must not stop every later command: it is left out.
                with suppress(PublishError):
                    tag_release(root, commit=commit, **tag)
        record.unlink(missing_ok=True)


def _as_left(root: Path, base: str, paths: list[str]) -> list[str]:
    """The paths whose index entry is still `base`'s, as the kill left it: another was staged
    by the user since, and stays."""
    top = toplevel(root)
    staged = run(top, "ls-files", "-z", "--stage", "--", *paths).stdout
    listed = run(top, "ls-tree", "-z", "--full-tree", base, "--", *paths).stdout if base else ""
    index = {line.split("\t", 1)[1]: line.split()[1] for line in filter(None, staged.split("\0"))}
    held = {line.split("\t", 1)[1]: line.split()[2] for line in filter(None, listed.split("\0"))}
    return [path for path in paths if index.get(path) == held.get(path)]


def _ref_locks(marker: Path) -> list[str]:
    """The ref locks of an update-ref killed with our process: made after the marker was."""
    removed = []
    since = marker.stat().st_mtime
    for line in marker.read_text(encoding="utf-8", errors="replace").splitlines():
        lock = Path(line)
        try:
            if lock.name.endswith(".lock") and lock.stat().st_mtime >= since:
                lock.unlink()
                removed.append(line)
        except FileNotFoundError:
            continue
    return removed


def _holders(lock: Path) -> str:
    """Which processes have `lock` open (Linux), for the refusal message."""
    found = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            if any(same_file(fd, lock) for fd in (proc / "fd").iterdir()):
                command = (
                    (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                )
                found.append(f"pid {proc.name} ({command.strip()})")
        except OSError:
            continue
    return ", ".join(found)


def refuse_locked(root: Path, after: str = "Nothing was written.") -> None:
    """PublishError naming the holder when git's `index.lock` exists (ours from a kill is removed)."""
    lock = Path(f"{git_path(root, 'index')}.lock")
    if not lock.exists() or (_remove_leftovers(root) and not lock.exists()):
        return
    who = _holders(lock)
    raise PublishError(
        f"{lock} exists: "
        + (
            f"git is running in this repository ({who}); wait for it to finish"
            if who
            else "a git command is running, or one was killed; when none runs, remove it "
            f"(`rm {lock}`)"
        )
        + f", then publish again. {after}"
    )


def _take(root: Path, lock: Path, holder: Path) -> None:
    for _attempt in (1, 2):
        try:
            os.link(holder, lock)
            return
        except FileExistsError:
            refuse_locked(
                root,
                "The publish commit is on the branch; only the index was not refreshed "
                "(the next publish does it).",
            )
    raise PublishError(f"{lock} was taken again at once: another git command is running.")


def _entries(top: Path, paths: list[str]) -> str:
    """`update-index --index-info` lines setting each path to HEAD's blob, or removing it."""
    head = run(top, "rev-parse", "--verify", "--quiet", "HEAD", check=False).stdout.strip()
    listed: dict[str, str] = {}
    if head and paths:
        out = run(top, "ls-tree", "-z", "--full-tree", head, "--", *paths).stdout
        for line in filter(None, out.split("\0")):
            info, path = line.split("\t", 1)
            mode, kind, blob = info.split()
            if kind == "blob":
                listed[path] = f"{mode} {blob}"
    zero = "0" * (len(head) or 40)
    return "".join(f"{listed.get(path, f'0 {zero}')}\t{path}\0" for path in paths)


def sync_index(root: Path, paths: list[str]) -> None:
    """Make the user's index entries for `paths` (repo-relative) match HEAD; leave every other one.

    Idempotent: call it after every publish, also when nothing was committed, so that one killed
    between moving the branch and this step is set right. PublishError when git holds the lock.
    """
    top = toplevel(root)
    index = git_path(root, "index")
    lock = Path(f"{index}.lock")
    folder = private_dir(root)
    holder = folder / private_name(HOLDER)
    staged = folder / private_name("sync")
    descriptor = os.open(holder, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        _take(root, lock, holder)
        try:
            # Read only once the lock is ours: no git command can write the index in between.
            if index.exists():
                shutil.copyfile(index, staged)
            env = {"GIT_INDEX_FILE": str(staged)}
            run(top, "update-index", "-z", "--index-info", input=_entries(top, paths), env=env)
            # Stat data for the new entries, so `git status` need not hash the models again.
            run(top, "update-index", "-q", "--refresh", env=env, check=False)
            with open(staged, "rb") as source, os.fdopen(os.dup(descriptor), "wb") as target:
                shutil.copyfileobj(source, target, 1 << 20)
                target.flush()
                os.fsync(target.fileno())
            os.replace(lock, index)
        except BaseException:
            if same_file(lock, holder):
                lock.unlink()
            raise
        _fsync_dir(index.parent)
    finally:
        os.close(descriptor)
        for leftover in (holder, staged, Path(f"{staged}.lock")):
            leftover.unlink(missing_ok=True)


def _fsync_dir(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
