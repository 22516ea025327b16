"""What a rollback in progress has done, so that the next command can set a killed one right.

A rollback records its plan (`.web-assets/rollback.json`) before its first write, and the commit
it made before it moves the branch; it removes the record last. A record whose process is gone
means a rollback was killed: `finish_killed_rollback` then makes every path the rollback writes or
removes match HEAD (the old release when the branch had not moved, the rollback's commit when it
had), refreshes those entries of the user's index, and removes the temp files and the record.
Only while HEAD is on the branch the rollback started on (also after a commit of the user's),
and only files holding bytes the rollback could have left (the old release's or the target's):
anything else is the user's.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from web_assets.errors import PublishError
from web_assets.files import publish_lock
from web_assets.files.atomic import WriteBatch, atomic_write_bytes, partial_path
from web_assets.git import commit as gitcommit
from web_assets.git.objects import restore
from web_assets.git.run import is_work_tree, owner_alive, private_name, run, toplevel
from web_assets.records.jsonio import parse_json

JOURNAL = "rollback.json"


def journal_path(root: Path) -> Path:
    return publish_lock.state_dir(root) / JOURNAL


def record_start(
    root: Path,
    parent: str,
    restored: list[str],
    removed: list[str],
    fetched: list[str],
    target: str = "",
) -> None:
    """Written before the rollback's first write to the work tree. `fetched` files come from the
    object store, not git: those there now are kept aside (hard links), for a repair that undoes
    the rollback to put back."""
    kept = [path for path in fetched if (root / path).is_file()]
    data = {
        "owner": private_name("rollback"),
        "parent": parent,
        "ref": _ref(root),
        "target": target,
        "commit": "",
        "restored": restored,
        "removed": removed,
        "fetched": fetched,
        "kept": kept,
    }
    _write(root, data)
    folder = _kept_dir(root)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    for number, path in enumerate(fetched):
        if path in kept:
            _link(root / path, folder / str(number))


def record_commit(root: Path, commit: str) -> None:
    """Written once the rollback's commit exists, before the branch moves to it."""
    data = _read(root)
    if data is not None:
        _write(root, {**data, "commit": commit})


def record_done(root: Path) -> None:
    shutil.rmtree(_kept_dir(root), ignore_errors=True)
    journal_path(root).unlink(missing_ok=True)


def _kept_dir(root: Path) -> Path:
    return publish_lock.state_dir(root) / "rollback-kept"


def _link(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)  # a file system without hard links


def _put_back_fetched(root: Path, data: dict) -> None:
    """The files fetched from the store as they were before the rollback: a file kept aside goes
    back; one that was not there is removed. A kept file with no copy aside was never replaced."""
    folder, kept = _kept_dir(root), set(data.get("kept", []))
    for number, path in enumerate(data.get("fetched", [])):
        aside = folder / str(number)
        if path in kept and aside.is_file():
            os.replace(aside, root / path)
        elif path not in kept and "kept" in data:
            (root / path).unlink(missing_ok=True)


def finish_killed_rollback(root: Path) -> str | None:
    """Set right what a killed rollback left; what was done, in one line, or None if nothing.

    Skipped while the rollback that wrote the record (or any other publish) still runs.
    """
    data = _read(root)
    if data is None or owner_alive(str(data.get("owner", ""))):
        return None
    try:
        publish_lock.take(root)
    except PublishError:
        return None  # another publish runs: it holds the work tree
    try:
        return _repair(root, data)
    finally:
        publish_lock.drop(root)


def set_right(root: Path) -> str | None:
    """What finish_killed_rollback does, for the rollback of this process that just failed."""
    data = _read(root)
    return _repair(root, data) if data is not None else None


