"""The package boundary a user meets: what `import web_assets` costs, and whose `tasks` is whose."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from testing.doit import run_doit
from testing.project import REPO


def python(cwd: Path, code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True)


def test_importing_the_library_loads_neither_doit_nor_onnx(tmp_path):
    result = python(
        tmp_path,
        "import sys, web_assets; print(sorted({'doit', 'onnx', 'onnxruntime', 'jsonschema'}"
        " & set(sys.modules)))",
    )
    assert result.stdout.strip() == "[]", result.stderr


def test_the_doit_wiring_is_not_installed(tmp_path):
    result = python(tmp_path, "import tasks")
    assert "No module named 'tasks'" in result.stderr


def test_an_unrelated_tasks_module_does_not_change_the_api(tmp_path):
    (tmp_path / "tasks.py").write_text("publish = 'invoke tasks'\n")
    result = python(
        tmp_path,
        "import tasks; from web_assets import publish, PublishError; "
        "print(tasks.publish, publish.__module__)",
    )
    assert result.stdout.split() == ["invoke", "tasks", "web_assets_doit.api"], result.stderr


def test_publish_next_to_an_invoke_tasks_file_uses_the_projects_wiring(project, tmp_path):
    scripts = tmp_path / "training"
    scripts.mkdir()
    (scripts / "tasks.py").write_text("raise SystemExit('the wrong tasks module')\n")
    result = python(
        scripts,
        f"from web_assets import publish; "
        f"print(publish({str(project)!r}, commit=False, uri_template='https://x.invalid/{{filename}}').lines()[-1])",
    )
    assert result.returncode == 0, result.stderr
    assert "No commit" in result.stdout


def test_doit_list_and_verify_work_without_valid_publish_inputs(project):
    listed = run_doit(project, "list", "dataset=nope.csv")
    assert listed.status == 0, listed.text
    # The same steps as with valid inputs (test_publish checks which those are).
    assert listed.out == run_doit(project, "list").out
    verified = run_doit(project, "verify", "run_dir=nope")
    assert verified.status == 0, verified.text
    assert "files match" in verified.out


def lint_imports(cwd: Path) -> subprocess.CompletedProcess[str]:
    """import-linter, on the contracts of `cwd`/pyproject.toml, as CI runs it."""
    command = [str(Path(sys.executable).parent / "lint-imports"), "--no-cache"]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True)


def test_the_library_imports_neither_doit_nor_its_doit_side():
    result = lint_imports(REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 1 kept, 0 broken." in result.stdout


def test_the_import_contract_sees_an_import_inside_a_function(tmp_path):
    for package in ("web_assets", "web_assets_doit", "tasks"):
        shutil.copytree(REPO / package, tmp_path / package, ignore=shutil.ignore_patterns("*.pyc"))
    shutil.copy(REPO / "pyproject.toml", tmp_path)
    probe = tmp_path / "web_assets/verify/probe.py"
    probe.write_text(
        '"""Runs doit later."""\n\n\ndef later():\n    from doit import run\n\n    return run\n'
    )
    result = lint_imports(tmp_path)
    assert result.returncode != 0
    assert "web_assets.verify.probe -> doit" in result.stdout, result.stdout
