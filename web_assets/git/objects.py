"""Read git objects without a checkout: one `git cat-file --batch` process for any number of them."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing
from pathlib import Path

from web_assets.errors import PublishError
from web_assets.git.run import run, start

CHUNK = 1 << 20
KINDS = {b"blob", b"tree", b"commit", b"tag"}


def objects(root: Path, names: Iterable[str]) -> Iterator[tuple[str, int | None, Iterator[bytes]]]:
    """Each name, its blob's size (None when it names no blob) and the blob's bytes in chunks.

    A name is anything cat-file takes: a blob id or `commit:path`. Names are fed from a thread,
    so git never blocks on a full pipe while we read; chunks a caller leaves unread are skipped.
    """
    process = start(root, "cat-file", "--batch")
    names = list(names)
    feeder = threading.Thread(target=_feed, args=(process.stdin, names), daemon=True)
    feeder.start()
    try:
        for name in names:
            header = process.stdout.readline()
            if not header:
                said = process.stderr.read().decode(errors="replace").strip()
                raise PublishError(
                    f"`git cat-file --batch` stopped in {root}: {said or 'no output'}"
                )
            fields = header.split()
            if len(fields) != 3 or fields[1] not in KINDS or not fields[2].isdigit():
                yield name, None, iter(())  # "<name> missing" or "<name> ambiguous"
                continue
            size = int(fields[2])
            if fields[1] != b"blob":
                _skip(process.stdout, size + 1)
                yield name, None, iter(())
                continue
            state = {"left": size}
            yield name, size, _chunks(process.stdout, state)
            _skip(process.stdout, state["left"])
            process.stdout.read(1)  # the newline that ends each object
    finally:
        # Kill before joining: a feeder blocked on a full pipe only returns once git is gone.
        if process.poll() is None:
            process.kill()
        process.wait()
        feeder.join()
        process.stdout.close()
        process.stderr.close()


def read_all(root: Path, names: Iterable[str]) -> dict[str, bytes | None]:
    """Small objects by name, whole: None for a name git does not know."""
    return {
        name: b"".join(chunks) if size is not None else None
        for name, size, chunks in objects(root, names)
    }


def _feed(stdin, names: list[str]) -> None:
    try:
        for name in names:
            stdin.write(name.encode() + b"\n")
        stdin.close()
    except (OSError, ValueError):
        pass  # git stopped or the reader gave up; the reader reports it


def _chunks(stdout, state: dict[str, int]) -> Iterator[bytes]:
    while state["left"]:
        chunk = stdout.read(min(CHUNK, state["left"]))
        if not chunk:
            raise PublishError("`git cat-file --batch` ended in the middle of an object.")
        state["left"] -= len(chunk)
        yield chunk


def _skip(stdout, left: int) -> None:
    while left:
        chunk = stdout.read(min(CHUNK, left))
        if not chunk:
            raise PublishError("`git cat-file --batch` ended in the middle of an object.")
        left -= len(chunk)


def restore(
    root: Path, commit: str, paths: list[str], write: Callable[[str, Iterator[bytes]], None]
) -> None:
    """Stream each file `paths` names, as committed in `commit`, to `write(path, chunks)`.

    Every path is looked up before the first write, so a missing one writes nothing. `write`
    gets an iterator of chunks of at most CHUNK bytes and should consume it; memory stays flat
    whatever the file's size. Paths are relative to `root`.
    """
    wanted = list(dict.fromkeys(paths))
    if not wanted:
        return
    listing = run(root, "ls-tree", "-z", commit, "--", *wanted, binary=True).stdout
    blobs = {}
    for entry in listing.decode(errors="surrogateescape").split("\0"):
        info, _, path = entry.partition("\t")
        fields = info.split()
        if len(fields) == 3 and fields[1] == "blob":
            blobs[path] = fields[2]
    missing = [path for path in wanted if path not in blobs]
    if missing:
        raise PublishError(
            f"Commit {commit[:8]} has no {', '.join(missing)}: choose a release that holds them."
        )
    # closing(): a `write` that fails stops git at once, not whenever the generator is collected.
    with closing(objects(root, [blobs[path] for path in wanted])) as streams:
        for path, (oid, size, chunks) in zip(wanted, streams, strict=True):
            if size is None:
                raise PublishError(
                    f"git has no object {oid} for {path}: the repository is damaged."
                )
            write(path, chunks)
