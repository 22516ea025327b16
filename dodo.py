"""Publish a training run to the web app. `doit list` shows the steps; README.md the settings."""

from pathlib import Path

from tasks import graph

PROJECT_ROOT = Path(__file__).resolve().parent

DOIT_CONFIG = graph.doit_config()


def task_check():
    """Check that the web app can use the models and datasets, before anything is written."""
    yield from graph.check_tasks(graph.release(PROJECT_ROOT))


def task_datasets():
    """Copy the main and financial datasets (and team cache) into the web app's data folder."""
    yield from graph.dataset_tasks(graph.release(PROJECT_ROOT))


def task_gather():
    """Copy the run's models and bundles into the export folder."""
    yield from graph.gather_tasks(graph.release(PROJECT_ROOT))


def task_hash():
    """Record the SHA-256 and size of every model and preprocessing bundle."""
    yield from graph.hash_tasks(graph.release(PROJECT_ROOT))


def task_manifest():
    """Rewrite the web app's manifest from the recorded hashes."""
    return graph.manifest_task(graph.release(PROJECT_ROOT))


def task_lockfile():
    """Write the lock file: every published file with its digest, size and source."""
    return graph.lockfile_task(graph.release(PROJECT_ROOT))


def task_commit():
    """Commit the published files (and push when asked)."""
    return graph.commit_task(graph.release(PROJECT_ROOT))


def task_verify():
    """Re-read every published file and check it against the manifest and the lock file."""
    return graph.verify_task(graph.release(PROJECT_ROOT))
