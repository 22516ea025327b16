"""Every git command of the project runs here: argument lists, a clean environment, literal pathspecs,
failures as one PublishError, credentials hidden; also our private files under the git dir."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Literal, overload

from web_assets.errors import PublishError

# Files of ours under the git dir are named KIND.PID.START.TOKEN, so a later run can tell a killed
# publish's leftovers (pid gone, or reused by a process that started at another time) from live ones.
PRIVATE_DIR = "web-assets"
_CREDENTIALS = re.compile(r"(://)[^/@\s]+@")
# Git exports these to its hooks and aliases (GIT_DIR, GIT_INDEX_FILE, ...), and a shell may keep
# them: inherited, they point git at another repository, index, object store or ref namespace, so a
# publish started from a hook would read or write the wrong one. A caller's own `env` still sets them.
# Identity, config and transport variables (GIT_AUTHOR_*, GIT_CONFIG_*, GIT_SSH_COMMAND) pass through.
REDIRECTING = frozenset(
    {
        "GIT_ALTERNATE_OBJECT_DIRECTORIES",
        "GIT_COMMON_DIR",
        "GIT_DIR",
        "GIT_GRAFT_FILE",
        "GIT_IMPLICIT_WORK_TREE",
        "GIT_INDEX_FILE",
        "GIT_INTERNAL_SUPER_PREFIX",
        "GIT_NAMESPACE",
        "GIT_OBJECT_DIRECTORY",
        "GIT_PREFIX",
        "GIT_QUARANTINE_PATH",
        "GIT_REPLACE_REF_BASE",
        "GIT_SHALLOW_FILE",
        "GIT_WORK_TREE",
    }
)
# git refuses GIT_LITERAL_PATHSPECS beside any other of these.
PATHSPEC_RULES = frozenset(
    {"GIT_GLOB_PATHSPECS", "GIT_ICASE_PATHSPECS", "GIT_LITERAL_PATHSPECS", "GIT_NOGLOB_PATHSPECS"}
)
NOT_INSTALLED = (
    "git is not installed: install git (only a publish with commit=false runs without it)."
)


def git_env(env: Mapping[str, str] | None = None, literal: bool = True) -> dict[str, str]:
    """The environment git runs in: ours without redirecting GIT_* variables, then `env` on top."""
    cleared = REDIRECTING | (PATHSPEC_RULES if literal else frozenset())
    environment = {name: value for name, value in os.environ.items() if name not in cleared}
    if literal:
        # A published file named `*` or `:(glob)x` must mean itself, never a pattern.
        environment["GIT_LITERAL_PATHSPECS"] = "1"
    return {**environment, **(env or {})}


@overload
def run(
    root: Path,
    *args: str,
    env: Mapping[str, str] | None = ...,
    input: str | None = ...,
    check: bool = ...,
    literal: bool = ...,
    binary: Literal[False] = ...,
) -> subprocess.CompletedProcess[str]: ...


@overload
def run(
    root: Path,
    *args: str,
    env: Mapping[str, str] | None = ...,
    input: bytes | None = ...,
    check: bool = ...,
    literal: bool = ...,
    binary: Literal[True],
) -> subprocess.CompletedProcess[bytes]: ...


def run(
    root: Path,
    *args: str,
    env: Mapping[str, str] | None = None,
    input: str | bytes | None = None,
    check: bool = True,
    literal: bool = True,
    binary: bool = False,
) -> subprocess.CompletedProcess:
    """`git ARGS` in `root`; raises PublishError naming the command, status and output on failure.

    Output is text (undecodable bytes replaced) unless `binary`; `input` is fed to git's stdin.
    `literal=False` leaves pathspec rules to the user (for hooks).
    """
    command = ["git", *args]
    text = {} if binary else {"text": True, "errors": "replace"}
    try:
        result = subprocess.run(
            command,
            cwd=root,
            capture_output=True,
            env=git_env(env, literal),
            input=input,
            check=False,
            **text,
        )
    except FileNotFoundError:
        raise PublishError(NOT_INSTALLED) from None
    if check and result.returncode != 0:
        raise failure(root, command, result)
    return result


def start(root: Path, *args: str, literal: bool = True) -> subprocess.Popen[bytes]:
    """A long-lived `git ARGS` in `root` (such as `cat-file --batch`), pipes on stdin, stdout, stderr."""
    try:
        return subprocess.Popen(
            ["git", *args],
            cwd=root,
            env=git_env(None, literal),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
    except FileNotFoundError:
        raise PublishError(NOT_INSTALLED) from None


def hide_credentials(text: str) -> str:
    """`text` with the user:token part of every URL in it replaced by `***`."""
    return _CREDENTIALS.sub(r"\1***@", text)


def _text(output: str | bytes) -> str:
    return output if isinstance(output, str) else output.decode(errors="replace")


def output_of(result: subprocess.CompletedProcess) -> str:
    return hide_credentials((_text(result.stderr) + _text(result.stdout)).strip())


def failure(
    root: Path, command: list[str], result: subprocess.CompletedProcess, fix: str = ""
) -> PublishError:
    shown = hide_credentials(" ".join(command if len(command) < 12 else [*command[:11], "..."]))
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
