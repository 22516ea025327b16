"""The GitHub Actions workflows the project ships pass actionlint with no finding."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

WORKFLOWS = Path(__file__).resolve().parents[2] / ".github" / "workflows"
BROKEN = """\
on: push
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - run: echo ${{ github.nope }}
"""


def actionlint() -> str:
    """The actionlint the test extras install beside this Python (else the one on PATH)."""
    beside = Path(sys.executable).parent / "actionlint"
    found = str(beside) if beside.exists() else shutil.which("actionlint")
    assert found, "actionlint is missing: pip install -e '.[test]' installs it"
    return found


def lint(*files: Path) -> subprocess.CompletedProcess:
    command = [actionlint(), "-no-color", *map(str, files)]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def test_every_workflow_passes_actionlint():
    files = sorted(WORKFLOWS.glob("*.yml"))
    assert [path.name for path in files] == ["ci.yml", "publish-example.yml"]
    result = lint(*files)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_finds_a_broken_workflow(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text(BROKEN)
    result = lint(broken)
    assert result.returncode != 0
    assert "nope" in result.stdout
