"""The uptodate check of a step that reads settings, shared by dodo.py's tasks and `doit plan`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from web_assets.files.digests import cache_for

SETTINGS_KEY = "_settings"
SHOWN = 5  # damaged targets named by `doit plan`; the rest are counted


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


class target_intact:
    """Up to date while the step's output still holds the bytes the step last wrote.

    doit checks only that a target exists; a truncated dataset or a hand-edited manifest would
    then be committed as it is. The digest comes through the project's digest cache: a stat per
    file when nothing changed.
    """

    def __init__(self, target: str):
        self.target = target

    def __repr__(self) -> str:
        return f"target_intact({self.target!r})"

    def explain(self, values: dict[str, Any]) -> str:
        return f"{self.target} does not hold what was last written to it: it is rewritten"

    def __call__(self, task, values) -> bool:
        recorded = values.get("sha256")
        try:
            return (
                recorded is not None
                and cache_for(Path.cwd()).digest(self.target).sha256 == recorded
            )
        except OSError:
            return False


class targets_intact:
    """Up to date while each output still holds the bytes last written to it: target_intact for
    a step that writes many files and records each one's values under its path."""

    def __init__(self, targets: list[str]):
        self.targets = targets

    def __repr__(self) -> str:
        return f"targets_intact({len(self.targets)} files)"

    def damaged(self, values: dict[str, Any]) -> list[str]:
        cache = cache_for(Path.cwd())
        found = []
        for target in self.targets:
            recorded = (values.get(target) or {}).get("sha256")
            try:
                if recorded is None or cache.digest(target).sha256 != recorded:
                    found.append(target)
            except OSError:
                found.append(target)
        return found

    def explain(self, values: dict[str, Any]) -> str:
        damaged = self.damaged(values)
        if not damaged:
            return "its targets were changed meanwhile"
        if len(damaged) == 1:
            return f"{damaged[0]} does not hold what was last written to it: it is rewritten"
        named = ", ".join(damaged[:SHOWN])
        more = f" and {len(damaged) - SHOWN} more" if len(damaged) > SHOWN else ""
        return f"{named}{more} do not hold what was last written to them: they are rewritten"

    def __call__(self, task, values) -> bool:
        return not self.damaged(values)
