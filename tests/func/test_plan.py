"""`doit plan` names what `doit` then runs, and why."""

from __future__ import annotations

import os

from testing.doit import doit_here
from testing.project import EXPORT, NO_COMMIT, retrain


def planned(root, *args: str) -> tuple[list[str], str]:
    result = doit_here(root, "plan", *args)
    assert result.status == 0, result.text
    names = [
        line.removeprefix("would run: ")
        for line in result.out.splitlines()
        if line.startswith("would run: ")
    ]
    return names, result.out


def agrees(root, *args: str) -> str:
    """Plan, then run: the plan names exactly the steps that run. Returns the plan's text."""
    names, text = planned(root, *args)
    result = doit_here(root, *args)
    assert result.status == 0, result.text
    # The same steps; two run at a time (num_process = 2), so their order may differ.
    assert sorted(names) == sorted(result.ran), text
    return text


def test_a_fresh_project_plans_every_step_as_never_run(project):
    text = agrees(project, *NO_COMMIT)
    assert "never run" in text


def test_nothing_changed_plans_nothing(project):
    assert doit_here(project).status == 0
    text = agrees(project)
    assert "0 step(s) would run; 8 up to date." in text


def test_touch_plans_nothing(project):
    assert doit_here(project).status == 0
    for path in (project / EXPORT).iterdir():
        stat = path.stat()
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    assert "0 step(s) would run" in agrees(project)


def test_one_changed_model_plans_its_chain_with_digests(project):
    assert doit_here(project).status == 0
    model = project / EXPORT / "performance_dense.onnx"
    old = model.read_bytes()
    retrain(model, seed=7)
    import hashlib

    old_digest = hashlib.sha256(old).hexdigest()[:8]
    new_digest = hashlib.sha256(model.read_bytes()).hexdigest()[:8]
    text = agrees(project)
    change = f"{EXPORT}/performance_dense.onnx changed: {old_digest} -> {new_digest}"
    assert f"would run: manifest\n    {change}" in text
    assert f"would run: check:models\n    {change}" in text


def test_a_changed_version_plans_with_old_and_new(project):
    assert doit_here(project).status == 0
    text = agrees(project, "version=8")
    assert "setting version: 7 -> 8" in text
    assert "would run: datasets:web/public/data/Dataset_Version_8.csv\n    never run" in text


def test_plan_writes_nothing_of_the_release(project):
    assert doit_here(project).status == 0
    retrain(project / EXPORT / "performance_dense.onnx", seed=8)
    before = {p: p.read_bytes() for p in (project / "web").rglob("*") if p.is_file()}
    planned(project)
    planned(project)
    assert {p: p.read_bytes() for p in (project / "web").rglob("*") if p.is_file()} == before


def test_a_gathered_target_turned_into_a_folder_is_named_not_a_traceback(project):
    from testing.project import new_run

    run_dir = new_run(project, version=9, seed=5)
    settings = [f"run_dir={run_dir}", "version=9", *NO_COMMIT]
    assert doit_here(project, *settings).status == 0
    target = project / EXPORT / "market_gradient_boost.onnx"
    target.unlink()
    target.mkdir()
    names, text = planned(project, *settings)
    assert "Traceback" not in text
    assert f"{EXPORT}/market_gradient_boost.onnx cannot be read: Is a directory" in text
    assert "gather" in names
