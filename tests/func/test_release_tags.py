"""Release tags: `web-assets/v{version}` on each release's last commit, annotated with its summary,
pushed with the branch in one push, shown by `doit releases`, accepted by rollback and diff."""

from __future__ import annotations

from pathlib import Path

from testing.doit import doit_here, run_doit
from testing.gitrepo import git
from testing.project import retrain


def remote_tags(remote: Path) -> dict[str, str]:
    """Each tag on the remote and the commit it names, as `git ls-remote --tags` lists them."""
    lines = git(remote, "ls-remote", "--tags", ".").splitlines()
    listed = dict(reversed(line.split("\t")) for line in lines)
    return {
        name.removeprefix("refs/tags/"): listed.get(f"{name}^{{}}", commit)
        for name, commit in listed.items()
        if not name.endswith("^{}")
    }


def test_a_pushed_release_is_tagged_and_the_tag_goes_with_the_branch(project, remote, version_8):
    done = doit_here(project, *version_8, "push=true")
    assert done.status == 0, done.text
    head = git(project, "rev-parse", "HEAD")
    assert remote_tags(remote) == {"web-assets/v8": head}
    assert git(project, "cat-file", "-t", "web-assets/v8") == "tag"  # annotated
    message = git(project, "tag", "--list", "--format=%(contents)", "web-assets/v8")
    assert message.splitlines()[0] == (
        "Dataset version 7 -> 8, run run_20251128-101500: web/public/fixtures/dev.json updated"
    )
    assert "  tagged web-assets/v8" in done.out.splitlines()
    assert ", tag web-assets/v8;" in done.out

    # The same version, the same bytes: no commit, no new tag.
    again = doit_here(project, *version_8, "push=true")
    assert again.status == 0, again.text
    assert git(project, "rev-parse", "HEAD") == head
    assert git(project, "tag", "--list", "web-assets/*") == "web-assets/v8"

    listed = run_doit(project, "releases")
    assert listed.out.splitlines()[0].endswith("[web-assets/v8]"), listed.out


def test_tags_false_tags_nothing(project, version_8):
    done = doit_here(project, *version_8, "tags=false")
    assert done.status == 0, done.text
    assert git(project, "tag", "--list", "web-assets/*") == ""
    assert "tagged" not in done.out


def test_rollback_and_diff_take_a_tag_and_a_rollback_tags_nothing(project, version_8):
    assert doit_here(project, *version_8).status == 0
    git(project, "tag", "-a", "-m", "the sample", "web-assets/v7", "HEAD~2")
    shown = run_doit(project, "diff", "from=web-assets/v7", "to=web-assets/v8")
    assert shown.status == 0, shown.text
    assert shown.out.startswith("from 7 ") and " to 8 " in shown.out.splitlines()[0], shown.out

    rolled = run_doit(project, "rollback", "to=web-assets/v7")
    assert rolled.status == 0, rolled.text
    assert "Rolled back to version 7 (commit " in rolled.out
    assert ", tag web-assets/v7, run " in rolled.out
    assert sorted(git(project, "tag", "--list", "web-assets/*").split()) == [
        "web-assets/v7",
        "web-assets/v8",
    ]


def test_a_second_release_of_a_tagged_version_gets_the_next_name(project, version_8):
    assert doit_here(project, *version_8).status == 0
    first = git(project, "rev-parse", "HEAD")
    models = Path(version_8[0].removeprefix("run_dir="))
    retrain(models / "performance_dense.onnx", seed=80)
    done = doit_here(project, *version_8)
    assert done.status == 0, done.text
    assert git(project, "rev-parse", "web-assets/v8^{commit}") == first
    assert git(project, "rev-parse", "web-assets/v8-2^{commit}") == git(
        project, "rev-parse", "HEAD"
    )
