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
    is `web-assets/v{version}-2`, then `-3`: a published tag never moves.
    """
    base = f"{PREFIX}{version}"
    for number in range(1, MOST + 1):
        name = base if number == 1 else f"{base}-{number}"
        found = run(
            root, "rev-parse", "--verify", "--quiet", f"refs/tags/{name}^{{commit}}", check=False
        )
        held = found.stdout.strip()
        if held == commit:
            return ""
        if held:
            continue
        if _create(root, name, commit, lines):
            return name
    raise PublishError(f"{MOST} tags named {base}-N exist: remove old ones (`git tag -d`).")


def _create(root: Path, name: str, commit: str, lines: list[str]) -> bool:
    """Whether the annotated tag was made (False: the name was taken meanwhile)."""
    ident = run(root, "var", "GIT_COMMITTER_IDENT").stdout.strip()
    message = "\n".join(lines or [f"web assets {name.removeprefix('web-assets/')}"]).strip()
    body = f"object {commit}\ntype commit\ntag {name}\ntagger {ident}\n\n{message}\n"
    tag = run(root, "mktag", input=body).stdout.strip()
    # An empty old value: create only, never overwrite.
    made = run(root, "update-ref", f"refs/tags/{name}", tag, "", check=False)
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
