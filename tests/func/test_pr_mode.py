"""pr=true: the release's commits on web-assets/v{version}, the user's branch and tree untouched."""

from __future__ import annotations

import io
import json
from pathlib import Path

from testing.doit import run_doit
from testing.gitrepo import git
from testing.project import MANIFEST, new_run, retrain
from web_assets import publish
from web_assets_doit import cli

TEMPLATE = "{base}/owner/repo/{{commit}}/artifacts/run_export/{{filename}}"
BRANCH = "web-assets/v8"


def user_state(project: Path) -> tuple[str, str, str, str]:
    """What the user sees of their repository: branch, HEAD, status and staged diff."""
    return (
        git(project, "symbolic-ref", "--quiet", "HEAD", check=False),
        git(project, "rev-parse", "HEAD"),
        git(project, "status", "--porcelain", "--untracked-files=all"),
        git(project, "diff", "--cached"),
    )


def inputs(project: Path, seed: int) -> list[str]:
    run_dir = new_run(project, version=8, seed=seed)
    return [f"run_dir={run_dir}", "dataset=data/processed/Dataset_Version_8.csv", "version=8"]


def test_a_pr_publish_pushes_its_branch_and_leaves_the_users_work_alone(project, remote):
    args = inputs(project, seed=8)
    (project / "notes.txt").write_text("the user's own work\n")
    (project / "README.md").write_text("edited, not staged\n")
    git(project, "add", "notes.txt")
    before = user_state(project)

    result = run_doit(project, "pr=true", "push=true", *args)
    assert result.status == 0, result.text
    assert user_state(project) == before
    assert git(remote, "rev-parse", "main") == before[1]
    tip = git(remote, "rev-parse", BRANCH)
    assert tip == git(project, "rev-parse", BRANCH)
    assert git(project, "log", "--format=%s", f"main..{BRANCH}").splitlines() == [
        "chore: update web assets for version 8",
        "chore: add web assets for version 8",
    ]
    manifest = json.loads(git(project, "show", f"{BRANCH}:{MANIFEST}"))
    assert manifest["dataset_version"] == "8"
    assert f"Committed {tip[:10]} on branch {BRANCH}, pushed to origin" in result.out
    assert "open a pull request into main" in result.out
    # The worktree is git's business: nothing of it shows in the user's tree.
    assert git(project, "status", "--porcelain", "--ignored").count("web-assets") == 0

    # The same version again, one model trained anew: the branch moves on by compare-and-swap.
    retrain(Path(args[0].removeprefix("run_dir=")) / "performance_dense.onnx", seed=9)
    again = run_doit(project, "pr=true", "push=true", *args)
    assert again.status == 0, again.text
    moved = git(remote, "rev-parse", BRANCH)
    assert moved != tip
    assert git(project, "merge-base", "--is-ancestor", tip, moved) == ""
    assert user_state(project)[:2] == before[:2]


def test_uris_pinned_on_the_branch_stay_live_after_a_merge_commit(
    tmp_path, project, remote, raw_server
):
    template = TEMPLATE.format(base=raw_server(remote))
    result = run_doit(
        project, "pr=true", "push=true", f"uri_template={template}", *inputs(project, seed=8)
    )
    assert result.status == 0, result.text

    # The reviewer merges the pull request with a merge commit, elsewhere, and pushes main.
    reviewer = tmp_path / "reviewer"
    git(tmp_path, "clone", "--quiet", str(remote), str(reviewer))
    git(reviewer, "merge", "--quiet", "--no-ff", "-m", "Merge web-assets/v8", f"origin/{BRANCH}")
    git(reviewer, "push", "--quiet", "origin", "main")

    git(project, "pull", "--quiet", "--ff-only", "origin", "main")
    assert json.loads((project / MANIFEST).read_text())["dataset_version"] == "8"
    verified = run_doit(project, "verify", "live=true", f"uri_template={template}")
    assert verified.status == 0, verified.text


def test_the_script_names_the_compare_url_of_a_github_remote(project, monkeypatch):
    git(project, "remote", "add", "origin", "git@github.com:owner/models-app.git")
    run_dir = new_run(project, version=8, seed=8)
    before = user_state(project)
    out = io.StringIO()
    monkeypatch.setattr("sys.stdout", out)
    status = cli.main(
        [
            *("--pr", "--run-dir", str(run_dir), "--version", "8", "--root", str(project)),
            *("--dataset", str(project / "data/processed/Dataset_Version_8.csv")),
        ]
    )
    assert status == 0, out.getvalue()
    url = "https://github.com/owner/models-app/compare/main...web-assets/v8?expand=1"
    assert f"made locally only: push it (git push origin {BRANCH}, or publish with --push)" in (
        out.getvalue()
    )
    assert url in out.getvalue()
    assert user_state(project) == before
    assert git(project, "branch", "--list", BRANCH, "--format=%(upstream:short)") == "main"


def test_publish_in_pr_mode_says_the_release_is_not_live_yet(project, remote):
    run_dir = new_run(project, version=8, seed=8)
    summary = publish(
        project,
        run_dir=run_dir,
        dataset=project / "data/processed/Dataset_Version_8.csv",
        version=8,
        pr=True,
        push=True,
        out=io.StringIO(),
    )
    assert summary.pushed == f"origin {BRANCH}"
    assert not summary.live
    assert summary.commit == git(remote, "rev-parse", BRANCH)


def test_a_detached_head_is_refused_before_anything_is_written(project):
    git(project, "switch", "--quiet", "--detach", "HEAD")
    args = inputs(project, seed=8)
    before = user_state(project)
    result = run_doit(project, "pr=true", *args)
    assert result.status != 0
    assert "is on a detached HEAD: pr=true makes its branch from the current branch" in result.err
    assert "Traceback" not in result.text
    assert git(project, "branch", "--list", BRANCH) == ""
    assert user_state(project) == before


def test_a_pr_publishs_report_is_written_where_the_user_named_it(project, remote):
    args = inputs(project, seed=8)
    before = git(project, "status", "--porcelain", "--untracked-files=all").splitlines()
    result = run_doit(project, "pr=true", "report=report.md", *args)
    assert result.status == 0, result.text
    # The report of the release the branch holds, not of the live one on the user's branch.
    assert "dataset version 8" in (project / "report.md").read_text(encoding="utf-8")
    after = git(project, "status", "--porcelain", "--untracked-files=all").splitlines()
    assert sorted(after) == sorted([*before, "?? report.md"])
