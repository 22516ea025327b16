"""A pushed manifest pins only commits the remote branch holds, however the push came about.

A pin to a commit off the remote branch (the pre-rebase commit after a rejected push, the files
commit of a publish a hook stopped) is a URI that 404s once live, though the manifest looks right.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from testing.doit import doit_here
from testing.gitrepo import git
from testing.project import MANIFEST

GITHUB = "https://raw.githubusercontent.com/"


def pinned(document: dict) -> set[str]:
    uris = [entry["uri"] for section in ("models", "preprocessing") for entry in document[section]]
    assert all(uri.startswith(GITHUB) for uri in uris)
    return {uri.split("/")[5] for uri in uris}


def is_ancestor(repo: Path, commit: str, tip: str) -> bool:
    found = subprocess.run(["git", "merge-base", "--is-ancestor", commit, tip], cwd=repo)
    return found.returncode == 0


def test_after_a_rejected_push_and_a_rebase_the_remote_serves_every_pin(
    tmp_path, project, remote, version_8
):
    other = tmp_path / "other"
    git(tmp_path, "clone", "--quiet", str(remote), str(other))
    (other / "CHANGELOG").write_text("someone else's work\n")
    git(other, "add", "CHANGELOG")
    git(other, "commit", "--quiet", "-m", "elsewhere")
    git(other, "push", "--quiet", "origin", "main")

    refused = doit_here(project, *version_8, "push=true")
    assert refused.status != 0
    assert "Push to origin main was refused" in refused.text
    before_rebase = pinned(json.loads((project / MANIFEST).read_text()))

    git(project, "pull", "--quiet", "--rebase", "origin", "main")
    pushed = doit_here(project, "push=true")
    assert pushed.status == 0, pushed.text
    assert git(remote, "rev-parse", "main") == git(project, "rev-parse", "HEAD")
    live = pinned(json.loads(git(remote, "show", f"main:{MANIFEST}")))
    assert live.isdisjoint(before_rebase), "the pre-rebase commits are on no remote branch"
    assert all(is_ancestor(remote, commit, "main") for commit in live)
    # The summary says what the push made reachable and which commits the URIs name.
    # The rebased files and manifest commits, then the manifest pinned again.
    elsewhere, head = git(other, "rev-parse", "HEAD"), git(project, "rev-parse", "HEAD")
    shown = ", ".join(sorted(commit[:7] for commit in live))
    assert (
        f"  pushed origin main: 3 commit(s) ({elsewhere[:7]}..{head[:7]}), tag web-assets/v8; "
        f"the manifest's URIs name {shown}"
    ) in pushed.out.splitlines(), pushed.out
    # The tag of the refused push was never published: it now names the pushed release.
    assert git(remote, "rev-parse", "web-assets/v8^{commit}") == head
    assert git(project, "tag", "--list", "web-assets/*") == "web-assets/v8"
    assert doit_here(project, "verify").status == 0


def test_a_hook_that_stops_the_second_commit_then_a_users_commit_leave_no_stray_pin(
    project, version_8
):
    hook = project / ".git/hooks/commit-msg"
    hook.write_text('#!/bin/sh\ngrep -q "update web assets" "$1" && exit 1\nexit 0\n')
    hook.chmod(0o755)
    stopped = doit_here(project, *version_8)
    assert stopped.status != 0
    assert "commit-msg hook refused" in stopped.text
    stray = pinned(json.loads((project / MANIFEST).read_text()))
    assert not any(is_ancestor(project, commit, "HEAD") for commit in stray - {""})

    hook.unlink()
    (project / "NOTES.md").write_text("the user's own work\n")
    git(project, "add", "NOTES.md")
    git(project, "commit", "--quiet", "-m", "notes")
    again = doit_here(project)
    assert again.status == 0, again.text
    pins = pinned(json.loads((project / MANIFEST).read_text()))
    assert all(is_ancestor(project, commit, "HEAD") for commit in pins)
    assert git(project, "status", "--porcelain", "--untracked-files=no") == ""
    assert doit_here(project, "verify").status == 0
