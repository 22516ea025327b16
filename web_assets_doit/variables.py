"""doit's variables, through its public API: the `name=value` arguments, or a run's settings.

`doit name=value` gives strings; `publish()` and `update-web-assets` resolve their settings
before doit starts and hand the result to dodo.py as one doit variable (see runner.py).
"""

from __future__ import annotations

import sys
from typing import Any

from doit import get_var
from doit.doit_cmd import set_var

from web_assets.release.recorded import RunSettings

# The doit variable that carries a run's resolved settings; a string given on the command line
# under this name is not a RunSettings, and so is refused as an unknown setting.
RUN_SETTINGS = "web_assets.run"
_UNSET = object()


def hand_over(run: RunSettings) -> None:
    """Give dodo.py the settings of this run (after doit has read its command line)."""
    set_var(RUN_SETTINGS, run)


def handed_over() -> RunSettings | None:
    """The settings an entry point resolved for this run, if one did."""
    run = get_var(RUN_SETTINGS)
    return run if isinstance(run, RunSettings) else None


def command_line() -> dict[str, Any]:
    """Every `name=value` variable given to doit, a misspelt name included."""
    # doit's get_var answers for a name one already knows. The names are doit's arguments that do
    # not start with "-" and hold "=" (doit's own rule); each counts only if doit set it, which
    # leaves out an option's value such as `-f a=b.py`, and every value is doit's.
    names = [arg.split("=", 1)[0] for arg in sys.argv[1:] if arg[:1] != "-" and "=" in arg]
    values = {name: get_var(name, _UNSET) for name in names}
    return {name: value for name, value in values.items() if value not in (_UNSET, None)}
