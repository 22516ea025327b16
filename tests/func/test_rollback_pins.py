"""A rollback to a release whose manifest pins a commit off the branch (made before pins were
checked: a publish killed between its commits, or rebased) would push URIs that are never
served: the push is refused before sending, as a publish's is."""

from __future__ import annotations

import json

from testing.doit import run_doit
from testing.gitrepo import git
from testing.project import LOCK, MANIFEST, clone_tree


def test_a_rollback_to_a_release_pinned_off_the_branch_is_not_pushed(history_template, tmp_path):
    template, commits = history_template
    root = clone_tree(template, tmp_path / "project")
    ten = commits["10"]
    git(root, "checkout", ten, "--", "artifacts/run_export", "web/public/data", LOCK)
    manifest = git(root, "show", f"{ten}:{MANIFEST}")
    old = json.loads(manifest)["models"][0]["uri"].split("/")[5]
    twin = git(root, "commit-tree", f"{old}^{{tree}}", "-m", "rebased away")
    (root / MANIFEST).write_text(manifest.replace(old, twin) + "\n")
    git(root, "add", "--all", "--", "artifacts", "web", LOCK)
    git(root, "commit", "--quiet", "-m", "version 10 again, its pins rebased away")
    bad = git(root, "rev-parse", "HEAD")
    assert run_doit(root, "rollback", "to=9").status == 0
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "--quiet", "--bare", str(remote))
    git(root, "remote", "add", "origin", str(remote))
    git(root, "push", "--quiet", "origin", "main")
    sent = git(remote, "rev-parse", "main")

    refused = run_doit(root, "rollback", f"to={bad}", "push=true")
    assert refused.status == 1, refused.text
    [line] = refused.err.splitlines()
    assert twin[:10] in line and "refused before sending" in line, line
    assert git(remote, "rev-parse", "main") == sent
