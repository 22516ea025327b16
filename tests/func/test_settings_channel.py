"""Each entry point's settings reach dodo.py, and a misspelt one is refused in its own words."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from testing.project import REPO


def files(folder: Path) -> dict[str, bytes]:
    """Every file below `folder` but git's and doit's state."""
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and not {".git", ".doit.db", "__pycache__"} & set(path.parts)
    }


def doit(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "doit", *args]
    return subprocess.run(command, cwd=root, capture_output=True, text=True)


def test_a_misspelt_variable_after_doits_own_options_is_refused(project):
    before = files(project)
    result = doit(project, "-f", "dodo.py", "-n", "1", "verison=8")
    assert result.returncode != 0
    assert "Unknown setting 'verison' in the command line" in result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert files(project) == before


def test_publish_refuses_a_misspelt_keyword_before_doit_starts(project):
    from web_assets import PublishError, publish

    before = files(project)
    with pytest.raises(PublishError, match=r"Unknown setting 'verison' in publish\(\)"):
        publish(project, verison=8)
    assert files(project) == before


def test_the_scripts_flags_reach_doit_and_a_bad_one_stops_it(project):
    script = [sys.executable, str(project / "scripts/update_web_assets.py"), "--no-commit"]
    template = ["--uri-template", "https://assets.example.invalid/{filename}"]
    result = subprocess.run([*script, *template], cwd=project, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No commit" in result.stdout
    bad = subprocess.run(
        [*script, "--version", "seven"], cwd=project, capture_output=True, text=True
    )
    assert bad.returncode == 1
    assert bad.stderr.startswith("ERROR: ") and "Traceback" not in bad.stderr


def test_publish_outside_a_project_says_so_in_one_line(tmp_path):
    from web_assets import PublishError, publish

    with pytest.raises(PublishError, match=r"has no dodo\.py: run from the project root"):
        publish(tmp_path, version=8)


def test_the_scripts_root_flag_names_the_project_over_the_scripts_own(tmp_path, capsys):
    from web_assets_doit.cli import main

    # As scripts/update_web_assets.py calls it: its own project, unless --root names another.
    assert main(["--root", str(tmp_path), "--version", "8"], root=REPO) == 1
    assert f"{tmp_path} has no dodo.py" in capsys.readouterr().err
