"""Pull-request mode: a release's commits on a branch of their own, `web-assets/v{version}`.

The publish runs in a linked worktree of ours, kept in the repository's git dir (so it is reused
and never shows in the user's tree), checked out on the release's branch. The user's branch,
index and work tree are never touched. The branch is made from the user's current branch and
tracks it: that is the pull request's base.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from web_assets.config.remote import github_repo, push_url
from web_assets.errors import PublishError
from web_assets.git.run import run, toplevel

BRANCH = "web-assets/v{version}"
# Beside our private files in the common git dir: one worktree per repository, reused.
WORKTREE = "web-assets-pr"


def pr_branch(version: int) -> str:
    return BRANCH.format(version=version)


def worktree_top(root: Path) -> Path:
    """Where our worktree lives: in the common git dir, shared by the user's own worktrees."""
    common = Path(run(root, "rev-parse", "--git-common-dir").stdout.rstrip("\n"))
    return (common if common.is_absolute() else root / common).resolve() / WORKTREE


@contextlib.contextmanager
def worktree_held(root: Path) -> Iterator[None]:
    """Our worktree for this process alone, from before it is switched until the run ends.

    The project's publish lock is taken only when the first step writes: by then a second
    pull-request publish would already have switched the worktree to its own branch.
    """
    path = worktree_top(root).with_name(f"{WORKTREE}.lock")
    busy = PublishError(
        f"Another pull-request publish is running in {root} (lock {path}): nothing was written. "
        "Wait for it to finish, then run again."
    )
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
    except OSError as err:
        if err.errno != errno.ELOOP:
            raise
        raise PublishError(f"{path} is a symlink: remove it and run again.") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise busy from None
        yield
    finally:
        os.close(fd)


def in_worktree(root: Path) -> bool:
    """Whether `root` is inside our worktree (the publish there is the pull request's)."""
    return toplevel(root).resolve() == worktree_top(root)


def current_branch(root: Path) -> str:
    """The branch the user is on: the pull request's base. A detached HEAD has none."""
    ref = run(root, "symbolic-ref", "--quiet", "HEAD", check=False).stdout.strip()
    if not ref.startswith("refs/heads/"):
        raise PublishError(
            f"{root} is on a detached HEAD: pr=true makes its branch from the current branch, "
            "so check out one (`git switch BRANCH`) and publish again. Nothing was written."
        )
    return ref.removeprefix("refs/heads/")


def _exists(root: Path, branch: str) -> bool:
    found = run(root, "rev-parse", "--verify", "--quiet", f"refs/heads/{branch}", check=False)
    return found.returncode == 0


def prepare_worktree(root: Path, version: int) -> tuple[Path, str]:
    """The project's folder in our worktree, on the release's branch (made from the current one),
    and the commit the branch was made at ("" when it existed).

    An existing branch is checked out as it is: a second publish of a version commits on top of
    the first, which the push then moves by fast-forward. Changes a killed run left in our
    worktree are discarded: the publish writes them again.
    """
    base, branch = current_branch(root), pr_branch(version)
    if branch == base:
        raise PublishError(
            f"{root} is on {branch}, the branch pr=true would make: switch to the branch it "
            "should be merged into, then publish again. Nothing was written."
        )
    tagged = run(root, "rev-parse", "--verify", "--quiet", f"refs/tags/{branch}", check=False)
    if tagged.returncode == 0 and not _exists(root, branch):
        raise PublishError(
            f"The release tag {branch} exists: a branch of that name would make `{branch}` "
            "name two things, and git refuses to push it. Publish this release without pr=true "
            f"(its tag is then {branch}-2), or delete the tag if it was never pushed "
            f"(`git tag -d {branch}`). Nothing was written."
        )
    top = worktree_top(root)
    if not (top / ".git").exists():
        # A worktree whose folder was deleted is still registered, and would block the add.
        run(root, "worktree", "prune")
        run(root, "worktree", "add", "--quiet", "--detach", str(top), "HEAD")
    made_at = ""
    if _exists(root, branch):
        run(top, "switch", "--quiet", "--discard-changes", branch)
    else:
        run(top, "switch", "--quiet", "--discard-changes", "--create", branch, "--track", base)
        made_at = run(top, "rev-parse", "HEAD").stdout.strip()
    project = os.path.relpath(root.resolve(), toplevel(root).resolve())
    return (top / project).resolve(), made_at


def leave_worktree(root: Path, version: int, made_at: str) -> None:
    """Hold no branch once the run ends, so that the user can delete it after the merge; a branch
    this run made and left without a commit (a refused publish) is deleted."""
    branch = pr_branch(version)
    run(worktree_top(root), "switch", "--quiet", "--detach", check=False)
    if made_at:
        # Compare-and-swap: a branch that got a commit meanwhile is kept.
        run(root, "update-ref", "-d", f"refs/heads/{branch}", made_at, check=False)


def base_of(root: Path, branch: str) -> str:
    """The branch `branch` was made from (its upstream), or "" when it tracks none."""
    found = run(
        root, "for-each-ref", "--format=%(upstream:short)", f"refs/heads/{branch}", check=False
    )
    return found.stdout.strip()


def compare_url(remote_url: str | None, base: str, branch: str) -> str:
    """GitHub's page that opens a pull request of `branch` into `base`; "" off GitHub."""
    repo = github_repo(remote_url)
    if repo is None or not base:
        return ""
    owner, name = repo
    return f"https://github.com/{owner}/{name}/compare/{base}...{branch}?expand=1"


def pr_fields(root: Path, remote: str, branch: str) -> dict[str, Any]:
    """What the summary says of a pull-request publish: its branch, base and compare URL."""
    base = base_of(root, branch)
    return {
        "branch": branch,
        "base": base,
        "url": compare_url(push_url(root, remote), base, branch),
    }
