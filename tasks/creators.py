"""Task creators: a release as doit task dicts. dodo.py calls these and nothing else.

Subtasks are named by the file they write, relative to the project, as in doit's own dodo.py.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

from tasks.checker import ContentChecker
from tasks.context import Loaded
from tasks.inputs import lock_inputs, manifest_inputs
from tasks.reporter import SummaryReporter
from tasks.step import run_step, run_verify, uncaptured
from web_assets.records.uris import pins
from web_assets.release.load import Release
from web_assets.release.run_files import remove_stale
from web_assets.report.write import report_target
from web_assets.steps.copy import publish_copies, publish_copy, remove_partials
from web_assets.steps.records import write_lock, write_manifest
from web_assets_doit.uptodate import settings_changed, target_intact, targets_intact

PUBLISH_TASKS = [
    "check",
    "datasets",
    "gather",
    "prune",
    "upload",
    "commit:files",
    "manifest",
    "lockfile",
    "commit",
    "app",
    "pr",
]
# Every step that writes waits for the checks: bad input stops the run before any write.
CHECKED = ["check"]
Task = dict[str, Any]


def doit_config(loaded: Loaded | None = None) -> dict[str, Any]:
    # In pull-request mode the run in the worktree writes the report, of the release it made.
    target = report_target(loaded.settings) if loaded and loaded.pr is None else None
    # The report needs the live release as it is before any step writes: read now, kept here.
    reporter = type("SummaryReporter", (SummaryReporter,), {"report": target})
    return {
        "default_tasks": PUBLISH_TASKS,
        "reporter": reporter if target else SummaryReporter,
        "check_file_uptodate": ContentChecker,
    }


def step_action(release: Release, step: Callable[..., Any], *args: Any) -> tuple:
    settings = release.settings
    clean_up = partial(remove_partials, release)
    return (run_step, [settings.root, settings.hash_threads, clean_up, step, *args])


@uncaptured
def dataset_tasks(release: Release | None) -> Iterator[Task]:
    if release is None:
        # Still a step that waits for the checks, so that they report what is wrong. A named
        # subtask, not a `name: None` one: that would replace the group's docstring in `doit list`.
        yield {
            "name": "inputs",
            "doc": "waits for the checks",
            "actions": None,
            "task_dep": CHECKED,
        }
        return
    settings = release.settings
    for copy in release.datasets:
        target = settings.relative(copy.target)
        count_rows = copy.target.suffix.lower() == ".csv"
        yield {
            "name": target,
            "doc": f"copy {copy.source.name} to {target}",
            "file_dep": [settings.shown(copy.source)],
            "targets": [target],
            "actions": [step_action(release, publish_copy, settings.root, copy, count_rows)],
            "uptodate": [settings_changed({"target": target}), target_intact(target)],
            "task_dep": CHECKED,
        }


@uncaptured
def gather_task(release: Release | None) -> Task:
    """One step for the whole run: its copies share one durability barrier, and doit keeps one
    record instead of one per file. Within it only the files whose bytes changed are copied."""
    gathered = release.export.gathered if release is not None else []
    if not gathered:
        return {"actions": None, "task_dep": CHECKED}
    settings = release.settings
    targets = [settings.relative(copy.target) for copy in gathered]
    return {
        "file_dep": [settings.shown(copy.source) for copy in gathered],
        "targets": targets,
        "actions": [
            step_action(release, publish_copies, settings.root, gathered, settings.hash_threads)
        ],
        "uptodate": [targets_intact(targets)],
        "task_dep": CHECKED,
    }


@uncaptured
def prune_task(release: Release | None) -> Task:
    """The previous release's files that the run lacks leave the export folder before the files
    commit records their removal; up to date once they are gone."""
    if release is None or not release.removed:
        return {"actions": None, "task_dep": CHECKED}
    settings = release.settings
    return {
        "actions": [step_action(release, remove_stale, settings.root, list(release.removed))],
        "uptodate": [files_gone(list(release.removed))],
        "task_dep": CHECKED,
    }


class files_gone:
    """Up to date while none of these files is in the export folder."""

    def __init__(self, paths: list[Path]):
        self.paths = paths

    def __repr__(self) -> str:
        return f"files_gone({len(self.paths)} files)"

    def explain(self, values: dict[str, Any]) -> str:
        return f"{len(self.paths)} file(s) of the previous release are not in the run: removed"

    def __call__(self, task, values) -> bool:
        return not any(os.path.lexists(path) for path in self.paths)


def uploads_of(release: Release) -> tuple[dict[str, Any], list[str]]:
    """The getargs and task_dep that make a step wait for every upload and read its keys."""
    if not release.object_files():
        return {}, []
    return {"uploads": ("upload", None)}, ["upload"]


def manifest_settings(release: Release) -> dict[str, Any]:
    """The settings the manifest reads (and the files commit, whose commit it names)."""
    settings = release.settings
    return {
        "version": settings.version,
        "uri_template": settings.uri_template,
        "run_dir": settings.shown(settings.run_dir),
        "run_id": settings.run_id,
        "trained_at": settings.trained_at,
        **({"metrics": release.metrics} if release.metrics else {}),
    }


@uncaptured
def manifest_task(release: Release | None) -> Task:
    if release is None:
        return {"actions": None, "task_dep": CHECKED}
    settings = release.settings
    uploads, upload_dep = uploads_of(release)
    pinned = pins(settings.uri_template)
    getargs = {**uploads, **({"files": ("commit:files", None)} if pinned else {})}
    artefacts = release.export.models + release.export.bundles
    return {
        **({"getargs": getargs} if getargs else {}),
        # doit's file check hashes each changed model and bundle into the digest cache, where
        # the step finds them: no step per file only to record a digest.
        "file_dep": [settings.relative(artefact.path) for artefact in artefacts],
        "targets": [settings.relative(settings.manifest)],
        "actions": [step_action(release, write_manifest, manifest_inputs(release))],
        "task_dep": [*CHECKED, *upload_dep, *(["commit:files"] if pinned else [])],
        "uptodate": [
            settings_changed(manifest_settings(release)),
            target_intact(settings.relative(settings.manifest)),
        ],
    }


@uncaptured
def lockfile_task(release: Release | None) -> Task:
    if release is None:
        return {"actions": None, "task_dep": CHECKED}
    settings = release.settings
    uploads, upload_dep = uploads_of(release)
    return {
        "getargs": {
            **uploads,
            "datasets": ("datasets", None),
            # Only a step with an action has a result to read: doit would see none as changed.
            **({"gather": ("gather", None)} if release.export.gathered else {}),
            "manifest": ("manifest", None),
            # Each model's missing features and prediction shift, from check:models.
            "check": ("check", None),
        },
        "targets": [settings.relative(settings.lock_file)],
        # External data and other gathered files are hashed here: a change rewrites the lock.
        "file_dep": [settings.relative(extra.path) for extra in release.extras],
        "actions": [step_action(release, write_lock, lock_inputs(release))],
        "task_dep": [*CHECKED, "datasets", "gather", "prune", *upload_dep, "manifest"],
        "uptodate": [
            settings_changed(
                {
                    "version": settings.version,
                    **({"metrics": release.metrics} if release.metrics else {}),
                }
            ),
            target_intact(settings.relative(settings.lock_file)),
            # While it names files of the previous release that the run lacks, it is rewritten.
            not release.removed,
        ],
    }


@uncaptured
def verify_task(loaded: Loaded) -> Task:
    return {
        "actions": [(run_verify, [loaded.settings, loaded.problem])],
        "uptodate": [False],
        "verbosity": 2,
    }
