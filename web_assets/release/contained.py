"""What a publish may read from a run: nothing through a symlink that leaves the run folder.

A symlink in the run (a `*.json`, an external-data `location`, a subfolder) could take a file from
anywhere on the machine into the commit. Each file is resolved before it is read; one that lands
outside the run folder is refused. A symlink that stays inside the run is the run's own file.
"""

from __future__ import annotations

import os
from pathlib import Path

from web_assets.errors import PublishError


def refuse_outside_run(run_dir: Path, path: Path) -> None:
    """Refuse, in one line, a file of the run that resolves to a place outside `run_dir`."""
    folder = os.path.realpath(run_dir)
    real = os.path.realpath(path)
    if real == folder or real.startswith(folder.rstrip(os.sep) + os.sep):
        return
    raise PublishError(
        f"{path} is a symlink to {real}, outside the run folder {run_dir}: a publish reads "
        "nothing from outside the run. Copy that file into the run folder in place of the link."
    )
