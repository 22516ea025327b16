"""git for tests: a pinned environment, a repo with a user's work in progress, a publish through
web_assets.git.commit."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from web_assets.git import commit as gitcommit


def pin_git_environment(patch: pytest.MonkeyPatch, home: Path) -> None:
    """Pinned identity, no user or system git config, no SOURCE_DATE_EPOCH from outside."""
    patch.setenv("HOME", str(home))
    patch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    patch.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
    for role in ("AUTHOR", "COMMITTER"):
        patch.setenv(f"GIT_{role}_NAME", "Test Publisher")
        patch.setenv(f"GIT_{role}_EMAIL", "publisher@example.invalid")
    patch.delenv("SOURCE_DATE_EPOCH", raising=False)


def git(cwd: Path, *args: str, check: bool = True) -> str:
    """git's output; a failure (unless check=False) fails the test with git's own words."""
    result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    if check and result.returncode != 0:
        raise AssertionError(f"git {' '.join(args)}: {result.stderr}{result.stdout}")
    return result.stdout.rstrip("\n")


def make_repo(root: Path) -> Path:
    """A repo with two commits, a staged new file, an unstaged edit and an untracked file."""
    root.mkdir(parents=True)
    git(root, "init", "--quiet", "--initial-branch=main")
    (root / "tracked.txt").write_text("one\n")
    (root / "notes.txt").write_text("notes\n")
    (root / "models").mkdir()
    (root / "models" / "old.onnx").write_bytes(b"old model")
    git(root, "add", "--all")
    git(root, "commit", "--quiet", "-m", "first")
    (root / "tracked.txt").write_text("one\ntwo\n")
    git(root, "commit", "--quiet", "--all", "-m", "second")
    # The user's work in progress, which a publish must leave exactly as it is.
    (root / "staged.txt").write_text("staged by the user\n")
    git(root, "add", "staged.txt")
    (root / "notes.txt").write_text("notes, edited, not staged\n")
    (root / "untracked.txt").write_text("untracked\n")
    return root


def user_state(root: Path) -> dict[str, str | bytes]:
    """What a user would see of git: status, staged and unstaged diffs, HEAD, refs, the index."""
    index = Path(git(root, "rev-parse", "--git-path", "index"))
    return {
        "status": git(root, "status", "--porcelain", "--untracked-files=all"),
        "cached": git(root, "diff", "--cached"),
        "diff": git(root, "diff"),
        "head": git(root, "rev-parse", "HEAD", check=False),
        "refs": git(root, "for-each-ref"),
        "index": (root / index).read_bytes() if (root / index).exists() else b"",
    }


def write(root: Path, files: dict[str, bytes]) -> dict[str, Path]:
    """Write files into the work tree, as a publish does before committing."""
    paths = {}
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        paths[name] = path
    return paths


def publish(root: Path, files: dict[str, bytes], message: str = "Publish") -> str | None:
    """Write `files`, commit them on the branch and refresh their index entries."""
    branch = gitcommit.refuse_unsafe_state(root, None)
    parent = gitcommit.head_commit(root)
    new = gitcommit.build_commit(root, parent, write(root, files), message)
    if new:
        gitcommit.advance_branch(root, branch, new, parent)
    gitcommit.sync_index(root, sorted(files))
    return new


def committed(root: Path, commit: str = "HEAD") -> list[str]:
    """The paths a commit changed."""
    return git(root, "diff-tree", "--no-commit-id", "--name-only", "-r", "-z", commit).split("\0")[
        :-1
    ]
