"""How a message names a setting: in the words of the entry point the person used.

`doit` takes `name=value`, the release-checklist script takes flags, and `publish()` takes
keyword arguments; a refusal that tells one of them to pass `dataset=PATH` would be wrong for
the other two.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

# The script's flags (web_assets_doit/cli.py); a setting without one is set in pyproject.toml.
FLAGS = {
    "run_dir": "--run-dir",
    "dataset": "--dataset",
    "financial_dataset": "--financial-dataset",
    "version": "--version",
    "uri_template": "--uri-template",
    "push": "--push",
    "pr": "--pr",
    "max_metric_regression": "--max-metric-regression",
    "report": "--report",
}
PYPROJECT = "[tool.web-assets] of pyproject.toml"


class Entry(StrEnum):
    """An entry point; its value is how a refusal names where a setting came from."""

    DOIT = "the command line"
    FLAGS = "the flags"
    PUBLISH = "publish()"

    def name_of(self, name: str) -> str:
        """The setting `name` as this entry point takes it: `--run-dir` for the script."""
        return FLAGS.get(name, name) if self is Entry.FLAGS else name

    def given(self, name: str, value: Any) -> str:
        """`name` set to `value` as this entry point takes it, in backticks."""
        if self is Entry.FLAGS:
            if name == "commit" and value is False:
                return "`--no-commit`"
            if name == "push" and value is True:
                return "`--push`"
            if name in FLAGS:
                return f"`{FLAGS[name]} {value}`"
            return f"`{name} = {_toml(value)}` in {PYPROJECT}"
        if self is Entry.PUBLISH:
            return f"`{name}={value!r}`" if isinstance(value, bool) else f"`{name}={value}`"
        return f"`{name}={str(value).lower() if isinstance(value, bool) else value}`"

    def pass_(self, name: str, value: Any) -> str:
        """ "pass ..." for a setting this run lacks: a flag, a keyword argument or `name=value`."""
        if self is Entry.PUBLISH:
            return f"pass the keyword argument {self.given(name, value)} to publish()"
        if self is Entry.FLAGS:
            return f"{'pass' if name in FLAGS else 'set'} {self.given(name, value)}"
        return f"pass {self.given(name, value)} on the command line"


def _toml(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else f'"{value}"'
