"""Commits made with git's plumbing: the user's index, work tree and HEAD are untouched on failure.

A publish calls, in order: `repair_after_kill`, `refuse_unsafe_state` (before writing anything),
`build_commit` (once per commit, chained through `parent`), `move_branch` (`advance_branch`, then
`sync_index`, as one step that the next run finishes after a kill), `push`.
"""

from __future__ import annotations

import os
from collections.abc import Collection
from pathlib import Path
from typing import Any

from web_assets.errors import PublishError
from web_assets.git.index import (
    REF_MARKER,
    index_follows,
    refuse_locked,
    repair_after_kill,
    same_file,
    sync_index,
)
from web_assets.git.push import push
from web_assets.git.run import (
    failure,
    git_path,
    is_work_tree,
    output_of,
    private_dir,
    private_name,
    run,
    toplevel,
)
from web_assets.git.tags import tag_release

__all__ = [
    "advance_branch",
    "build_commit",
    "head_commit",
    "move_branch",
    "push",
    "refuse_unsafe_state",
    "repair_after_kill",
    "sync_index",
]

_IN_PROGRESS = {
    "MERGE_HEAD": ("a merge", "finish it with `git commit`, or `git merge --abort`"),
    "rebase-merge": ("a rebase", "finish it with `git rebase --continue`, or `git rebase --abort`"),
    "rebase-apply": (
        "a rebase or `git am`",
        "finish it (`git rebase --continue` / `git am --continue`) or abort it (`--abort`)",
    ),
    "CHERRY_PICK_HEAD": (
        "a cherry-pick",
        "finish it with `git cherry-pick --continue`, or `git cherry-pick --abort`",
    ),
    "REVERT_HEAD": ("a revert", "finish it with `git revert --continue`, or `git revert --abort`"),
    "BISECT_LOG": ("a bisect", "end it with `git bisect reset`"),
}


def refuse_unsafe_state(root: Path, branch: str | None) -> str:
    """The branch to publish on (`branch`, else the checked-out one); PublishError when git is busy.

    Refused: not a git work tree, a merge/rebase/am/cherry-pick/revert/bisect in progress, a detached
    HEAD without `branch`, no committer identity. Reads only; call it before writing anything.
    """
    if not is_work_tree(root):
        raise PublishError(
            f"{root} is not in a git work tree: run `git init` there (or clone the project), "
            "or publish with commit=false."
        )
    names = list(_IN_PROGRESS)
    asked = [arg for name in names for arg in ("--git-path", name)]
    paths = run(root, "rev-parse", *asked).stdout.splitlines()
    for name, path in zip(names, paths, strict=True):
        if (root / path).exists():
            what, fix = _IN_PROGRESS[name]
            raise PublishError(
                f"{what} is in progress in {root}: {fix}, then publish again. Nothing was written."
            )
    current = run(root, "symbolic-ref", "--quiet", "HEAD", check=False).stdout.strip()
    if not current.startswith("refs/heads/") and not branch:
        raise PublishError(
            f"{root} is on a detached HEAD: check out a branch (`git switch BRANCH`), or set "
            "branch=BRANCH to commit on this HEAD and push it to BRANCH. Nothing was written."
        )
    ident = run(root, "var", "GIT_COMMITTER_IDENT", check=False)
    if ident.returncode != 0:
        raise PublishError(
            f"git has no identity to commit with in {root}: run `git config --global user.name "
            '"Your Name"` and `git config --global user.email you@example.com`, then publish '
            f"again. Nothing was written. git said: {output_of(ident).splitlines()[-1]}"
        )
    refuse_locked(root)
    return branch or current.removeprefix("refs/heads/")


def head_commit(root: Path) -> str | None:
    """The commit HEAD is at, or None on a branch with no commit yet."""
    result = run(root, "rev-parse", "--verify", "--quiet", "HEAD^{commit}", check=False)
    return result.stdout.strip() or None


def _hash(top: Path, files: dict[str, Path], incompressible: Collection[str]) -> dict[str, str]:
    """Blob ids of `files`, written to the object store with the filters their paths select."""
    blobs: dict[str, str] = {}
    for fast in (True, False):
        group = {p: f for p, f in files.items() if (p in incompressible) == fast}
        config = ["-c", "core.looseCompression=0"] if fast else []
        # A file already at its place in the work tree is hashed by path, in one git call.
        in_place = [p for p, f in group.items() if "\n" not in p and same_file(top / p, f)]
        if in_place:
            out = run(top, *config, "hash-object", "-w", "--stdin-paths", input="\n".join(in_place))
            blobs.update(zip(in_place, out.stdout.split(), strict=True))
        for path in (p for p in group if p not in blobs):
            out = run(top, *config, "hash-object", "-w", f"--path={path}", "--", str(group[path]))
            blobs[path] = out.stdout.strip()
    return blobs


def _tree(root: Path, commit: str | None) -> str:
    if commit is None:
        return run(root, "hash-object", "-t", "tree", "--stdin", input="").stdout.strip()
    return run(root, "rev-parse", f"{commit}^{{tree}}").stdout.strip()


