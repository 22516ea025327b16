"""The release dodo.py publishes, loaded once, when doit imports dodo.py."""

from __future__ import annotations

from pathlib import Path
from typing import Any, NamedTuple

from doit import doit_cmd

from web_assets.config.settings import Settings, resolve_settings
from web_assets.errors import PublishError
from web_assets.release.load import Release, load_release
from web_assets.release.recorded import gone_inputs


class Loaded(NamedTuple):
    """What dodo.py works from. A problem is kept, not raised, so that `doit list`, `doit help`
    and `doit verify` still work; the check step reports it before anything is written."""

    settings: Settings | None
    release: Release | None
    problem: str | None
    # The recorded inputs that are gone, when a plain `doit` keeps the published release as it is.
    kept: tuple[str, ...] = ()


def command_line_settings() -> dict[str, str]:
    """The `name=value` variables given to doit."""
    # doit exposes them one name at a time (get_var); the whole dict lets a misspelt name be refused.
    return dict(doit_cmd._CMDLINE_VARS or {})


def load(root: Path, given: dict[str, Any] | None = None) -> Loaded:
    """The settings and release: `given` by `publish()`, else from doit's command line."""
    settings = None
    try:
        if given is None:
            given = command_line_settings()
            settings = resolve_settings(root, given)
        else:
            settings = resolve_settings(root, given, source="publish()")
        gone = gone_inputs(settings, given)
        if gone:
            # Nothing to publish from: keep what is published (a rollback to an old run does this).
            return Loaded(settings, None, None, tuple(gone))
        return Loaded(settings, load_release(settings), None)
    except PublishError as err:
        return Loaded(settings, None, str(err))
