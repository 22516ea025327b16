"""Task creators of the checks: every writing step waits for them, so bad input writes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tasks.context import Loaded
from tasks.creators import Task, step_action, uncaptured
from tasks.step import fail, repair_published
from web_assets.release.checks import check_financial_keys
from web_assets.release.load import Release
from web_assets.release.recorded import damaged_outputs
from web_assets.steps.check import check_models
from web_assets_doit.uptodate import settings_changed


@uncaptured
def check_tasks(loaded: Loaded) -> Iterator[Task]:
    release = loaded.release
    if loaded.pr is not None:
        # The run on the release's branch checks its inputs itself.
        yield {"name": "branch", "doc": "pr=true: checked on the branch", "actions": None}
        return
    if release is None and loaded.kept:
        yield kept_task(loaded)
        return
    if release is None:
        # The problem found at load time, reported by the step every writing step waits for.
        yield {
            "name": "inputs",
            "doc": "the settings and inputs could not be loaded",
            "actions": [(fail, [loaded.problem])],
            "uptodate": [False],
        }
        return
    settings = release.settings
    if settings.check_models:
        yield model_check_task(release)
    if settings.check_financial_keys and settings.main_columns and settings.financial_columns:
        yield dataset_check_task(release)


def model_check_task(release: Release) -> Task:
    """check:models: the models, their bundles and the fixtures' datasets are its inputs."""
    settings = release.settings
    return {
        "name": "models",
        "doc": "each model loads in the web app and runs in ONNX Runtime on the latest fixtures",
        "file_dep": [
            *(settings.shown(source) for source in release.sources.values()),
            # The fixtures the models run on, and the columns their features come from.
            settings.shown(settings.dataset),
            settings.shown(settings.financial_dataset),
        ],
        "actions": [step_action(release, check_models, release)],
        "uptodate": [settings_changed(model_check_settings(settings))],
    }


def dataset_check_task(release: Release) -> Task:
    """check:datasets: the financial dataset's keys against the main dataset's rows."""
    settings = release.settings
    return {
        "name": "datasets",
        "doc": "the financial dataset's keys meet the main dataset's rows",
        "file_dep": [settings.shown(settings.dataset), settings.shown(settings.financial_dataset)],
        "actions": [
            step_action(
                release,
                check_financial_keys,
                settings.dataset,
                settings.main_columns,
                settings.financial_dataset,
                settings.financial_columns,
            )
        ],
        "uptodate": [
            settings_changed(
                {"main": settings.main_columns, "financial": settings.financial_columns}
            )
        ],
    }


def kept_task(loaded: Loaded) -> Task:
    """The recorded inputs are gone: up to date while the published files hold the lock's bytes."""
    settings = loaded.settings
    return {
        "name": "recorded",
        "doc": "the recorded inputs are gone: the published release is kept as it is",
        "title": lambda task: f"{task.name}: {', '.join(loaded.kept)} gone; published files kept",
        "actions": [(repair_published, [settings, loaded.kept])],
        "uptodate": [lambda task, values: not damaged_outputs(settings)],
    }


def model_check_settings(settings) -> dict[str, Any]:
    """The settings check:models reads: a change reruns it."""
    return {
        "derived_features": dict(settings.derived_features),
        "replace_derived_features": settings.replace_derived_features,
        "smoke_fixtures": settings.smoke_fixtures,
        "max_missing_features": settings.max_missing_features,
        "max_prediction_shift": settings.max_prediction_shift,
        "model_time_limit": settings.model_time_limit,
        "model_memory_limit": settings.model_memory_limit,
        "app_onnxruntime": settings.app_onnxruntime,
        "main_columns": settings.main_columns,
        "financial_columns": settings.financial_columns,
    }
