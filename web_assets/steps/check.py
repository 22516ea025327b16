"""The model check step: what will be published, before it is gathered."""

from __future__ import annotations

from typing import Any

from web_assets.modelcheck.check import run_checks
from web_assets.release import checks
from web_assets.release.load import Release


def check_models(release: Release) -> dict[str, Any]:
    """Check the run's files, before they are gathered. Returns, per model, its missing features
    and prediction shift (see modelcheck/check.py)."""
    sources = release.sources
    bundles = {bundle.id: sources[bundle.path] for bundle in release.export.bundles}
    checks.check_models(
        [(model.id, sources[model.path], bundles.get(model.id)) for model in release.export.models]
    )
    return run_checks(release)
