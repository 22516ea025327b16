"""How much history a branch has to read: none (an orphan or new branch), all of it, or a shallow part.

`git log` on a branch with no commit fails with "bad revision"; in a shallow clone it stops at the
clone's depth without a word. Both are said here in the user's terms, before the log is read.
"""

from __future__ import annotations

from pathlib import Path

from web_assets.errors import PublishError
from web_assets.git.objects import run_git

UNSHALLOW = "`git fetch --unshallow` brings the rest"


def head_commit(root: Path, ref: str) -> str | None:
    """The commit `ref` names; None for HEAD on a branch with no commit yet; one line otherwise."""
    output = run_git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", check=False)
    if output:
        return output.decode().strip()
    inside = run_git(root, "rev-parse", "--is-inside-work-tree", check=False)
    if inside is None or inside.strip() != b"true":
        raise PublishError(
            f"{root} is not in a git work tree: there is no release history to read. Run the "
            "command in the project's clone."
        )
    if ref == "HEAD":
        return None
    raise PublishError(f"{ref!r} names no commit here: name a branch, tag or commit.")


def is_shallow(root: Path) -> bool:
    """Whether this clone lacks older history (`git clone --depth N`)."""
    output = run_git(root, "rev-parse", "--is-shallow-repository", check=False)
    return output is not None and output.strip() == b"true"


def shallow_note(shallow: bool) -> str:
    """What to add to a "not found" when the clone is shallow: older releases may exist."""
    if not shallow:
        return ""
    return f" This clone is shallow: older releases are not in it ({UNSHALLOW})."
