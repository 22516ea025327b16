"""Running git: argument lists, literal pathspecs, failures as one PublishError, our private files."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
from collections.abc import Mapping
from pathlib import Path

from web_assets.errors import PublishError

# Files of ours under the git dir are named KIND.PID.START.TOKEN, so a later run can tell a killed
# publish's leftovers (pid gone, or reused by a process that started at another time) from live ones.
PRIVATE_DIR = "web-assets"
_CREDENTIALS = re.compile(r"(://)[^/@\s]+@")


def run(
    root: Path,
    *args: str,
    env: Mapping[str, str] | None = None,
    input: str | None = None,
    check: bool = True,
    literal: bool = True,
) -> subprocess.CompletedProcess[str]:
    """`git ARGS` in `root`; raises PublishError naming the command, status and output on failure."""
    environment = {**os.environ, **(env or {})}
    if "GIT_INDEX_FILE" not in (env or {}):
        # Ours or the user's index is chosen per call; one inherited from a hook must not leak in.
        environment.pop("GIT_INDEX_FILE", None)
    if literal:
        # A published file named `*` or `:(glob)x` must mean itself, never a pattern.
        environment["GIT_LITERAL_PATHSPECS"] = "1"
    command = ["git", *args]
    try:
        result = subprocess.run(
            command,
            cwd=root,
            capture_output=True,
            text=True,
            errors="replace",
            env=environment,
            input=input,
            check=False,
        )
    except FileNotFoundError:
        raise PublishError(
            "git is not installed: install git, or publish with commit=false."
        ) from None
    if check and result.returncode != 0:
        raise failure(root, command, result)
    return result


def output_of(result: subprocess.CompletedProcess[str]) -> str:
    return _CREDENTIALS.sub(r"\1***@", (result.stderr + result.stdout).strip())


def failure(
    root: Path, command: list[str], result: subprocess.CompletedProcess[str], fix: str = ""
) -> PublishError:
    shown = " ".join(command if len(command) < 12 else [*command[:11], "..."])
    return PublishError(
        f"`{shown}` failed with status {result.returncode} in {root}"
        + (f"; {fix}" if fix else "")
        + f":\n{output_of(result)}"
    )


def is_work_tree(root: Path) -> bool:
    result = run(root, "rev-parse", "--is-inside-work-tree", check=False)
    return result.returncode == 0 and result.stdout.strip() == "true"


def toplevel(root: Path) -> Path:
    """The work tree's top folder: tree paths and pathspecs are relative to it."""
    return Path(run(root, "rev-parse", "--show-toplevel").stdout.rstrip("\n"))


def git_path(root: Path, name: str) -> Path:
    """`name` inside this work tree's git dir (a linked worktree has its own index and HEAD)."""
    path = Path(run(root, "rev-parse", "--git-path", name).stdout.rstrip("\n"))
    return path if path.is_absolute() else (root / path)


def private_dir(root: Path) -> Path:
    folder = git_path(root, PRIVATE_DIR)
    folder.mkdir(exist_ok=True)
    return folder


def _start_time(pid: int) -> str:
    """The process's start time in clock ticks since boot (Linux), or "" where unknown."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return ""
    fields = stat[stat.rindex(")") + 2 :].split()
    return "" if fields[0] in "ZX" else fields[19]


def private_name(kind: str) -> str:
    return f"{kind}.{os.getpid()}.{_start_time(os.getpid()) or 0}.{secrets.token_hex(4)}"


def owner_alive(name: str) -> bool:
    """Whether the process that made private file `name` still runs (unparsable names count alive)."""
    parts = name.split(".")
    if len(parts) < 4 or not parts[1].isdigit():
        return True
    pid, start = int(parts[1]), parts[2]
    if pid == os.getpid():
        return True
    if Path("/proc/self/stat").exists():
        now = _start_time(pid)
        return bool(now) and (start == "0" or now == start)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
