"""Bad input: one clear error, no traceback, and every file exactly as it was."""

from __future__ import annotations

import os

import pytest

from testing.doit import run_doit
from testing.gitrepo import git
from testing.project import snapshot
from testing.refusals import INPUTS, SETTINGS
from web_assets.files import publish_lock

# Two of each kind; tests/unit/test_refusals.py refuses every case as the release loads.
CASES = {
    "version zero": SETTINGS["version zero"],
    "unknown setting": SETTINGS["unknown setting"],
    "dataset with BOM": INPUTS["dataset with BOM"],
    "manifest not JSON": INPUTS["manifest not JSON"],
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_bad_input_is_one_clear_error_and_changes_nothing(tmp_path, project, case):
    make, message = CASES[case]
    args = make(project)
    status = git(project, "status", "--porcelain")
    before = snapshot(tmp_path)
    index = (project / ".git/index").read_bytes()
    head = git(project, "rev-parse", "HEAD")

    result = run_doit(project, *args)

    assert result.status != 0
    assert message in result.err
    assert result.err.count("ERROR:") == 1
    assert "Traceback" not in result.text
    assert result.ran == []
    assert snapshot(tmp_path) == before
    # git as the user left it: the index byte for byte, the same status, the same HEAD.
    assert (project / ".git/index").read_bytes() == index
    assert git(project, "status", "--porcelain") == status
    assert git(project, "rev-parse", "HEAD") == head


def test_schema_violation_leaves_the_manifest_as_it_was(project):
    manifest = project / "web/public/fixtures/dev.json"
    text = manifest.read_text().replace('"attribution": []', '"attribution": {}')
    manifest.write_text(text)
    before = snapshot(project)
    result = run_doit(project, "manifest")
    assert result.status != 0
    assert "would not match the web app's schema" in result.out
    assert "attribution" in result.out
    assert "Traceback" not in result.text
    assert manifest.read_text() == text
    assert snapshot(project) == before


def test_a_second_publish_is_refused_while_one_runs(project):
    before = snapshot(project)
    publish_lock.take(project)  # this test process plays the publish that is running
    try:
        result = run_doit(project, "version=8")
    finally:
        publish_lock.drop(project)
    assert result.status != 0
    assert "Another publish is running" in result.out
    assert f"pid {os.getpid()}" in result.out
    assert "Traceback" not in result.text
    assert snapshot(project) == before

    assert run_doit(project, "version=8").status == 0
