"""A release load refuses what a stat shows before it parses any model: bounded work."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from web_assets.config.settings import resolve_settings
from web_assets.errors import PublishError
from web_assets.release.load import load_release


def bytes_read() -> int:
    """Bytes this process has read through system calls so far (Linux task accounting)."""
    for line in Path("/proc/self/io").read_text().splitlines():
        if line.startswith("rchar:"):
            return int(line.split()[1])
    raise AssertionError("no rchar in /proc/self/io")


def zeros_model(project: Path) -> Path:
    settings = resolve_settings(project, {}, environ={})
    model = settings.export_dir / "huge_model.onnx"
    with model.open("wb") as sparse:
        sparse.truncate(150 * 1000 * 1000)  # sparse: no disk
    return model


def refusal(project: Path) -> tuple[str, int]:
    """The load's one-line refusal, and the bytes it read to reach it."""
    settings = resolve_settings(project, {}, environ={})
    before = bytes_read()
    with pytest.raises(PublishError) as refused:
        load_release(settings)
    return str(refused.value), bytes_read() - before


def test_a_model_too_large_for_github_is_refused_by_its_size_before_it_is_parsed(project):
    zeros_model(project)
    subprocess.run(
        ["git", "remote", "add", "origin", "git@github.com:x/y.git"], cwd=project, check=True
    )
    message, read = refusal(project)
    assert "huge_model.onnx is 143.05 MiB" in message and 'storage = "s3"' in message
    assert read < 1 << 20


def test_a_file_of_zeros_named_as_a_model_costs_a_few_bytes_to_refuse(project):
    model = zeros_model(project)
    message, read = refusal(project)
    assert f"{model} is not a readable ONNX model (protobuf field number 0" in message
    assert read < 1 << 20
