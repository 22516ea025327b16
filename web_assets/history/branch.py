"""How much history a branch has to read: none (an orphan or new branch), all of it, or a shallow part.

`git log` on a branch with no commit fails with "bad revision"; in a shallow clone it stops at the
clone's depth without a word. Both are said here in the user's terms, before the log is read.
"""

from __future__ import annotations

from pathlib import Path

from web_assets.errors import PublishError
from web_assets.git.run import run

UNSHALLOW = "`git fetch --unshallow` brings the rest"


def branch_tip(root: Path, ref: str) -> tuple[str | None, bool]:
    """The commit `ref` names (None: HEAD on a branch with no commit yet), and whether the clone
    is shallow (`git clone --depth N`: older history missing). One git process when all is well.
    """
    asked = ("--is-shallow-repository", "--verify", "--quiet", f"{ref}^{{commit}}")
    found = run(root, "rev-parse", *asked, check=False)
    if found.returncode == 0 and found.stdout.strip():
        shallow, commit = found.stdout.split()
        return commit, shallow == "true"
    inside = run(root, "rev-parse", "--is-inside-work-tree", check=False)
    if inside.returncode != 0 or inside.stdout.strip() != "true":
        raise PublishError(
            f"{root} is not in a git work tree: there is no release history to read. Run the "
            "command in the project's clone."
        )
    if ref == "HEAD":
        return None, False
    raise PublishError(f"{ref!r} names no commit here: name a branch, tag or commit.")


def shallow_note(shallow: bool) -> str:
    """What to add to a "not found" when the clone is shallow: older releases may exist."""
    if not shallow:
        return ""
    return f" This clone is shallow: older releases are not in it ({UNSHALLOW})."
