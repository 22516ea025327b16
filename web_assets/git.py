"""A git call with an argument list, whose failure carries command and output; is this a work tree?

Commits are built by gitcommit.py, without touching the user's index.
"""

from __future__ import annotations

import subprocess
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
