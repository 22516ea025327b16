"""A publish SIGKILLed at each point where it could leave a half-made release: the next run
repairs everything, leaves no lock, keeps the user's staged work, and `doit verify` passes.

Each point is reached for certain (testing/kill.py wraps one function in the publishing process);
none depends on how fast the machine is.
"""

from __future__ import annotations

import pytest

from testing.doit import run_doit
from testing.gitrepo import git
from testing.kill import Point, publish_killed_at
from testing.project import EXPORT, MANIFEST, new_run, snapshot
from web_assets.files.atomic import partial_path

POINTS = {
    # The gather writes every temp file of its batch, flushes them together, then renames each.
    "copy batch written, nothing renamed": Point("os:replace", "before", 1, EXPORT),
    "copy batch half renamed": Point("os:replace", "before", 2, EXPORT),
    "files commit built, manifest not written": Point(
        "web_assets.git.publish:commit_files", "after"
    ),
    "manifest written, not renamed": Point("os:replace", "before", 1, MANIFEST),
    "both commits built, branch not moved": Point("web_assets.git.commit:advance_branch", "before"),
    "right after the branch moved": Point("web_assets.git.commit:advance_branch", "after"),
    "our index.lock written, not renamed": Point("os:replace", "before", 1, "index.lock"),
}


@pytest.fixture
def release_8(project):
    """A new run for version 8 outside the export folder, and the user's own staged work."""
    run_dir = new_run(project / "scratch", version=8, seed=8)
    data = project / "scratch/data/processed"
    (project / ".git/info/exclude").write_text("scratch/\n")
    (project / "notes.txt").write_text("the user's own staged work\n")
    git(project, "add", "notes.txt")
    return [
        f"run_dir={run_dir}",
        f"dataset={data / 'Dataset_Version_8.csv'}",
        f"financial_dataset={data / 'financial_dataset.csv'}",
        "version=8",
    ]


@pytest.mark.parametrize("point", POINTS, ids=list(POINTS))
def test_a_publish_killed_at_this_point_is_completed_by_the_next(project, release_8, point):
    staged = git(project, "diff", "--cached")
    head = git(project, "rev-parse", "HEAD")

    publish_killed_at(project, release_8, POINTS[point])
    # After the branch moved, the published paths of the index are refreshed by the next run.
    assert git(project, "show", ":notes.txt") == "the user's own staged work"
    moved = git(project, "rev-parse", "HEAD") != head
    assert moved == (point == "right after the branch moved" or "index.lock" in point)

    again = run_doit(project, *release_8)
    assert again.status == 0, again.text
    assert git(project, "diff", "--cached") == staged
    assert git(project, "status", "--porcelain", "--untracked-files=no") == "A  notes.txt"
    assert not (project / ".git/index.lock").exists()
    assert not list((project / ".git").glob("web-assets/*"))
    assert not list(project.rglob("*.partial"))
    assert git(project, "log", "-1", "--format=%s") == "chore: update web assets for version 8"
    verified = run_doit(project, "verify")
    assert verified.status == 0, verified.text
    # Nothing left to do: the repair was whole.
    settled = snapshot(project)
    assert run_doit(project, *release_8).ran == []
    assert snapshot(project) == settled


def test_a_dataset_copy_killed_before_its_rename_leaves_the_old_file_and_is_redone(project):
    target = project / "web/public/data/financial_dataset.csv"
    old = target.read_bytes()
    big = project / "data/processed/big_financial.csv"
    with big.open("wb") as stream:
        stream.write(
            b"season,home_team,away_team,value\n" + b"2024-2025,Arsenal,Chelsea,1\n" * 1000
        )
        # The rest is a hole: NUL bytes (valid UTF-8) that cost no disk writes to make.
        stream.truncate(16 << 20)  # above 8 MiB: the copy that runs in a second thread
    # Its rows need not match the main dataset's: this is about the copy being killed.
    settings = [
        "financial_dataset=data/processed/big_financial.csv",
        "check_financial_keys=false",
        "financial_app_columns=",
        # Its hole is one line of NULs, longer than a row may be: no step reads its rows.
        "check_models=false",
    ]

    publish_killed_at(
        project, ["datasets", *settings], Point("os:replace", "before", 1, target.name)
    )
    assert target.read_bytes() == old
    assert partial_path(target).stat().st_size == big.stat().st_size, "the copy waits beside it"

    result = run_doit(project, *settings)
    assert result.status == 0, result.text
    assert target.read_bytes() == big.read_bytes()
    assert not partial_path(target).exists()
