"""The push of a publish: the branch (and the release tag) in one push, and what it sent."""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

from web_assets.errors import PublishError
from web_assets.git.run import output_of, run


def push(
    root: Path, remote: str, branch: str, commits: list[str], tags: Collection[str] = ()
) -> tuple[str, str]:
    """Push the last of `commits` (which carries the others) to `remote`'s `branch`, with `tags`
    in the same atomic push; the remote branch's commit before and after ("" before: a new one)."""
    tip = commits[-1] if commits else "HEAD"
    refs = [f"{tip}:refs/heads/{branch}", *(f"refs/tags/{tag}:refs/tags/{tag}" for tag in tags)]
    # The pack would deflate model weights again, for no gain: send them as they are. With a
    # tag, the branch and the tag move together or not at all where the remote can do that.
    atomic = ["--atomic"] if tags else []
    command = ["-c", "pack.compression=0", "push", "--porcelain", *atomic, remote, *refs]
    result = run(root, *command, check=False)
    if atomic and "does not support --atomic" in output_of(result):
        command.remove("--atomic")  # an old server: the branch first, then the tag, in one push
        result = run(root, *command, check=False)
    refused = _refused_tags(result.stdout, f"refs/heads/{branch}")
    if result.returncode != 0 and refused:
        raise PublishError(
            f"Push to {remote} {branch} was refused: the remote does not take the release tag "
            f"{', '.join(refused)}, and the branch goes only with it; the local commits and tag "
            "are kept. Publish with tags=false (--no-tags) to push the branch alone, or allow "
            f"the tag on the remote, then publish again. git said:\n{output_of(result)}"
        )
    if result.returncode != 0:
        raise PublishError(
            f"Push to {remote} {branch} was refused; the local commits are kept. Bring the branch "
            f"up to date (`git pull --rebase {remote} {branch}`) and publish again. git said:\n"
            f"{output_of(result)}"
        )
    new = run(root, "rev-parse", "--verify", f"{tip}^{{commit}}").stdout.strip()
    return _remote_before(root, result.stdout, f"refs/heads/{branch}", new), new


def _refused_tags(porcelain: str, branch_ref: str) -> list[str]:
    """The tags the remote refused for a reason of their own, when the branch was refused only
    because of them (an atomic push) or not at all: a branch behind the remote needs a rebase."""
    tags, branch_ok = [], True
    for line in porcelain.splitlines():
        parts = line.split("\t")
        if len(parts) < 3 or parts[0] != "!":
            continue
        ref = parts[1].rsplit(":", 1)[-1]
        if ref == branch_ref:
            branch_ok = "atomic push failure" in parts[2]
        elif ref.startswith("refs/tags/") and "atomic push failure" not in parts[2]:
            tags.append(ref.removeprefix("refs/tags/"))
    return tags if branch_ok else []


def _remote_before(root: Path, porcelain: str, ref: str, new: str) -> str:
    """The remote ref's commit before the push, from `git push --porcelain`'s line for `ref`."""
    for line in porcelain.splitlines():
        parts = line.split("\t")
        if len(parts) >= 3 and parts[1].endswith(f":{ref}"):
            if parts[2].startswith("[up to date]"):
                return new
            said = parts[2].split(" ")[0]
            if ".." in said:
                old = said.replace("...", "..").split("..")[0]
                found = run(
                    root, "rev-parse", "--verify", "--quiet", f"{old}^{{commit}}", check=False
                )
                return found.stdout.strip()
    return ""


def sent_line(
    root: Path,
    where: str,
    before: str,
    after: str,
    pinned: Collection[str],
    tags: Collection[str] = (),
) -> str:
    """What a push made reachable on the remote, and the commits the manifest's URIs name."""
    if before == after:
        sent = f"already at {after[:7]}"
    else:
        if before:
            span = [f"{before}..{after}"]
        else:
            # A new branch: the commits no other branch of the remote already had.
            remote, branch = where.split(" ", 1)
            span = [after, "--not", f"--exclude={remote}/{branch}", f"--remotes={remote}"]
        count = run(root, "rev-list", "--count", *span).stdout.strip()
        what = f"{before[:7]}..{after[:7]}" if before else f"a new branch, up to {after[:7]}"
        sent = f"{count} commit(s) ({what})"
    sent += f", tag {', '.join(tags)}" if tags else ""
    named = ", ".join(sorted({commit[:7] for commit in pinned}))
    return f"pushed {where}: {sent}" + (f"; the manifest's URIs name {named}" if named else "")
