"""Bad input: one clear error, no traceback, and every file exactly as it was."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from testing.doit import run_doit
from testing.gitrepo import git
from testing.project import snapshot
from testing.refusals import INPUTS, SETTINGS
from web_assets.files import publish_lock
from web_assets.files.atomic import partial_path

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


def digest(path: Path) -> str:
    with path.open("rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()


def killed_mid_copy(project: Path, settings: list[str], target: Path) -> bool:
    """Run `doit datasets` and SIGKILL it while `target`'s temp file is being written.

    True when the kill landed mid-copy (the temp file, partly written, is still there after it);
    False when the copy ended before it could be caught.
    """
    partial = partial_path(target)
    process = subprocess.Popen(
        [sys.executable, "-m", "doit", "datasets", *settings],
        cwd=project,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while process.poll() is None and time.monotonic() < deadline:
            if partial.exists() and partial.stat().st_size:
                process.send_signal(signal.SIGKILL)
                break
            time.sleep(0.001)
        output, _ = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    if process.returncode != -signal.SIGKILL:
        assert process.returncode == 0, output.decode()
        return False
    return partial.exists()


def test_sigkill_mid_copy_leaves_the_old_file_and_the_next_run_repairs(project):
    target = project / "web/public/data/financial_dataset.csv"
    big = project / "data/processed/big_financial.csv"
    row = b"2024-2025,Arsenal,Chelsea,1\n"
    # Its rows need not match the main dataset's: this is about the copy being killed.
    settings = [
        "financial_dataset=data/processed/big_financial.csv",
        "check_financial_keys=false",
        "financial_app_columns=",
    ]
    # The copy must last long enough to be caught: larger files only if a smaller one was not.
    for size in (64 << 20, 256 << 20, 512 << 20):
        old = digest(target)
        with big.open("wb") as stream:
            stream.write(b"season,home_team,away_team,value\n" + row * 1000)
            # The rest is a hole: NUL bytes (valid UTF-8) that cost no disk writes to make.
            stream.truncate(size)
        if killed_mid_copy(project, settings, target):
            break
    else:
        pytest.fail("every copy ended before it could be interrupted")

    assert digest(target) == old
    result = run_doit(project, *settings)
    assert result.status == 0, result.text
    assert target.stat().st_size == size
    assert digest(target) == digest(big)
    assert not partial_path(target).exists()
