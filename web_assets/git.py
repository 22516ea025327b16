"""The git calls of the commit step: argument lists, and failures that carry command and output."""

from __future__ import annotations

import subprocess
from collections.abc import Collection
from pathlib import Path

from web_assets.errors import PublishError


def git(root: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    command = ["git", *args]
    try:
        result = subprocess.run(command, cwd=root, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise PublishError(
            "git is not installed: install git, or publish with commit=false."
        ) from None
    if check and result.returncode != 0:
        output = (result.stderr + result.stdout).strip()
        raise PublishError(
            f"`{' '.join(command)}` failed with status {result.returncode} in {root}:\n{output}"
        )
    return result


def is_work_tree(root: Path) -> bool:
    result = git(root, "rev-parse", "--is-inside-work-tree", check=False)
    return result.returncode == 0 and result.stdout.strip() == "true"


def commit_paths(
    root: Path, paths: list[str], message: str, incompressible: Collection[str] = ()
) -> str:
    """Commit exactly `paths`: whatever else the user has staged or changed stays as it was.

    `incompressible` paths (model weights) are staged without zlib work: it would take seconds
    per hundred MiB and save almost nothing. Returns the new commit's id, or "" when those paths
    hold nothing new.
    """
    binary = [path for path in paths if path in incompressible]
    text = [path for path in paths if path not in incompressible]
    if binary:
        git(root, "-c", "core.looseCompression=0", "add", "--", *binary)
    if text:
        git(root, "add", "--", *text)
    # `status`, not `diff --cached`: it also sees what is staged on a branch with no commit yet.
    if not git(root, "status", "--porcelain", "--untracked-files=no", "--", *paths).stdout.strip():
        return ""
    # With pathspecs, `git commit` takes only those paths and leaves the rest of the index alone.
    git(root, "commit", "--quiet", "-m", message, "--only", "--", *paths)
    return git(root, "rev-parse", "HEAD").stdout.strip()


def current_branch(root: Path) -> str:
    result = git(root, "symbolic-ref", "--quiet", "--short", "HEAD", check=False)
    if result.returncode != 0:
        raise PublishError(
            f"{root} is on a detached HEAD: set `branch` to the branch to push to, or check one out."
        )
    return result.stdout.strip()


def push(root: Path, remote: str, branch: str) -> None:
    # The pack for a push would deflate model weights again, for no gain: send them as they are.
    result = git(
        root,
        "-c",
        "pack.compression=0",
        "push",
        "--porcelain",
        remote,
        f"HEAD:refs/heads/{branch}",
        check=False,
    )
    if result.returncode != 0:
        output = (result.stderr + result.stdout).strip()
        raise PublishError(
            f"Push to {remote} {branch} was refused; the local commit is kept. Bring the branch up "
            f"to date (`git pull --rebase {remote} {branch}`) and run again. git said:\n{output}"
        )
