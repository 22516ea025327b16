"""A publish SIGKILLed right after it moved the branch; before the next command the user stages
an edit of a published file: the repair refreshes the other entries and leaves the user's."""

from __future__ import annotations

from testing.doit import run_doit
from testing.gitrepo import git
from testing.kill import Point, publish_killed_at
from testing.project import MANIFEST, new_run

MOVED = Point("web_assets.git.commit:advance_branch", "after")


def test_an_entry_the_user_staged_after_the_kill_stays_staged(project):
    run_dir = new_run(project / "scratch", version=8, seed=8)
    data = project / "scratch/data/processed"
    (project / ".git/info/exclude").write_text("scratch/\n")
    head = git(project, "rev-parse", "HEAD")
    args = [
        f"run_dir={run_dir}",
        f"dataset={data / 'Dataset_Version_8.csv'}",
        f"financial_dataset={data / 'financial_dataset.csv'}",
        "version=8",
    ]
    publish_killed_at(project, args, MOVED)
    assert git(project, "rev-parse", "HEAD") != head, "the branch moved before the kill"
    edited = (project / MANIFEST).read_text().replace('"run_id"', '"run_id_by_hand"', 1)
    (project / MANIFEST).write_text(edited)
    git(project, "add", MANIFEST)
    staged = git(project, "ls-files", "--stage", "--", MANIFEST)

    done = run_doit(project, "releases")
    assert done.status == 0, done.text
    done = run_doit(project, "verify")
    assert "Traceback" not in done.text, done.text
    assert git(project, "ls-files", "--stage", "--", MANIFEST) == staged
    assert git(project, "diff", "--cached", "--name-only") == MANIFEST
    assert (project / MANIFEST).read_text() == edited
    assert not list((project / ".git").glob("web-assets/*"))
    assert not (project / ".git/index.lock").exists()
