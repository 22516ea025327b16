"""`branch=` names where a push goes; the commits a publish makes are on HEAD, so verify checks HEAD."""

from __future__ import annotations

import json

from testing.gitrepo import git
from testing.project import MANIFEST
from web_assets.config.settings import resolve_settings
from web_assets.verify.offline import verify


def lines(project, given) -> list[str]:
    problems, _ = verify(resolve_settings(project, given, environ={}))
    return [problem.line() for problem in problems]


def test_a_detached_head_published_with_branch_passes_verify(project):
    # As `git checkout --detach`, then `doit push=true branch=release`: no local branch "release".
    git(project, "checkout", "--quiet", "--detach")
    assert lines(project, {"branch": "release"}) == []


def test_a_local_branch_of_that_name_elsewhere_is_not_what_is_checked(project):
    empty = git(project, "hash-object", "-t", "tree", "--stdin", "-w")
    git(project, "branch", "release", git(project, "commit-tree", empty, "-m", "unrelated"))
    assert lines(project, {"branch": "release"}) == []


def test_a_pin_off_head_is_still_found_with_branch_set(project):
    manifest = project / MANIFEST
    old = json.loads(manifest.read_text())["models"][0]["uri"].split("/")[5]
    twin = git(project, "commit-tree", f"{old}^{{tree}}", "-m", "rebased away")
    manifest.write_text(manifest.read_text().replace(old, twin))
    git(project, "checkout", "--quiet", "--detach")
    found = lines(project, {"branch": "release"})
    assert len(found) == 6 and all(f"commit {twin[:10]} is not on HEAD" in line for line in found)
