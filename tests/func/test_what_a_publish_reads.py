"""Refusals of what a publish may read and name (issue 20, items 5-7): one line, nothing written."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path


def files(folder: Path) -> dict[str, bytes]:
    """Every file below `folder` but git's and doit's state."""
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and not {".git", ".doit.db", "__pycache__"} & set(path.parts)
    }


def head(root: Path) -> str:
    command = ["git", "rev-parse", "HEAD"]
    return subprocess.run(command, cwd=root, capture_output=True, text=True, check=True).stdout


def refused(root: Path, *args: str, says: str) -> str:
    """Run `doit ARGS`; assert it failed in one line saying `says`, and wrote nothing."""
    before, commit = files(root), head(root)
    result = subprocess.run(
        [sys.executable, "-m", "doit", *args], cwd=root, capture_output=True, text=True
    )
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("ERROR: ") and says in lines[0], output
    assert files(root) == before
    assert head(root) == commit
    return output


def test_a_run_file_symlinked_from_outside_the_run_is_refused(project, tmp_path):
    run = tmp_path / "run"
    shutil.copytree(project / "artifacts" / "run_export", run)
    secret = tmp_path / "secret.json"
    secret.write_text('{"token": "do not publish"}')
    (run / "metrics.json").symlink_to(secret)
    output = refused(project, f"run_dir={run}", says="outside the run folder")
    assert "metrics.json is a symlink" in output


def test_a_uri_template_naming_no_file_is_refused(project):
    refused(project, "uri_template=https://cdn.example.com/latest.onnx", says="names no file")


def test_no_uri_template_and_a_remote_not_on_github_is_refused(project, tmp_path):
    bare = tmp_path / "remote.git"
    subprocess.run(["git", "init", "--quiet", "--bare", str(bare)], check=True)
    subprocess.run(["git", "remote", "add", "origin", str(bare)], cwd=project, check=True)
    pyproject = project / "pyproject.toml"
    pyproject.write_text(re.sub(r"^uri_template = .*\n", "", pyproject.read_text(), flags=re.M))
    refused(project, "version=7", says="No uri_template given")
