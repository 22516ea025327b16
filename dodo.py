"""Publish a training run to the web app. `doit list` shows the steps; README.md the settings."""

from pathlib import Path

from tasks import app_check, checks, commits, context, creators, pr, storage

PROJECT_ROOT = Path(__file__).resolve().parent
# Settings are resolved once per run, here, before any task is made: from what the entry point
# gave (doit's `name=value` variables, set before doit imports this file; or the typed settings
# that `publish()` and `update-web-assets` resolved and handed to doit as a variable, see
# web_assets_doit/runner.py), then the release the lock file records, [tool.web-assets] in
# pyproject.toml, and the defaults (tasks/context.py, run_settings). The creators below get the
# result.
LOADED = context.load(PROJECT_ROOT)
RELEASE = LOADED.release

DOIT_CONFIG = creators.doit_config(LOADED)


def task_check():
    """Check that the web app can use the models and datasets, before anything is written."""
    yield from checks.check_tasks(LOADED)


def task_datasets():
    """Copy the main and financial datasets (and team cache) into the web app's data folder."""
    yield from creators.dataset_tasks(RELEASE)


def task_gather():
    """Copy the run's models and bundles into the export folder (the changed ones)."""
    return creators.gather_task(RELEASE)


def task_prune():
    """Remove from the export folder the previous release's files that the run lacks."""
    return creators.prune_task(RELEASE)


def task_upload():
    """With storage = "s3": send each model and bundle to the object store, before the manifest."""
    yield from storage.upload_tasks(RELEASE)


def task_commit_files():
    """With {commit} in uri_template: commit the files, for the manifest's URIs to name."""
    return commits.commit_files_task(RELEASE)


def task_manifest():
    """Rewrite the web app's manifest from the recorded hashes."""
    return creators.manifest_task(RELEASE)


def task_lockfile():
    """Write the lock file: every published file with its digest, size and source."""
    return creators.lockfile_task(RELEASE)


def task_commit():
    """Commit the published files: the manifest and lock file, on top of the files (push when asked)."""
    return commits.commit_task(RELEASE)


def task_app():
    """With app_url and push=true: ask the web app whether it serves what was pushed."""
    return app_check.app_check_task(RELEASE)


def task_pr():
    """With pr=true: the whole publish on the branch web-assets/v{version}, in a worktree."""
    return pr.pr_task(PROJECT_ROOT, LOADED)


def task_verify():
    """Re-read every published file and check it against the manifest and the lock file."""
    return creators.verify_task(LOADED)
