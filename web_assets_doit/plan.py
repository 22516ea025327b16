"""`doit plan`: which steps `doit` would run, and why, without running anything.

doit has no dry run. This asks doit's own dependency manager for each step's status, in the
order doit would run them, and spells out the reasons: which file's content changed (old and new
digest), which setting changed (old -> new), or that the step never ran. A step that reads the
output of a step that would run (its target, or its result) would run after it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import NamedTuple

from doit.cmd_base import DoitCmdBase
from doit.control import TaskControl

from web_assets.files.digests import cache_for
from web_assets_doit.uptodate import SETTINGS_KEY, settings_changed


class Step(NamedTuple):
    name: str
    reasons: list[str]


def plan(tasks: dict, dep_manager, selected: list[str], root: Path) -> tuple[list[Step], int]:
    """The steps that would run with their reasons, and how many would not."""
    cache = cache_for(root)
    would_run: list[Step] = []
    up_to_date = 0
    producers = {target: name for name, task in tasks.items() for target in task.targets}
    running: set[str] = set()
    for name in _execution_order(tasks, selected):
        task = tasks[name]
        if not task.actions:
            continue
        status = dep_manager.get_status(task, tasks, get_log=True)
        upstream = sorted(
            {producers[dep] for dep in task.file_dep if producers.get(dep) in running}
            | {step for source in task.setup_tasks for step in _running(source, tasks, running)}
        )
        made_before = {dep for dep in task.file_dep if producers.get(dep) in running}
        if status.status == "error" and not _missing(task) - made_before:
            # Its inputs are missing only because a step that runs first writes them.
            reasons = []
        else:
            reasons = _reasons(task, status, dep_manager, cache)
        reasons += [f"after {source}, whose output it reads" for source in upstream]
        if reasons:
            running.add(name)
            would_run.append(Step(name, reasons))
        else:
            up_to_date += 1
    return would_run, up_to_date


def _missing(task) -> set[str]:
    return {dep for dep in task.file_dep if not os.path.exists(dep)}


def _running(name: str, tasks: dict, running: set[str]) -> list[str]:
    """The step, or the subtasks of the group, that would run."""
    if name in running:
        return [name]
    return [sub for sub in tasks[name].task_dep if sub.startswith(f"{name}:") and sub in running]


def _execution_order(tasks: dict, selected: list[str]) -> list[str]:
    order: list[str] = []
    seen: set[str] = set()

    def visit(name: str) -> None:
        if name in seen:
            return
        seen.add(name)
        task = tasks[name]
        for dep in [*task.task_dep, *task.setup_tasks]:
            visit(dep)
        order.append(name)

    for name in selected:
        visit(name)
    return order


def _reasons(task, status, dep_manager, cache) -> list[str]:
    if status.status == "up-to-date":
        return []
    if status.status == "error":
        return [f"cannot run: {status.get_error_message()}"]
    reasons_found = status.reasons
    values = dep_manager.get_values(task.name)
    never_ran = not values and dep_manager._get(task.name, "checker:") is None
    if never_ran:
        return ["never run"]
    reasons: list[str] = []
    if "has_no_dependencies" in reasons_found:
        reasons.append("runs every time")
    for target in reasons_found.get("missing_target", []):
        reasons.append(f"{target} is missing")
    if "checker_changed" in reasons_found:
        reasons.append("file check method changed since the last run")
    for dep in reasons_found.get("added_file_dep", []):
        reasons.append(f"new input {dep}")
    for dep in reasons_found.get("removed_file_dep", []):
        reasons.append(f"input {dep} dropped")
    added = set(reasons_found.get("added_file_dep", []))
    for dep in reasons_found.get("changed_file_dep", []):
        if dep in added:
            continue
        old = dep_manager._get(task.name, dep)
        old_digest = old[0][:8] if isinstance(old, list) and old else "?"
        try:
            new = cache.digest(dep).sha256[:8]
        except OSError as err:
            reasons.append(f"{dep} cannot be read: {err.strerror or err}")
            continue
        reasons.append(f"{dep} changed: {old_digest} -> {new}")
    for check, _, _ in reasons_found.get("uptodate_false", []):
        reasons += _uptodate_reasons(check, values)
    return reasons


def _uptodate_reasons(check, values) -> list[str]:
    if isinstance(check, settings_changed):
        old = values.get(SETTINGS_KEY) or {}
        return [
            f"setting {key}: {old.get(key)!r} -> {value!r}"
            for key, value in check.settings.items()
            if old.get(key) != value
        ] or ["settings changed"]
    if hasattr(check, "explain"):
        return [check.explain(values)]
    name = getattr(check, "dep_name", None)
    if name:  # doit's result_dep, from getargs
        return [f"the result of {name} changed"]
    return [f"{getattr(check, '__name__', type(check).__name__)} says it is out of date"]


class Plan(DoitCmdBase):
    """doit command: `doit plan [TASK ...]`."""

    name = "plan"
    doc_purpose = "list the steps doit would run, and why, without running anything"
    doc_usage = "[TASK ...]"
    doc_description = None
    cmd_options = ()

    def _execute(self, pos_args=None):
        control = TaskControl(self.task_list)
        control.process(self.sel_tasks)
        root = Path.cwd()
        steps, up_to_date = plan(control.tasks, self.dep_manager, control.selected_tasks, root)
        out = self.outstream if hasattr(self, "outstream") else sys.stdout
        for step in steps:
            out.write(f"would run: {step.name}\n")
            for reason in step.reasons:
                out.write(f"    {reason}\n")
        out.write(f"{len(steps)} step(s) would run; {up_to_date} up to date.\n")
        self.dep_manager.close()
        return 0
