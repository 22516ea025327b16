"""Files too large for a github.com remote, refused when the release loads (before any write).

Sizes come from a stat of the run's files, the remote's URL from `git remote get-url` (asked only
when a file is over the warning size, so that an ordinary load runs no git command for it).
"""

from __future__ import annotations

import os
from pathlib import Path

from web_assets.config.settings import Settings
from web_assets.errors import PublishError
from web_assets.release.datasets import Copy
from web_assets.release.github_limits import GITHUB_WARN, git_size_problems, remote_url
from web_assets.release.models import ExportPlan


def committed_sizes(settings: Settings, datasets: list[Copy], export: ExportPlan) -> list:
    """(project-relative name, size) of every file the commit step would commit to git."""
    sources = {copy.target: copy.source for copy in [*datasets, *export.gathered]}
    for artefact in export.models + export.bundles:
        sources.setdefault(artefact.path, artefact.path)
    if settings.storage == "s3":
        for artefact in export.models + export.bundles:
            sources.pop(artefact.path, None)
        if settings.s3_datasets:
            for copy in datasets:
                sources.pop(copy.target, None)
    sizes = []
    for target, source in sorted(sources.items()):
        try:
            sizes.append((settings.relative(target), os.stat(source).st_size))
        except OSError:
            continue  # a missing input is the release load's to report, in its own words
    return sizes


def refuse_oversized(settings: Settings, datasets: list[Copy], export: ExportPlan) -> tuple:
    """Refuse (one line) a file GitHub would block on push; the warnings for large ones."""
    if not settings.commit:
        return ()
    sizes = committed_sizes(settings, datasets, export)
    if not any(size > GITHUB_WARN for _, size in sizes):
        return ()
    refusals, warnings = git_size_problems(sizes, remote_url(Path(settings.root), settings.remote))
    if refusals:
        more = f" (and {len(refusals) - 1} more)" if len(refusals) > 1 else ""
        raise PublishError(f"{refusals[0]}{more}.")
    return tuple(warnings)
