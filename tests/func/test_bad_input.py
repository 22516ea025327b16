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
from testing.project import EXPORT, snapshot
from web_assets.files import publish_lock
from web_assets.files.atomic import partial_path


def empty_run_dir(root: Path) -> list[str]:
    (root / "runs/empty").mkdir(parents=True)
    return ["run_dir=runs/empty"]


def clashing_ids(root: Path) -> list[str]:
    run_dir = root / "runs/clash"
    run_dir.mkdir(parents=True)
    model = (root / EXPORT / "performance_dense.onnx").read_bytes()
    (run_dir / "Performance_Dense.onnx").write_bytes(model)
    return ["run_dir=runs/clash"]


def dataset_with(content: bytes):
    def make(root: Path) -> list[str]:
        (root / "data/processed/bad.csv").write_bytes(content)
        return ["dataset=data/processed/bad.csv"]

    return make


def financial_with(content: bytes):
    def make(root: Path) -> list[str]:
        (root / "data/processed/bad_financial.csv").write_bytes(content)
        return ["financial_dataset=data/processed/bad_financial.csv"]

    return make


def manifest_with(content: str):
    def make(root: Path) -> list[str]:
        (root / "web/public/fixtures/dev.json").write_text(content)
        return []

    return make


def manifest_outside(root: Path) -> list[str]:
    return ["manifest=../dev.json"]


def data_dir_symlinked_out(root: Path) -> list[str]:
    outside = root.parent / "elsewhere"
    outside.mkdir()
    (root / "public_data").symlink_to(outside)
    return ["data_dir=public_data"]


def given(*args: str):
    return lambda root: list(args)


CASES = {
    "run dir missing": (given("run_dir=runs/nope"), "does not exist"),
    "run dir without models": (empty_run_dir, "holds no *.onnx model"),
    "dataset missing": (given("dataset=data/processed/nope.csv"), "does not exist"),
    "dataset empty": (dataset_with(b""), "is empty"),
    "dataset without header": (dataset_with(b"1,2,3\r\n4,5,6\r\n"), "has no header row"),
    "dataset with BOM": (dataset_with(b"\xef\xbb\xbfseason,home\r\n"), "byte-order mark"),
    "financial dataset missing": (given("financial_dataset=nope.csv"), "does not exist"),
    "financial dataset empty": (financial_with(b"\n\n"), "is empty"),
    "financial dataset with BOM": (financial_with(b"\xff\xfes\x00"), "byte-order mark"),
    "version zero": (given("version=0"), "positive whole number"),
    "version not a number": (given("version=v8"), "positive whole number"),
    "version negative": (given("version=-2"), "positive whole number"),
    "manifest not JSON": (manifest_with('{"run_id": '), "is not valid JSON"),
    "manifest not an object": (manifest_with("[]"), "not an object"),
    "manifest models not a list": (manifest_with('{"models": {}}'), "must be a list"),
    "two files, one id": (clashing_ids, "same model id"),
    "output escapes by ..": (manifest_outside, "outside the project"),
    "output through a symlink": (data_dir_symlinked_out, "symlink"),
    "version in other digits": (given("version=٣"), "positive whole number"),
    "version superscript": (given("version=²"), "positive whole number"),
    "run dir empty": (given("run_dir="), "run_dir"),
    "trained_at out of range": (given("trained_at=9999-12-31T23:59:59-01:00"), "RFC 3339"),
    "uri template format spec": (given("uri_template=x/{filename:>99999999999}"), "plain"),
    "unknown setting": (given("verison=8"), "Unknown setting 'verison'"),
    "bad uri template": (given("uri_template=x/{name}"), "may only use"),
    "bad trained_at": (given("trained_at=yesterday"), "RFC 3339"),
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


def test_bad_source_date_epoch_is_refused(project):
    result = run_doit(project, env={"SOURCE_DATE_EPOCH": "tomorrow"})
    assert result.status != 0
    assert "SOURCE_DATE_EPOCH" in result.err and "Traceback" not in result.text


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
