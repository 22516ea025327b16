"""State files under `.web-assets/` are never written through a symlink planted there."""

from __future__ import annotations

import json

from testing.doit import doit_here
from testing.gitrepo import git
from testing.project import snapshot

OUTSIDE = b"a file of the user's, outside the project\n"


def planted(tmp_path, project, name: str):
    """A symlink at `.web-assets/NAME` to a file outside the project; returns that file."""
    target = tmp_path / "outside.txt"
    target.write_bytes(OUTSIDE)
    (project / ".web-assets").mkdir(exist_ok=True)
    (project / ".web-assets" / name).symlink_to(target)
    return target


def assert_refused_and_nothing_changed(result, before, project, tmp_path, head, what: str):
    assert result.status != 0
    # Each step that tried to start says so (two run at once): the same single line.
    said = {line for line in result.out.splitlines() if what in line}
    assert len(said) == 1, result.out
    assert "run again" in said.pop()
    assert "Traceback" not in result.text
    assert snapshot(tmp_path) == before
    assert git(project, "rev-parse", "HEAD") == head


def test_a_symlink_at_the_publish_lock_is_refused_and_its_target_kept(tmp_path, project):
    target = planted(tmp_path, project, "publish.lock")
    before, head = snapshot(tmp_path), git(project, "rev-parse", "HEAD")

    result = doit_here(project, "version=8")

    assert target.read_bytes() == OUTSIDE
    assert_refused_and_nothing_changed(
        result, before, project, tmp_path, head, "publish.lock is a symlink"
    )
    assert (project / ".web-assets/publish.lock").is_symlink()

    (project / ".web-assets/publish.lock").unlink()
    assert doit_here(project, "version=8").status == 0
    assert target.read_bytes() == OUTSIDE


def test_a_hard_link_at_the_publish_lock_is_refused_and_its_target_kept(tmp_path, project):
    target = tmp_path / "outside.txt"
    target.write_bytes(OUTSIDE)
    (project / ".web-assets").mkdir()
    (project / ".web-assets/publish.lock").hardlink_to(target)
    before, head = snapshot(tmp_path), git(project, "rev-parse", "HEAD")

    result = doit_here(project, "version=8")

    assert target.read_bytes() == OUTSIDE
    assert_refused_and_nothing_changed(
        result, before, project, tmp_path, head, "publish.lock has other hard links"
    )


def test_a_symlinked_state_folder_is_refused(tmp_path, project):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "publish.lock").write_bytes(OUTSIDE)
    (project / ".web-assets").symlink_to(elsewhere)
    before, head = snapshot(tmp_path), git(project, "rev-parse", "HEAD")

    result = doit_here(project, "version=8")

    assert (elsewhere / "publish.lock").read_bytes() == OUTSIDE
    assert sorted(path.name for path in elsewhere.iterdir()) == ["publish.lock"]
    assert_refused_and_nothing_changed(
        result, before, project, tmp_path, head, ".web-assets is a symlink"
    )


def test_a_symlink_at_the_digest_cache_is_neither_read_nor_written(tmp_path, project):
    lying = {"format": 1, "entries": {}}
    target = tmp_path / "outside.json"
    target.write_text(json.dumps(lying))
    (project / ".web-assets").mkdir()
    (project / ".web-assets/digests.json").symlink_to(target)

    result = doit_here(project, "version=8")

    assert result.status == 0, result.text
    assert result.err.count("digests.json is a symlink") == 1
    assert "Traceback" not in result.text
    assert json.loads(target.read_text()) == lying
    assert (project / ".web-assets/digests.json").is_symlink()
    assert not (project / ".web-assets/.digests.json.partial").exists()
    assert doit_here(project, "verify").status == 0


def test_a_symlink_at_the_cache_temp_file_is_not_written_through(tmp_path, project):
    target = planted(tmp_path, project, ".digests.json.partial")

    result = doit_here(project, "version=8")

    assert result.status == 0, result.text
    assert target.read_bytes() == OUTSIDE
    cache = json.loads((project / ".web-assets/digests.json").read_text())
    assert cache["entries"]
    assert not (project / ".web-assets/.digests.json.partial").exists()