def _repair(root: Path, data: dict) -> str:
    restored, removed = list(data["restored"]), list(data["removed"])
    paths = list(dict.fromkeys([*restored, *removed]))
    for path in [*paths, *data.get("fetched", [])]:
        partial_path(root / path).unlink(missing_ok=True)
    head = gitcommit.head_commit(root) or ""
    ours = head in {data["parent"], data["commit"]}
    if (
        not is_work_tree(root)
        or data.get("ref", _ref(root)) != _ref(root)
        or not (ours or data.get("target"))
    ):
        # Another branch checked out since: its work tree is the user's.
        record_done(root)
        return "A killed rollback's temp files were removed; HEAD has moved since, files are kept."
    # Only bytes the rollback could have left are set to HEAD's (also after a commit of the
    # user's on top): a file with any other bytes was written by the user since.
    kept = _edited(root, paths, [data["parent"], data.get("target", "")])
    done = [path for path in paths if path not in kept]
    _match_head(root, done)
    top = toplevel(root)
    # A kill after the move left the index on the old release: every path follows HEAD.
    synced = paths if ours else done
    if head != data["commit"]:
        _put_back_fetched(root, data)
    gitcommit.sync_index(root, [(root / path).relative_to(top).as_posix() for path in synced])
    record_done(root)
    note = f" Your changes to {', '.join(kept)} are kept." if kept else ""
    if head == data["parent"]:
        return f"A killed rollback was undone: the published files are HEAD's again.{note}"
    if ours:
        return (
            f"A killed rollback was finished: the published files are those of {head[:10]}.{note}"
        )
    return f"A killed rollback was set right: the published files are those of HEAD ({head[:10]}).{note}"


def _ref(root: Path) -> str:
    """The branch HEAD is on ("" when detached)."""
    return run(root, "symbolic-ref", "--quiet", "HEAD", check=False).stdout.strip()


def _edited(root: Path, paths: list[str], commits: list[str]) -> list[str]:
    """The paths whose bytes none of `commits` holds: written since by the user, not the rollback.

    A record without the target commit (an older one) cannot tell: none is kept.
    """
    if not all(commits):
        return []
    present = [path for path in paths if (root / path).is_file()]
    if not present:
        return []
    ids = run(root, "hash-object", "--no-filters", "--", *present).stdout.split()
    held: set[tuple[str, str]] = set()
    for commit in commits:
        listing = run(root, "ls-tree", "-z", commit, "--", *present).stdout
        for line in filter(None, listing.split("\0")):
            info, path = line.split("\t", 1)
            held.add((path, info.split()[2]))
    return [path for path, blob in zip(present, ids, strict=True) if (path, blob) not in held]


def _match_head(root: Path, paths: list[str]) -> None:
    """Every path as HEAD holds it, written as one batch; a path HEAD lacks is removed."""
    listing = run(root, "ls-tree", "-z", "--name-only", "HEAD", "--", *paths).stdout
    held = {name for name in listing.split("\0") if name}  # relative to root, as given
    batch = WriteBatch()

    def write(path: str, chunks) -> None:
        with batch.writer(root / path) as stream:
            for chunk in chunks:
                stream.write(chunk)

    try:
        restore(root, "HEAD", [path for path in paths if path in held], write)
        batch.commit()
    except BaseException:
        batch.abort()
        raise
    for path in paths:
        if path not in held:
            (root / path).unlink(missing_ok=True)


def _read(root: Path) -> dict | None:
    path = journal_path(root)
    try:
        data = parse_json(path.read_bytes(), str(path))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, PublishError):
        data = None
    fields = ("owner", "parent", "commit", "restored", "removed")
    if not isinstance(data, dict) or any(name not in data for name in fields):
        raise PublishError(
            f"{path} is damaged: it records a rollback in progress. Check `git status`, put back "
            "what it shows with `git checkout -- PATH`, then remove the file and run again."
        )
    return data


def _write(root: Path, data: dict) -> None:
    publish_lock.make_state_dir(root)
    text = json.dumps(data, indent=2, sort_keys=True) + "\n"
    atomic_write_bytes(journal_path(root), text.encode())
