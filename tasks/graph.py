"""Task creators: the release as doit task dicts. dodo.py calls these and nothing else."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

from doit import doit_cmd
from doit.exceptions import InvalidDodoFile

from tasks.actions import (
    check_datasets,
    check_models,
    commit_release,
    publish_copy,
    record_digest,
    run_step,
    run_verify,
    write_lock,
    write_manifest,
)
from tasks.digests import ContentChecker
from tasks.plan import settings_changed
from tasks.release import Release, load_release
from tasks.report import SummaryReporter
from web_assets.errors import PublishError

PUBLISH_TASKS = ["check", "datasets", "gather", "hash", "manifest", "lockfile", "commit"]
# Every step that writes waits for the checks: bad input stops the run before any write.
CHECKED = ["check"]
Task = dict[str, Any]


def doit_config() -> dict[str, Any]:
    return {
        "default_tasks": PUBLISH_TASKS,
        "reporter": SummaryReporter,
        "check_file_uptodate": ContentChecker,
    }


def command_line_settings() -> dict[str, str]:
    """The `name=value` variables given to doit."""
    # doit exposes them one name at a time (get_var); the whole dict lets a misspelt name be refused.
    return dict(doit_cmd._CMDLINE_VARS or {})


def release(root: Path) -> Release:
    """The release the doit command line asks for; bad input stops doit before any step runs.

    Every task creator asks for it: it is loaded once per set of command-line settings.
    """
    return _load_once(root, tuple(sorted(command_line_settings().items())))


@cache
def _load_once(root: Path, settings: tuple[tuple[str, str], ...]) -> Release:
    try:
        return load_release(root, dict(settings))
    except PublishError as err:
        # doit prints these as `ERROR: message` without a traceback.
        raise InvalidDodoFile(str(err)) from None


def forget_release() -> None:
    """Let the next doit run in this process look at the files again."""
    _load_once.cache_clear()


def check_tasks(release: Release) -> Iterator[Task]:
    settings = release.settings
    if settings.check_models:
        yield {
            "name": "models",
            "file_dep": [settings.relative(source) for source in release.sources.values()],
            "actions": [(run_step, [release, check_models, release])],
        }
    if settings.check_financial_keys and settings.main_columns and settings.financial_columns:
        yield {
            "name": "datasets",
            "file_dep": [
                settings.relative(settings.dataset),
                settings.relative(settings.financial_dataset),
            ],
            "actions": [(run_step, [release, check_datasets, release])],
            "uptodate": [
                settings_changed(
                    {"main": settings.main_columns, "financial": settings.financial_columns}
                )
            ],
        }


def dataset_tasks(release: Release) -> Iterator[Task]:
    settings = release.settings
    for copy in release.datasets:
        target = settings.relative(copy.target)
        count_rows = copy.target.suffix.lower() == ".csv"
        yield {
            "name": copy.name,
            "file_dep": [settings.relative(copy.source)],
            "targets": [target],
            "actions": [(run_step, [release, publish_copy, settings.root, copy, count_rows])],
            "uptodate": [settings_changed({"target": target})],
            "task_dep": CHECKED,
        }


def gather_tasks(release: Release) -> Iterator[Task]:
    settings = release.settings
    for copy in release.export.gathered:
        yield {
            "name": copy.name,
            "file_dep": [settings.relative(copy.source)],
            "targets": [settings.relative(copy.target)],
            "actions": [(run_step, [release, publish_copy, settings.root, copy])],
            "task_dep": CHECKED,
        }


def hash_tasks(release: Release) -> Iterator[Task]:
    settings = release.settings
    for artefact in release.export.models + release.export.bundles:
        yield {
            "name": artefact.path.name,
            "file_dep": [settings.relative(artefact.path)],
            "actions": [(run_step, [release, record_digest, settings.root, artefact.path])],
            "task_dep": CHECKED,
        }


def manifest_task(release: Release) -> Task:
    settings = release.settings
    return {
        "getargs": {"digests": ("hash", None)},
        "targets": [settings.relative(settings.manifest)],
        "actions": [(run_step, [release, write_manifest, release])],
        # getargs alone makes `hash` a setup task, which doit runs only once this task is already
        # out of date: then `doit manifest` would miss a changed model. task_dep runs it first.
        "task_dep": [*CHECKED, "hash"],
        "uptodate": [
            settings_changed(
                {
                    "version": settings.version,
                    "uri_template": settings.uri_template,
                    "run_dir": settings.relative(settings.run_dir),
                    "run_id": settings.run_id,
                    "trained_at": settings.trained_at,
                }
            )
        ],
    }


def commit_task(release: Release) -> Task:
    settings = release.settings
    return {
        "file_dep": [settings.relative(path) for path in release.published_files()],
        "actions": [(run_step, [release, commit_release, release])],
        "task_dep": CHECKED,
        "uptodate": [
            settings_changed(
                {
                    "version": settings.version,
                    "commit": settings.commit,
                    "push": settings.push,
                    "remote": settings.remote,
                    "branch": settings.branch,
                }
            )
        ],
    }


def lockfile_task(release: Release) -> Task:
    settings = release.settings
    return {
        "getargs": {
            "datasets": ("datasets", None),
            "gather": ("gather", None),
            "digests": ("hash", None),
        },
        "targets": [settings.relative(settings.lock_file)],
        "actions": [(run_step, [release, write_lock, release])],
        "task_dep": [*CHECKED, "datasets", "gather", "hash"],
        "uptodate": [settings_changed({"version": settings.version})],
    }


def verify_task(release: Release) -> Task:
    return {
        "actions": [(run_verify, [release.settings])],
        "uptodate": [False],
        "verbosity": 2,
    }
