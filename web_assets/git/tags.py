"""Release tags: `web-assets/v{version}` on each release's last commit, annotated with its summary.

Made with `git mktag` and a create-only `update-ref`: no editor, no signing prompt, and a tag of
the same name made meanwhile is never overwritten.
"""

from __future__ import annotations

from pathlib import Path

from web_assets.errors import PublishError
from web_assets.git.run import run

PREFIX = "web-assets/v"
# Enough for any number of releases of one dataset version; past it something is wrong.
MOST = 1000


def tag_release(root: Path, version: int, commit: str, lines: list[str]) -> str:
    """Tag `commit` as the release of `version`; the tag's name ("" when one already names it).

    A release of a version already tagged on another commit (new models on the same dataset)
    is `web-assets/v{version}-2`, then `-3`: a published tag never moves. A tag that was never
    published (its commit is neither in `commit`'s history nor on a remote-tracking branch: a
    publish whose push was refused, then rebased) is taken over.
    """
    base = f"{PREFIX}{version}"
    for number in range(1, MOST + 1):
        name = base if number == 1 else f"{base}-{number}"
        if branch_named(root, name):
            continue  # a pull request's branch: one name for both, and git refuses to push it
        found = run(root, "rev-parse", "--verify", "--quiet", f"refs/tags/{name}", check=False)
        old = found.stdout.strip()
        held = _peeled(root, name) if old else ""
        if held == commit:
            return ""
        if held and not _unpublished(root, held, commit):
            continue
        if _create(root, name, commit, lines, old):
            return name
    raise PublishError(f"{MOST} tags named {base}-N exist: remove old ones (`git tag -d`).")


def branch_named(root: Path, name: str) -> bool:
    """Whether a local or remote-tracking branch is called `name`."""
    found = run(
        root,
        "for-each-ref",
        "--count=1",
        "--format=%(refname)",
        f"refs/heads/{name}",
        f"refs/remotes/*/{name}",
        check=False,
    )
    return bool(found.stdout.strip())


def _peeled(root: Path, name: str) -> str:
    found = run(
        root, "rev-parse", "--verify", "--quiet", f"refs/tags/{name}^{{commit}}", check=False
    )
    return found.stdout.strip()


def _unpublished(root: Path, held: str, commit: str) -> bool:
    """Whether a tag on `held` cannot have been pushed: tags go only with their branch (one
    atomic push), which then holds `held`, as `commit`'s history or a remote-tracking ref would."""
    ancestor = run(root, "merge-base", "--is-ancestor", held, commit, check=False).returncode == 0
    if ancestor:
        return False
    remote = run(root, "for-each-ref", "--contains", held, "--count=1", "refs/remotes", check=False)
    return remote.returncode == 0 and not remote.stdout.strip()


def _create(root: Path, name: str, commit: str, lines: list[str], old: str = "") -> bool:
    """Whether the annotated tag was made (False: the name was taken, or moved, meanwhile)."""
    ident = run(root, "var", "GIT_COMMITTER_IDENT").stdout.strip()
    message = "\n".join(lines or [f"web assets {name.removeprefix('web-assets/')}"]).strip()
    body = f"object {commit}\ntype commit\ntag {name}\ntagger {ident}\n\n{message}\n"
    tag = run(root, "mktag", input=body).stdout.strip()
    # Compare-and-swap: created only when absent, or replaced only while it is still `old`.
    made = run(root, "update-ref", f"refs/tags/{name}", tag, old, check=False)
    return made.returncode == 0


def tags_at(root: Path, commit: str) -> list[str]:
    """The release tags that name `commit`."""
    out = run(root, "tag", "--list", f"{PREFIX}*", "--points-at", commit, check=False).stdout
    return sorted(out.split())


def release_tags(root: Path) -> dict[str, list[str]]:
    """Each commit a release tag names, and those tags."""
    out = run(
        root,
        "for-each-ref",
        "--format=%(*objectname) %(objectname) %(refname:strip=2)",
        f"refs/tags/{PREFIX.rstrip('v')}",
        check=False,
    ).stdout
    found: dict[str, list[str]] = {}
    for line in out.splitlines():
        # A lightweight tag has no peeled object: the line starts with its space.
        peeled, own, name = line.split(" ", 2)
        if name.startswith(PREFIX):
            found.setdefault(peeled or own, []).append(name)
    return found
