"""The commit steps: the release's files (what pinned URIs name), then the whole release."""

from __future__ import annotations

from typing import Any

from web_assets.config.remote import remote_mismatch
from web_assets.git.publish import FilesCommit, commit_files, commit_release
from web_assets.notify.webhook import notify_pushed
from web_assets.release.load import Release


def commit_files_step(release: Release) -> dict[str, str]:
    """Commit the datasets and the export folder's files without moving the branch: pinned URIs
    name this commit (or HEAD, when it already holds them), and the manifest is written next."""
    return commit_files(release)._asdict()


def commit_step(release: Release, files: dict[str, str] | None = None) -> dict[str, Any]:
    """The commit of every published file, on top of the files commit (`files`, its values) when
    there is one; with the size warnings found at load time, and a template naming another
    GitHub repository than the push remote's, for the summary."""
    # doit keeps the step's settings beside its values: only the commit's fields go on.
    first = {name: files[name] for name in FilesCommit._fields} if files else None
    made = commit_release(release, {"files_commit": first} if first else None)
    settings = release.settings
    mismatch = remote_mismatch(settings.root, settings.remote, settings.uri_template)
    warnings = [*release.size_warnings, *([mismatch] if mismatch else [])]
    models = [model.id for model in release.export.models]
    return {**made, "warnings": [*warnings, *notify_pushed(settings, made, models)]}
