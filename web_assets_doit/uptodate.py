"""The uptodate check of a step that reads settings, shared by dodo.py's tasks and `doit plan`."""

from __future__ import annotations

import json
from typing import Any

SETTINGS_KEY = "_settings"


class settings_changed:
    """Up to date while these settings are what the last run saw; keeps them to show old -> new."""

    def __init__(self, settings: dict[str, Any]):
        # Through JSON, so a tuple compares equal to the list saved last time.
        self.settings = json.loads(json.dumps(settings))

    def configure_task(self, task) -> None:
        task.value_savers.append(lambda: {SETTINGS_KEY: self.settings})

    def __repr__(self) -> str:
        # `doit info TASK` prints the uptodate list: show what the step depends on.
        return f"settings_changed({self.settings!r})"

    def __call__(self, task, values) -> bool:
        return values.get(SETTINGS_KEY) == self.settings
