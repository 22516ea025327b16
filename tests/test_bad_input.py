"""Bad input: one clear error, no traceback, and every file exactly as it was."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import EXPORT, git, run_doit, snapshot

from web_assets import publish_lock


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
    before = snapshot(tmp_path)
    head = git(project, "rev-parse", "HEAD")

    result = run_doit(project, *args)

    assert result.status != 0
    assert message in result.err
    assert result.err.count("ERROR:") == 1
    assert "Traceback" not in result.text
    assert result.ran == []
    assert snapshot(tmp_path) == before
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


def test_sigkill_mid_copy_leaves_old_or_new_and_the_next_run_repairs(project):
    target = project / "web/public/data/financial_dataset.csv"
    old = target.read_bytes()
    big = project / "data/processed/big_financial.csv"
    row = b"2024-2025,Arsenal,Chelsea," + b"1" * 200 + b"\n"
    with big.open("wb") as stream:
        stream.write(b"season,home_team,away_team,value\n")
        stream.write(row * ((512 << 20) // len(row)))
    new_size = big.stat().st_size
    # Its rows need not match the main dataset's: this is about the copy being killed.
    settings = ["financial_dataset=data/processed/big_financial.csv", "check_financial_keys=false"]

    process = subprocess.Popen(
        [sys.executable, "-m", "doit", "datasets", *settings],
        cwd=project,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    partials: list[Path] = []
    while time.monotonic() < deadline and process.poll() is None:
        partials = [p for p in target.parent.glob(".financial_dataset.csv.*") if p.stat().st_size]
        if partials:
            break
        time.sleep(0.001)
    if not partials:
        output, _ = process.communicate()
        pytest.fail(f"the copy ended before it could be interrupted: {output.decode()}")
    process.send_signal(signal.SIGKILL)
    process.communicate()

    assert target.read_bytes() == old
    result = run_doit(project, *settings)
    assert result.status == 0, result.text
    assert target.stat().st_size == new_size
    assert target.read_bytes() == big.read_bytes()
    assert not list(target.parent.glob(".financial_dataset.csv.*"))
