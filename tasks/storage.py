"""The upload step (storage = "s3"): its tasks, between the gathered copies and the manifest."""

from __future__ import annotations

from collections.abc import Iterator

from tasks.creators import CHECKED, Task, step_action, uncaptured
from web_assets.release.load import Release
from web_assets.steps.upload import store_settings, upload_object
from web_assets_doit.uptodate import settings_changed


@uncaptured
def upload_tasks(release: Release | None) -> Iterator[Task]:
    """storage = "s3": each model and bundle (and dataset) to its object; up to date, with no
    request to the store, while the file and the store's settings are unchanged."""
    if release is None or not release.object_files():
        # The group's own doc: a `name: None` task replaces the docstring in `doit list`.
        yield {
            "name": None,
            "doc": 'With storage = "s3": send each model and bundle to the object store.',
            "task_dep": CHECKED,
        }
        return
    settings = release.settings
    for file in release.object_files():
        path = settings.relative(file)
        yield {
            "name": path,
            "doc": f"upload {path} to bucket {settings.s3_bucket}",
            "file_dep": [path],
            "actions": [step_action(release, upload_object, settings, file)],
            "uptodate": [settings_changed(store_settings(settings))],
            "task_dep": [*CHECKED, "gather"],
        }