def _hook(top: Path, env: dict[str, str], name: str, *args: str) -> None:
    # Hooks get the user's own pathspec rules; only our commands are literal.
    command = ["hook", "run", "--ignore-missing", name, "--", *args]
    result = run(top, *command, env=env, check=False, literal=False)
    if result.returncode != 0:
        raise PublishError(
            f"the {name} hook refused the publish commit (status {result.returncode}); branch, "
            f"index and work tree are as they were. Fix what it reports and publish again:\n"
            f"{output_of(result)}"
        )


def _hooks(top: Path, env: dict[str, str], note: Path, message: str) -> None:
    """Run the user's pre-commit and commit-msg hooks; leave the cleaned message in `note`."""
    _hook(top, env, "pre-commit")
    note.write_text(message if message.endswith("\n") else message + "\n", encoding="utf-8")
    _hook(top, env, "commit-msg", str(note))
    cleaned = _clean(note.read_text(encoding="utf-8", errors="replace"))
    if not cleaned:
        raise PublishError("the commit-msg hook left an empty message: the publish stopped.")
    note.write_text(cleaned, encoding="utf-8")


def build_commit(
    root: Path,
    parent: str | None,
    files: dict[str, Path],
    message: str,
    incompressible: Collection[str] = (),
    removed: Collection[str] = (),
) -> str | None:
    """A commit of `parent`'s tree plus `files` (repo-relative POSIX path -> file), or None if unchanged.

    Built in a private index; the user's pre-commit and commit-msg hooks run on it. No ref, index or
    work-tree file of the user's changes. `incompressible` paths (model weights) skip zlib.
    `removed` paths (a rollback's files that the older release lacks) leave the tree.
    """
    top = toplevel(root)
    folder = private_dir(root)
    index = folder / private_name("build")
    note = folder / private_name("message")
    env = {"GIT_INDEX_FILE": str(index)}
    try:
        if parent is None:
            run(top, "read-tree", "--empty", env=env)
        else:
            run(top, "read-tree", parent, env=env)
        blobs = _hash(top, files, incompressible)
        entries = "".join(
            f"{_mode(files[path])} {blob}\t{path}\0" for path, blob in sorted(blobs.items())
        )
        run(top, "update-index", "--add", "-z", "--index-info", input=entries, env=env)
        if removed:
            gone = "".join(f"{path}\0" for path in removed)
            run(top, "update-index", "--force-remove", "-z", "--stdin", input=gone, env=env)
        base = _tree(top, parent)
        if run(top, "write-tree", env=env).stdout.strip() == base:
            return None
        _hooks(top, env, note, message)
        # The pre-commit hook may have staged more (a formatter): commit what the index holds now.
        tree = run(top, "write-tree", env=env).stdout.strip()
        if tree == base:
            return None
        links = ["-p", parent] if parent else []
        return run(top, "commit-tree", tree, *links, "-F", str(note), env=env).stdout.strip()
    finally:
        for leftover in (index, Path(f"{index}.lock"), note):
            leftover.unlink(missing_ok=True)


def _mode(file: Path) -> str:
    return "100755" if os.stat(file).st_mode & 0o100 else "100644"


def _clean(message: str) -> str:
    """git's `whitespace` cleanup, as `git commit -F` does after the commit-msg hook."""
    lines = [line.rstrip() for line in message.splitlines()]
    text = "\n".join(lines).strip("\n")
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text + "\n" if text else ""


def advance_branch(
    root: Path, branch: str, new: str, old: str | None, reflog: str = "web-assets: publish"
) -> None:
    """Move the checked-out branch (or a detached HEAD) from `old` to `new`, only if still at `old`.

    `branch` names the publish in messages; the ref moved is the one HEAD is on, as a commit would.
    """
    current = run(root, "symbolic-ref", "--quiet", "HEAD", check=False).stdout.strip()
    ref, deref = (current, []) if current else ("HEAD", ["--no-deref"])
    command = ["update-ref", *deref, "-m", reflog, ref, new, old or ""]
    # git's own locks for this ref, recorded so that a kill of our process group mid-update-ref
    # leaves nothing that repair_after_kill cannot tell from a running git's.
    locks = {f"{git_path(root, name)}.lock" for name in (ref, "HEAD")}
    marker = private_dir(root) / private_name(REF_MARKER)
    marker.write_text("".join(f"{lock}\n" for lock in sorted(locks)), encoding="utf-8")
    try:
        result = run(root, *command, check=False)
    finally:
        marker.unlink()
    if result.returncode == 0:
        return
    now = head_commit(root) or "no commit"
    if now != (old or "no commit"):
        raise PublishError(
            f"{ref} moved while publishing (expected {old or 'no commit'}, found {now}): the "
            f"publish commit {new[:10]} was not put on {branch}; nothing else changed. Publish again."
        )
    raise failure(root, ["git", *command], result, "the branch was not moved")


def move_branch(
    root: Path,
    branch: str,
    new: str,
    old: str | None,
    paths: list[str],
    reflog: str,
    tag: dict[str, Any] | None = None,
) -> str:
    """`advance_branch`, `sync_index(paths)`, then `tag_release(version=, lines=)` when `tag`
    says so; the tag's name. A kill after the move (the index on the old blobs, so that the
    user's next commit would revert the release; no tag) is finished by the next run."""
    with index_follows(root, new, paths, tag, old or ""):
        advance_branch(root, branch, new, old, reflog=reflog)
        sync_index(root, paths)
        return tag_release(root, commit=new, **tag) if tag else ""
