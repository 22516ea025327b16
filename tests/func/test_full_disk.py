"""A full disk: refused before the first write when foreseeable, one line when not.

A small tmpfs stands in for the full disk (mounting needs root, as in CI; elsewhere these skip).
"""

from __future__ import annotations

import subprocess

import pytest

from tasks.step import run_step
from testing.doit import run_doit
from testing.project import sample_repo, snapshot
from web_assets.files.atomic import atomic_write_bytes

DISK = 24 << 20


@pytest.fixture
def small_disk(tmp_path):
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={DISK}", "tmpfs", str(disk)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def big_dataset(path, sample, size):
    """The sample's main CSV with its rows repeated up to `size` bytes: valid, and large."""
    header, *rows = sample.read_bytes().split(b"\r\n")
    body = b"\r\n".join(row for row in rows if row) + b"\r\n"
    with path.open("wb") as stream:
        stream.write(header + b"\r\n")
        while stream.tell() < size:
            stream.write(body)


def test_a_publish_that_cannot_fit_is_refused_before_any_write(small_disk, tmp_path):
    project = sample_repo(small_disk / "project")
    dataset = tmp_path / "Dataset_Version_8.csv"
    big_dataset(dataset, project / "data/processed/Dataset_Version_7.csv", 16 << 20)
    before = snapshot(project)
    result = run_doit(project, f"dataset={dataset}", "version=8")
    assert result.status != 0
    assert "Not enough free space" in result.err and "MiB are free" in result.err
    assert "Traceback" not in result.text
    assert snapshot(project) == before


def test_a_write_that_hits_a_full_disk_is_one_line_naming_the_file(small_disk):
    target = small_disk / "big.bin"
    failed = run_step(
        small_disk,
        1,
        lambda: None,
        atomic_write_bytes,
        target,
        b"x" * (DISK + (1 << 20)),
        dependencies=[],
    )
    message = failed.get_msg()
    assert "big.bin" in message and "No space left on device" in message
    assert "Free some space" in message and "\n" not in message.strip()
    assert not target.exists() and list(small_disk.iterdir()) == [small_disk / ".web-assets"]
