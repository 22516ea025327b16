"""GitHub's file size limits, checked before anything is committed for a github.com remote.

GitHub documents ("About large files on GitHub"): Git warns above 50 MiB and GitHub blocks
files larger than 100 MiB on push.
"""

from __future__ import annotations

import re
from pathlib import Path

from web_assets.git.run import run

MiB = 1 << 20
GITHUB_BLOCK = 100 * MiB
GITHUB_WARN = 50 * MiB
_GITHUB = re.compile(
    r"^(?:(?:https?|git|ssh)://(?:[^@/]+@)?github\.com(?::\d+)?/|(?:[^@/]+@)?github\.com:)",
    re.IGNORECASE,
)


def is_github(url: str | None) -> bool:
    """Whether a remote URL (https, ssh://, scp-like git@github.com:) points at github.com."""
    return bool(url) and _GITHUB.match(url.strip()) is not None


def git_size_problems(
    files: list[tuple[str, int]], remote_url: str | None
) -> tuple[list[str], list[str]]:
    """(refusals, warnings) for files (name, size in bytes) about to be committed and pushed."""
    if not is_github(remote_url):
        return [], []
    refusals, warnings = [], []
    for name, size in files:
        shown = f"{size / MiB:.2f} MiB"
        if size > GITHUB_BLOCK:
            refusals.append(
                # The remote URL itself is left out: it may carry a token.
                f"{name} is {shown}: GitHub refuses files larger than 100 MiB on push to the "
                'github.com remote; publish it to an object store with storage = "s3"'
            )
        elif size > GITHUB_WARN:
            warnings.append(
                f"{name} is {shown}: larger than GitHub's recommended maximum of 50 MiB; "
                'consider storage = "s3"'
            )
    return refusals, warnings


def remote_url(root: Path, remote: str = "origin") -> str | None:
    """`git remote get-url remote` in root, or None when there is no such remote or no repo."""
    result = run(root, "remote", "get-url", remote, check=False)
    url = result.stdout.strip()
    return url if result.returncode == 0 and url else None
