"""Offline, a `{commit}` URI is only good if the web app can reach that commit and it holds the bytes.

A pin to a commit the branch does not contain (a run killed between its two commits, a rebase
after a rejected push) serves 404 once pushed, though the manifest looks right. Checked from git
objects alone: the commit must be an ancestor of the branch being published, and the file as
committed there must hash to the manifest's sha256.
"""

from __future__ import annotations

import hashlib
from pathlib import Path, PurePosixPath
from typing import Any, NamedTuple

from web_assets.errors import PublishError
from web_assets.git.objects import objects, read_all
from web_assets.git.run import is_work_tree, run
from web_assets.records.jsonio import parse_json
from web_assets.records.manifest import SECTIONS
from web_assets.records.uris import pinned_commit, pins


class Pin(NamedTuple):
    label: str  # section/id, as verify names an entry
    path: str  # project-relative
    commit: str
    sha256: str


def pin_problems(root: Path, pinned: list[Pin]) -> list[tuple[Pin, str]]:
    """Each pin that names a commit off the branch, or other bytes than the manifest's, and why."""
    if not pinned or not is_work_tree(root):
        return []
    # A publish commits on HEAD whatever `branch` says (it names the remote branch pushed to):
    # the checked-out branch, or HEAD when detached, is what a push sends.
    current = run(root, "symbolic-ref", "--short", "-q", "HEAD", check=False).stdout.strip()
    tip = f"refs/heads/{current}" if current else "HEAD"
    reachable = {
        commit: _reaches(root, commit, tip) for commit in sorted({p.commit for p in pinned})
    }
    problems = [(pin, reachable[pin.commit]) for pin in pinned if reachable[pin.commit]]
    on_branch = [pin for pin in pinned if not reachable[pin.commit]]
    prefix = run(root, "rev-parse", "--show-prefix").stdout.strip()
    names = {f"{pin.commit}:{prefix}{pin.path}": pin for pin in on_branch}
    for name, size, chunks in objects(root, names):
        pin = names[name]
        if size is None:
            problems.append((pin, f"commit {pin.commit[:10]} has no {pin.path}"))
            continue
        sha = hashlib.sha256()
        for chunk in chunks:
            sha.update(chunk)
        if sha.hexdigest() != pin.sha256:
            problems.append(
                (
                    pin,
                    f"commit {pin.commit[:10]} holds other bytes for {pin.path} (sha256 "
                    f"{sha.hexdigest()[:12]}, the manifest says {pin.sha256[:12]})",
                )
            )
    return problems


def _reaches(root: Path, commit: str, tip: str) -> str:
    """Why `tip` does not contain `commit` ("" when it does)."""
    found = run(root, "merge-base", "--is-ancestor", commit, tip, check=False)
    if found.returncode == 0:
        return ""
    if found.returncode == 1:
        return (
            f"commit {commit[:10]} is not on {tip.removeprefix('refs/heads/')}: once pushed, "
            "its URI would not be served (the web app could not load the file)"
        )
    known = run(root, "cat-file", "-e", f"{commit}^{{commit}}", check=False).returncode == 0
    if known:
        return f"{tip} names no commit here, so commit {commit[:10]} cannot be on it"
    return f"commit {commit[:10]} is not in this repository: its URI cannot be served"


def manifest_pins(document: Any, template: str) -> list[Pin]:
    """The `{commit}` pins of a manifest's entries (none when the template pins nothing)."""
    if not isinstance(document, dict) or not pins(template):
        return []
    found = []
    for section in SECTIONS:
        entries = document.get(section)
        for entry in entries if isinstance(entries, list) else []:
            if not isinstance(entry, dict):
                continue
            path = str(entry.get("path"))
            names = {"filename": PurePosixPath(path).name, "id": str(entry.get("id"))}
            version = document.get("dataset_version")
            commit = pinned_commit(template, entry.get("uri"), version=version, **names)
            if commit is not None:
                label = f"{section}/{entry.get('id')}"
                found.append(Pin(label, path, commit, str(entry.get("sha256"))))
    return found


def committed_pins(root: Path, commit: str, manifest: str, template: str) -> list[Pin]:
    """The pins of the manifest (project-relative path) as `commit` holds it."""
    name = f"{commit}:./{manifest}"
    data = read_all(root, [name]).get(name)
    try:
        return manifest_pins(parse_json(data, name) if data is not None else None, template)
    except ValueError:
        return []  # not a manifest git can serve either way: verify names it


def refuse_unserved(root: Path, tip: str, pinned: list[Pin], where: str) -> None:
    """PublishError when a pin names a commit that pushing `tip` to `where` would not send."""
    off = sorted({pin.commit for pin in pinned if _reaches(root, pin.commit, tip)})
    if not off:
        return
    named = [pin for pin in pinned if pin.commit == off[0]]
    more = f" (and {len(off) - 1} other commit(s))" if off[1:] else ""
    raise PublishError(
        f"Push to {where} refused before sending: the manifest pins {named[0].label} to commit "
        f"{off[0][:10]}{more}, which is not in {tip[:10]}, the commit pushed: the remote would "
        "not serve it. Nothing was pushed; the local commits are kept. Publish again (`doit`), "
        "which pins the files to a commit on the branch, then push."
    )
