"""The step after the push, with `app_url` set and `push=true`: ask the web app whether it
serves what was pushed (web_assets/verify/app_release.py), as `doit verify app=true` does."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from doit.exceptions import TaskFailed

from tasks.creators import CHECKED, Task, uncaptured
from web_assets.config.settings import Settings
from web_assets.errors import PublishError
from web_assets.git.run import run
from web_assets.release.load import Release
from web_assets_doit.uptodate import settings_changed

NAME = "app"


def app_settings(settings: Settings) -> dict[str, Any]:
    """The settings the app check reads: a change asks the app again."""
    return {
        "app_url": settings.app_url,
        "app_fixtures": settings.app_fixtures,
        "app_parity_tolerance": settings.app_parity_tolerance,
        "max_missing_features": settings.max_missing_features,
    }


@uncaptured
def app_check_task(release: Release | None) -> Task:
    settings = release.settings if release is not None else None
    if (
        settings is None
        or not (settings.app_url and settings.commit and settings.push)
        or settings.pr
    ):
        return {"actions": None, "task_dep": CHECKED}
    return {
        "actions": [(check_pushed, [settings])],
        "task_dep": [*CHECKED, "commit"],
        "uptodate": [settings_changed(app_settings(settings)), confirmed_head(settings.root)],
    }


class confirmed_head:
    """Up to date while the app was last confirmed serving the commit HEAD is: a new push, or a
    check that failed (it records nothing), asks again."""

    def __init__(self, root: Path):
        self.root = root

    def __repr__(self) -> str:
        return "confirmed_head()"

    def explain(self, values: dict[str, Any]) -> str:
        return "the app has not been confirmed serving HEAD"

    def __call__(self, task, values) -> bool:
        head = run(self.root, "rev-parse", "--verify", "--quiet", "HEAD", check=False)
        return head.returncode == 0 and values.get("head") == head.stdout.strip()


def check_pushed(settings: Settings) -> dict[str, Any] | TaskFailed:
    """Ask the app; its lines as they come, then the summary's last line as the step's value."""
    from web_assets.verify.app_release import live_line, pushed_but, verify_app

    head = run(settings.root, "rev-parse", "HEAD").stdout.strip()
    try:
        report, lines = verify_app(settings)
    except PublishError as err:
        return TaskFailed(pushed_but(settings, [str(err)]))
    for line in [*lines, *report.problems]:
        print(line)
    if report.problems:
        return TaskFailed(pushed_but(settings, report.problems))
    models = len(report.served.get("models") or [])
    return {"head": head, "line": live_line(report, models, settings.app_parity_tolerance)}
